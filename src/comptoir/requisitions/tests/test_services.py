"""Requisition list services: create, rename, share, copy, lines (merge, limits), to the
cart through the bulk service, reorder; access (404) and the share permission (403).
Refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart import services as cart_services
from comptoir.cart.models import CartLine
from comptoir.cart.tests.conftest import Shop
from comptoir.companies.services import role_builtin
from comptoir.core.errors import DomainError
from comptoir.core.validation import UNSET
from comptoir.orders.tests.factories import make_order
from comptoir.requisitions import selectors, services
from comptoir.requisitions.models import RequisitionList, RequisitionListLine

pytestmark = pytest.mark.django_db


def refused(code: str, call: Any, /, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.errors)
    return caught.value


def lines_of(list_id: int) -> list[tuple[str, int, str]]:
    return [
        (line.variant.sku, line.quantity, line.note)
        for line in RequisitionListLine.objects.filter(requisition_list_id=list_id)
        .select_related("variant")
        .order_by("id")
    ]


def cart_of(cart: Any) -> dict[str, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("variant__sku", "quantity"))


def test_lines_merge_by_sku(shop: Shop) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="  Atelier  ")
    assert (rlist.name, rlist.shared, rlist.company_id) == ("Atelier", False, shop.martin.pk)
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=2)
    services.requisition_line_add(
        user=shop.buyer, list_id=rlist.pk, sku=" DRILL-XL ", quantity=6, note="chantier"
    )
    services.requisition_line_add(
        user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=3, note="stock"
    )
    assert lines_of(rlist.pk) == [("DRILL", 5, "stock"), ("DRILL-XL", 6, "chantier")]
    line = RequisitionListLine.objects.get(variant__sku="DRILL")
    services.requisition_line_update(
        user=shop.buyer, list_id=rlist.pk, line_id=line.pk, quantity=12, note=UNSET
    )
    assert lines_of(rlist.pk)[0] == ("DRILL", 12, "stock")
    services.requisition_line_delete(user=shop.buyer, list_id=rlist.pk, line_id=line.pk)
    assert lines_of(rlist.pk) == [("DRILL-XL", 6, "chantier")]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sku": "NOPE"}, "UNKNOWN_SKU"),
        ({"sku": ""}, "UNKNOWN_SKU"),
        ({"sku": "DRILL", "quantity": 0}, "INVALID_QUANTITY"),
        ({"sku": "DRILL", "quantity": "2"}, "INVALID_QUANTITY"),
        ({"sku": "DRILL", "quantity": 9999}, "INVALID_QUANTITY"),  # 1 + 9999
        ({"sku": "DRILL", "note": "x" * 256}, "INVALID_INPUT"),
        ({"sku": "DRILL", "note": "a\x00b"}, "INVALID_TEXT"),
    ],
)
def test_bad_lines_change_nothing(shop: Shop, kwargs: dict[str, Any], code: str) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier")
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=1)
    refused(code, services.requisition_line_add, user=shop.buyer, list_id=rlist.pk, **kwargs)
    assert lines_of(rlist.pk) == [("DRILL", 1, "")]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, 3])
def test_bad_names(shop: Shop, name: Any) -> None:
    refused("INVALID_INPUT", services.requisition_list_create, user=shop.buyer, name=name)
    assert not RequisitionList.objects.exists()


def test_access(shop: Shop, paul: Any) -> None:
    personal = services.requisition_list_create(user=shop.buyer, name="Perso")
    shared = services.requisition_list_create(user=shop.buyer, name="Atelier", shared=True)
    # A colleague sees the shared list only; another company sees none; a customer of no
    # company is told so.
    assert selectors.requisition_list_get(user=paul, list_id=shared.pk) == shared
    refused(
        "REQUISITION_LIST_NOT_FOUND", selectors.requisition_list_get, user=paul, list_id=personal.pk
    )
    for list_id in (personal.pk, shared.pk, 10**6, 0, True):
        refused(
            "REQUISITION_LIST_NOT_FOUND",
            selectors.requisition_list_get,
            user=shop.belge_buyer,
            list_id=list_id,
        )
    refused(
        "NOT_A_COMPANY_MEMBER", selectors.requisition_list_get, user=shop.shopper, list_id=shared.pk
    )
    refused(
        "REQUISITION_LIST_NOT_FOUND",
        services.requisition_line_add,
        user=paul,
        list_id=personal.pk,
        sku="DRILL",
    )


@pytest.mark.usefixtures("no_share")
def test_shared_lists_need_the_share_permission(shop: Shop, paul: Any) -> None:
    refused(
        "REQUISITION_SHARE_DENIED",
        services.requisition_list_create,
        user=paul,
        name="Atelier",
        shared=True,
    )
    shared = RequisitionList.objects.create(
        company=shop.martin, owner=shop.buyer, name="Atelier", shared=True
    )
    for call, kwargs in (
        (services.requisition_line_add, {"sku": "DRILL"}),
        (services.requisition_list_update, {"name": "Autre"}),
        (services.requisition_list_delete, {}),
    ):
        refused("REQUISITION_SHARE_DENIED", call, user=paul, list_id=shared.pk, **kwargs)
    assert RequisitionList.objects.get().name == "Atelier"
    # Reading, copying and buying from it are open to every member.
    copy = services.requisition_list_copy(user=paul, list_id=shared.pk)
    assert (copy.name, copy.owner_id, copy.shared) == ("Atelier (copie)", paul.pk, False)
    summary = selectors.requisition_list_detail(user=paul, list_id=shared.pk).summary
    assert summary.editable is False


def test_copy_keeps_the_lines(shop: Shop, paul: Any) -> None:
    shared = services.requisition_list_create(user=shop.buyer, name="Atelier", shared=True)
    services.requisition_line_add(
        user=shop.buyer, list_id=shared.pk, sku="DRILL", quantity=4, note="n"
    )
    copy = services.requisition_list_copy(user=paul, list_id=shared.pk, name="Mon atelier")
    assert (copy.name, copy.owner_id) == ("Mon atelier", paul.pk)
    assert lines_of(copy.pk) == [("DRILL", 4, "n")]
    # The copy is personal: the buyer does not see it.
    refused(
        "REQUISITION_LIST_NOT_FOUND",
        selectors.requisition_list_get,
        user=shop.buyer,
        list_id=copy.pk,
    )


def test_to_cart_reports_each_line(shop: Shop) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier")
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=3)
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL-XL", quantity=4)
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    result = services.requisition_list_to_cart(user=shop.buyer, list_id=rlist.pk, cart=cart)
    assert [(a.lines, a.sku, a.quantity) for a in result.added] == [((1,), "DRILL", 3)]
    # The group list sells the XL by 6.
    assert [(r.lines, r.sku, r.code) for r in result.rejected] == [
        ((2,), "DRILL-XL", "QUANTITY_RULE")
    ]
    xl = RequisitionListLine.objects.get(variant__sku="DRILL-XL")
    refused(
        "INVALID_INPUT",
        services.requisition_list_to_cart,
        user=shop.buyer,
        list_id=rlist.pk,
        cart=cart,
        line_ids=[xl.pk, 10**6],
    )
    services.requisition_line_update(user=shop.buyer, list_id=rlist.pk, line_id=xl.pk, quantity=6)
    result = services.requisition_list_to_cart(
        user=shop.buyer, list_id=rlist.pk, cart=cart, line_ids=[xl.pk]
    )
    assert [(a.lines, a.sku, a.quantity) for a in result.added] == [((2,), "DRILL-XL", 6)]
    assert cart_of(cart) == {"DRILL": 3, "DRILL-XL": 6}
    assert lines_of(rlist.pk) == [("DRILL", 3, ""), ("DRILL-XL", 6, "")]


def test_reorder(shop: Shop, paul: Any) -> None:
    order = make_order(
        items=[(shop.drill, 2), (shop.drill_xl, 6)],
        channel=shop.b2b,
        user=shop.buyer,
        company_id=shop.martin.pk,
    )
    cart, result = services.order_reorder(user=shop.buyer, number=order.number)
    assert (cart.user_id, cart.channel_id) == (shop.buyer.pk, shop.b2b.pk)
    assert [(a.lines, a.sku, a.quantity) for a in result.added] == [
        ((1,), "DRILL", 2),
        ((2,), "DRILL-XL", 6),
    ]
    assert result.rejected == ()
    # A colleague whose role sees every order of the company may reorder it too; another
    # company or a customer of none may not.
    _cart, again = services.order_reorder(user=paul, number=order.number)
    assert len(again.added) == 2
    for user in (shop.belge_buyer, shop.shopper, UserFactory.create()):
        refused("ORDER_NOT_FOUND", services.order_reorder, user=user, number=order.number)


def test_reorder_reports_what_is_no_longer_sold(shop: Shop) -> None:
    from comptoir.catalog.models import ProductChannelListing

    order = make_order(items=[(shop.drill, 2)], channel=shop.b2b, user=shop.buyer)
    ProductChannelListing.objects.filter(channel=shop.b2b).update(is_published=False)
    cart, result = services.order_reorder(user=shop.buyer, number=order.number)
    assert [(r.lines, r.sku, r.code) for r in result.rejected] == [((1,), "DRILL", "NOT_FOR_SALE")]
    assert cart_of(cart) == {}


def test_reorder_of_a_colleagues_order_needs_orders_view_all(shop: Shop, paul: Any) -> None:
    order = make_order(
        items=[(shop.drill, 2)], channel=shop.b2b, user=shop.buyer, company_id=shop.martin.pk
    )
    member = paul.company_membership
    member.role = role_builtin(company=member.company, code="buyer")  # no orders.view_all
    member.save(update_fields=["role"])
    refused("ORDER_NOT_FOUND", services.order_reorder, user=paul, number=order.number)
    # The order's own customer still may.
    _cart, result = services.order_reorder(user=shop.buyer, number=order.number)
    assert [(a.sku, a.quantity) for a in result.added] == [("DRILL", 2)]


def test_lines_from_cart(shop: Shop) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier")
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=9998)
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    cart_services.line_add(cart=cart, sku="DRILL", quantity=4, user=shop.buyer)
    cart_services.line_add(cart=cart, sku="DRILL-XL", quantity=6, user=shop.buyer)
    assert services.lines_from_cart(user=shop.buyer, list_id=rlist.pk, cart=cart) == 2
    assert lines_of(rlist.pk) == [("DRILL", 9999, ""), ("DRILL-XL", 6, "")]
    assert cart_of(cart) == {"DRILL": 4, "DRILL-XL": 6}
