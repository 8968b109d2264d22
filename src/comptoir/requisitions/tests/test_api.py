"""The requisition lists API and reorder end to end: shapes, bad input (problem+json,
nothing changed), another company's list or order is a 404 on every endpoint, the share
permission is a 403, query counts of the list endpoints pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.cart import services as cart_services
from comptoir.cart.models import CartLine
from comptoir.cart.tests.conftest import Caller, Shop
from comptoir.core.testing import problem
from comptoir.orders.tests.factories import make_order
from comptoir.requisitions import services
from comptoir.requisitions.models import RequisitionList, RequisitionListLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def atelier(shop: Shop) -> RequisitionList:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier", shared=True)
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=3)
    return rlist


def test_create_add_and_read(buyer_api: Caller, shop: Shop) -> None:
    created = buyer_api.post("requisition-lists", {"name": "Chantier Lyon"})
    assert created.status_code == 201, created.content
    body = created.json()
    list_id = body["id"]
    assert {k: body[k] for k in ("name", "shared", "is_owner", "editable", "line_count")} == {
        "name": "Chantier Lyon",
        "shared": False,
        "is_owner": True,
        "editable": True,
        "line_count": 0,
    }
    response = buyer_api.post(
        f"requisition-lists/{list_id}/lines", {"sku": "DRILL", "quantity": 2, "note": "bac 3"}
    )
    assert response.status_code == 200, response.content
    lines = response.json()["lines"]
    assert [(x["sku"], x["product"], x["quantity"], x["note"]) for x in lines] == [
        ("DRILL", "perceuse", 2, "bac 3")
    ]
    line_id = lines[0]["id"]
    response = buyer_api.patch(f"requisition-lists/{list_id}/lines/{line_id}", {"quantity": 5})
    assert response.json()["lines"][0]["quantity"] == 5
    response = buyer_api.patch(f"requisition-lists/{list_id}", {"name": "Lyon", "shared": True})
    assert (response.json()["name"], response.json()["shared"]) == ("Lyon", True)
    assert buyer_api.delete(f"requisition-lists/{list_id}/lines/{line_id}").json()["lines"] == []
    assert buyer_api.delete(f"requisition-lists/{list_id}").status_code == 204
    assert not RequisitionList.objects.exists()


@pytest.mark.parametrize(
    "case",
    [
        ("requisition-lists", {"name": ""}, 400, "INVALID_INPUT"),
        ("requisition-lists", {"name": "x", "shared": "yes"}, 400, "INVALID_INPUT"),
        ("requisition-lists", {}, 422, "VALIDATION_ERROR"),
        ("requisition-lists/{id}/lines", {"sku": "NOPE"}, 400, "UNKNOWN_SKU"),
        (
            "requisition-lists/{id}/lines",
            {"sku": "DRILL", "quantity": 2.5},
            400,
            "INVALID_QUANTITY",
        ),
        ("requisition-lists/{id}/lines", {"sku": "DRILL", "quantity": -1}, 400, "INVALID_QUANTITY"),
        (
            "requisition-lists/{id}/lines",
            {"sku": "DRILL", "quantity": True},
            400,
            "INVALID_QUANTITY",
        ),
        ("requisition-lists/{id}/add-to-cart", {"cart": "nope"}, 404, "CART_NOT_FOUND"),
    ],
)
def test_bad_input_changes_nothing(
    buyer_api: Caller, atelier: RequisitionList, case: tuple[str, Any, int, str]
) -> None:
    path, body, status, code = case
    problem(buyer_api.post(path.format(id=atelier.pk), body), status, code)
    assert RequisitionList.objects.count() == 1
    assert list(RequisitionListLine.objects.values_list("quantity", flat=True)) == [3]


def test_another_company_gets_404_everywhere(
    belge_api: Caller, paul_api: Caller, shop: Shop, atelier: RequisitionList
) -> None:
    personal = services.requisition_list_create(user=shop.buyer, name="Perso")
    line = RequisitionListLine.objects.get()
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.belge_buyer, language="fr")
    calls = [
        ("get", "requisition-lists/{id}", None),
        ("patch", "requisition-lists/{id}", {"name": "x"}),
        ("delete", "requisition-lists/{id}", None),
        ("post", "requisition-lists/{id}/copy", {}),
        ("post", "requisition-lists/{id}/lines", {"sku": "DRILL"}),
        ("patch", f"requisition-lists/{{id}}/lines/{line.pk}", {"quantity": 1}),
        ("delete", f"requisition-lists/{{id}}/lines/{line.pk}", None),
        ("post", "requisition-lists/{id}/add-to-cart", {"cart": cart.token}),
    ]
    for method, path, body in calls:
        url = path.format(id=atelier.pk)
        response = (
            belge_api.send(method, url, body)
            if body is not None
            else getattr(belge_api, method if method != "post" else "post")(url)
        )
        problem(response, 404, "REQUISITION_LIST_NOT_FOUND")
        # A colleague's personal list is just as invisible.
        url = path.format(id=personal.pk)
        response = (
            paul_api.send(method, url, body) if body is not None else getattr(paul_api, method)(url)
        )
        assert response.status_code == 404, (method, url, response.content)
    assert belge_api.get("requisition-lists").json()["count"] == 0
    assert RequisitionList.objects.count() == 2
    assert CartLine.objects.count() == 0


@pytest.mark.usefixtures("no_share")
def test_share_permission_is_a_403(paul_api: Caller, shop: Shop) -> None:
    atelier = RequisitionList.objects.create(
        company=shop.martin, owner=shop.buyer, name="Atelier", shared=True
    )
    problem(
        paul_api.patch(f"requisition-lists/{atelier.pk}", {"name": "x"}),
        403,
        "REQUISITION_SHARE_DENIED",
    )
    problem(
        paul_api.post("requisition-lists", {"name": "x", "shared": True}),
        403,
        "REQUISITION_SHARE_DENIED",
    )
    body = paul_api.get(f"requisition-lists/{atelier.pk}").json()
    assert (body["editable"], body["is_owner"]) == (False, False)
    assert RequisitionList.objects.get().name == "Atelier"


def test_not_a_company_member(shop: Shop) -> None:
    problem(Caller(Client(), shop.shopper).get("requisition-lists"), 404, "NOT_A_COMPANY_MEMBER")


def test_add_to_cart(buyer_api: Caller, shop: Shop, atelier: RequisitionList) -> None:
    services.requisition_line_add(user=shop.buyer, list_id=atelier.pk, sku="DRILL-XL", quantity=1)
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    response = buyer_api.post(f"requisition-lists/{atelier.pk}/add-to-cart", {"cart": cart.token})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(a["sku"], a["quantity"]) for a in body["added"]] == [("DRILL", 3)]
    assert [(r["line"], r["sku"], r["code"]) for r in body["rejected"]] == [
        (2, "DRILL-XL", "QUANTITY_RULE")
    ]
    # The contract price: 15.00 net each.
    assert body["cart"]["lines"][0]["total"]["net"] == "45.00"


def test_list_query_counts(
    buyer_api: Caller, shop: Shop, atelier: RequisitionList, django_assert_num_queries: Any
) -> None:
    for i in range(4):
        rlist = services.requisition_list_create(user=shop.buyer, name=f"L{i}", shared=i % 2 == 0)
        services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=1)
    buyer_api.get("requisition-lists")  # the token's user, warmed
    # token, membership, count, page, the role's permission (membership)
    with django_assert_num_queries(5):
        response = buyer_api.get("requisition-lists")
    assert response.json()["count"] == 5
    assert [r["line_count"] for r in response.json()["results"]] == [1, 1, 1, 1, 1]
    for sku in ("DRILL-XL",):
        services.requisition_line_add(user=shop.buyer, list_id=atelier.pk, sku=sku, quantity=6)
    # token, membership, the list, its lines, the role's permission (membership)
    with django_assert_num_queries(5):
        response = buyer_api.get(f"requisition-lists/{atelier.pk}")
    assert len(response.json()["lines"]) == 2


def test_reorder_api(buyer_api: Caller, shop: Shop) -> None:
    order = make_order(items=[(shop.drill, 2)], channel=shop.b2b, user=shop.buyer)
    response = buyer_api.post(f"orders/{order.number}/reorder", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(a["sku"], a["quantity"]) for a in body["added"]] == [("DRILL", 2)]
    assert body["cart"]["lines"][0]["unit"]["net"] == "15.00"  # today's contract price
    problem(
        Caller(Client(), shop.belge_buyer).post(f"orders/{order.number}/reorder", {}),
        404,
        "ORDER_NOT_FOUND",
    )
    problem(buyer_api.post("orders/NOPE-1/reorder", {}), 404, "ORDER_NOT_FOUND")
    problem(buyer_api.post(f"orders/{order.number}/reorder", {"cart": "x"}), 404, "CART_NOT_FOUND")
    assert CartLine.objects.get().quantity == 2
