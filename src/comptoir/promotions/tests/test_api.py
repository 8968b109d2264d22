"""Staff promotions API: access (anonymous 401, customer 403, missing permission 403,
unknown 404), CRUD through the services, and bad input (a 4xx problem+json with a stable
code, nothing changed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.tests.factories import ProductFactory
from comptoir.channels.models import Channel
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, Promotion
from comptoir.promotions.tests.conftest import Api, api_for, problem
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "code": "ete",
    "name": "Été",
    "kind": "cart",
    "reward_type": "fixed",
    "reward_value": "5.00",
    "currency": "EUR",
    "min_subtotal": "50",
    "requires_coupon": True,
}


def test_create_get_update_delete_a_promotion(api: Api, channel: Channel) -> None:
    product = ProductFactory.create(slug="perceuse")
    created = api.post(
        "promotions", BODY | {"channels": ["boutique-france"], "products": [product.pk]}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body | {"id": 0} == {
        "id": 0,
        "code": "ete",
        "name": "Été",
        "name_en": "",
        "kind": "cart",
        "reward_type": "fixed",
        "reward_value": "5.00",
        "currency": "EUR",
        "starts_at": None,
        "ends_at": None,
        "is_active": True,
        "priority": 0,
        "stacking": "cumulative",
        "min_subtotal": "50.00",
        "min_quantity": None,
        "buy_quantity": None,
        "get_quantity": None,
        "requires_coupon": True,
        "external_ref": None,
        "metadata": {},
        "channels": ["boutique-france"],
        "customer_groups": [],
        "products": ["perceuse"],
        "categories": [],
        "collections": [],
    }
    pk = body["id"]
    assert api.get(f"promotions/{pk}").json()["code"] == "ete"
    changed = api.patch(
        f"promotions/{pk}",
        {"priority": 4, "min_subtotal": None, "products": [], "starts_at": "2030-01-01T00:00:00Z"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["priority"], changed.json()["min_subtotal"]) == (4, None)
    assert changed.json()["products"] == []
    assert changed.json()["starts_at"] == "2030-01-01T00:00:00Z"
    assert api.delete(f"promotions/{pk}").status_code == 204
    assert not Promotion.objects.exists()


def test_list_filters_by_kind_and_running_state(api: Api) -> None:
    PromotionFactory.create(code="catalogue", priority=2)
    CartPromotionFactory.create(code="panier", priority=1)
    CartPromotionFactory.create(code="eteinte", is_active=False)
    CartPromotionFactory.create(code="future", starts_at="2999-01-01T00:00:00Z")
    page = api.get("promotions", {"page_size": 2}).json()
    assert page["count"] == 4
    assert [p["code"] for p in page["results"]] == ["catalogue", "panier"]
    assert page["next"] == "/api/v1/admin/promotions?page=2&page_size=2"
    cart_codes = [p["code"] for p in api.get("promotions", {"kind": "cart"}).json()["results"]]
    assert cart_codes == ["panier", "eteinte", "future"]
    running = api.get("promotions", {"active": "true"}).json()["results"]
    assert [p["code"] for p in running] == ["catalogue", "panier"]
    stopped = api.get("promotions", {"active": "false"}).json()["results"]
    assert [p["code"] for p in stopped] == ["eteinte", "future"]
    problem(api.get("promotions", {"kind": "basket"}), 400, "INVALID_INPUT")
    problem(api.get("promotions", {"page": 0}), 400, "INVALID_PAGINATION")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"reward_value": "0"}, 400, "INVALID_PROMOTION"),
        ({"currency": ""}, 400, "INVALID_PROMOTION"),
        ({"kind": "catalog"}, 400, "INVALID_PROMOTION"),
        (
            {"starts_at": "2030-02-01T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            400,
            "INVALID_DATES",
        ),
        ({"channels": ["inconnu"]}, 400, "CHANNEL_NOT_FOUND"),
        ({"products": ["inconnu"]}, 400, "PRODUCT_NOT_FOUND"),
        ({"reward_value": "abc"}, 422, "VALIDATION_ERROR"),
        ({"starts_at": "2030-01-01T00:00:00"}, 422, "VALIDATION_ERROR"),
        ({"name": ""}, 422, "VALIDATION_ERROR"),
        ({"name": "x\x00"}, 400, "INVALID_TEXT"),
    ],
)
def test_create_bad_input(
    api: Api, channel: Channel, changes: dict[str, Any], status: int, code: str
) -> None:
    problem(api.post("promotions", BODY | changes), status, code)
    assert not Promotion.objects.exists()


def test_create_currency_mismatch_and_taken_code(api: Api, channel: Channel) -> None:
    problem(
        api.post("promotions", BODY | {"currency": "CHF", "channels": ["boutique-france"]}),
        400,
        "CURRENCY_MISMATCH",
    )
    PromotionFactory.create(code="ete")
    problem(api.post("promotions", BODY), 409, "PROMOTION_CODE_TAKEN")
    assert Promotion.objects.count() == 1


def test_patch_bad_input_changes_nothing(api: Api) -> None:
    promotion = CartPromotionFactory.create(code="ete", name="Été")
    problem(api.patch(f"promotions/{promotion.pk}", {"name": None}), 400, "INVALID_INPUT")
    problem(
        api.patch(f"promotions/{promotion.pk}", {"reward_value": "101", "name": "Autre"}),
        400,
        "INVALID_PROMOTION",
    )
    promotion.refresh_from_db()
    assert (promotion.name, promotion.reward_value) == ("Été", Decimal("10.00"))


def test_unknown_ids_and_codes_are_404(api: Api) -> None:
    problem(api.get("promotions/999999"), 404, "PROMOTION_NOT_FOUND")
    problem(api.get(f"promotions/{2**63}"), 404, "PROMOTION_NOT_FOUND")
    problem(api.patch("promotions/999999", {"priority": 1}), 404, "PROMOTION_NOT_FOUND")
    problem(api.delete("promotions/999999"), 404, "PROMOTION_NOT_FOUND")
    problem(api.get("promotions/999999/coupons"), 404, "PROMOTION_NOT_FOUND")
    problem(api.post("promotions/999999/coupons", {"code": "ABC"}), 404, "PROMOTION_NOT_FOUND")
    problem(api.get("coupons/INCONNU"), 404, "COUPON_NOT_FOUND")
    problem(api.patch("coupons/INCONNU", {"is_active": False}), 404, "COUPON_NOT_FOUND")
    problem(api.delete("coupons/INCONNU"), 404, "COUPON_NOT_FOUND")


def test_a_promotion_orders_used_is_not_deleted(api: Api, channel: Channel) -> None:
    coupon = CouponFactory.create(code="ETE2030")
    services.coupon_redeem(
        code="ETE2030",
        order_reference="CMD-1",
        email="a@b.fr",
        subtotal=Decimal(1),
        channel=channel,
    )
    problem(api.delete(f"promotions/{coupon.promotion_id}"), 409, "PROMOTION_IN_USE")
    problem(api.delete("coupons/ETE2030"), 409, "COUPON_IN_USE")
    assert Coupon.objects.count() == 1


# --- coupons ------------------------------------------------------------------------------


def test_coupon_crud(api: Api) -> None:
    promotion = CouponPromotionFactory.create(code="ete")
    created = api.post(
        f"promotions/{promotion.pk}/coupons",
        {"code": "ete-2030", "usage_limit": 100, "min_subtotal": "30"},
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "code": "ETE-2030",
        "promotion": "ete",
        "usage_limit": 100,
        "per_customer_limit": None,
        "times_used": 0,
        "min_subtotal": "30.00",
        "valid_from": None,
        "valid_until": None,
        "is_active": True,
        "batch": "",
    }
    listed = api.get(f"promotions/{promotion.pk}/coupons").json()
    assert [c["code"] for c in listed["results"]] == ["ETE-2030"]
    assert api.get("coupons/ete-2030").json()["code"] == "ETE-2030"
    changed = api.patch("coupons/ETE-2030", {"usage_limit": None, "is_active": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["usage_limit"], changed.json()["is_active"]) == (None, False)
    assert api.delete("coupons/ETE-2030").status_code == 204
    assert not Coupon.objects.exists()


def test_coupon_bad_input(api: Api) -> None:
    promotion = CouponPromotionFactory.create()
    automatic = CartPromotionFactory.create()
    CouponFactory.create(promotion=promotion, code="PRIS", times_used=2, usage_limit=5)
    url = f"promotions/{promotion.pk}/coupons"
    problem(api.post(url, {"code": "pris"}), 409, "COUPON_CODE_TAKEN")
    problem(api.post(url, {"code": "a b"}), 400, "INVALID_COUPON_CODE")
    problem(api.post(url, {"code": "OK-1", "usage_limit": 0}), 400, "INVALID_INPUT")
    problem(api.post(url, {"code": "OK-1", "usage_limit": -1}), 422, "VALIDATION_ERROR")
    problem(
        api.post(
            url,
            {
                "code": "OK-1",
                "valid_from": "2030-02-01T00:00:00Z",
                "valid_until": "2030-01-01T00:00:00Z",
            },
        ),
        400,
        "INVALID_DATES",
    )
    problem(
        api.post(f"promotions/{automatic.pk}/coupons", {"code": "OK-1"}), 400, "COUPON_NOT_ALLOWED"
    )
    problem(api.patch("coupons/PRIS", {"usage_limit": 1}), 400, "COUPON_LIMIT_BELOW_USAGE")
    problem(api.patch("coupons/PRIS", {"is_active": None}), 400, "INVALID_INPUT")
    assert list(Coupon.objects.values_list("code", "usage_limit", "is_active")) == [
        ("PRIS", 5, True)
    ]


def test_generate_codes(api: Api) -> None:
    promotion = CouponPromotionFactory.create()
    url = f"promotions/{promotion.pk}/coupons/generate"
    response = api.post(
        url, {"count": 20, "prefix": "noel-", "usage_limit": 1, "per_customer_limit": 1}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["codes"]) == 20
    assert all(code.startswith("NOEL-") for code in body["codes"])
    assert Coupon.objects.filter(batch=body["batch"]).count() == 20
    problem(api.post(url, {"count": 0}), 422, "VALIDATION_ERROR")
    problem(api.post(url, {"count": 10_001}), 422, "VALIDATION_ERROR")
    problem(api.post(url, {"count": 2, "prefix": "a b"}), 400, "INVALID_COUPON_CODE")
    problem(api.post(url, {"count": 2, "usage_limit": 0}), 400, "INVALID_INPUT")
    assert Coupon.objects.count() == 20


# --- access -------------------------------------------------------------------------------


ENDPOINTS = [
    ("get", "promotions", None),
    ("post", "promotions", BODY),
    ("get", "promotions/{pk}", None),
    ("patch", "promotions/{pk}", {"priority": 1}),
    ("delete", "promotions/{pk}", None),
    ("get", "promotions/{pk}/coupons", None),
    ("post", "promotions/{pk}/coupons", {"code": "NEW-1"}),
    ("post", "promotions/{pk}/coupons/generate", {"count": 1}),
    ("get", "coupons/ETE2030", None),
    ("patch", "coupons/ETE2030", {"is_active": False}),
    ("delete", "coupons/ETE2030", None),
]


def call(api: Api, method: str, path: str, body: Any) -> Any:
    if method in ("get", "delete"):
        return getattr(api, method)(path)
    return getattr(api, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_anonymous_401_customer_403_and_missing_permission_403(
    method: str, path: str, body: Any
) -> None:
    coupon = CouponFactory.create(code="ETE2030")
    path = path.format(pk=coupon.promotion_id)
    problem(call(Api(Client(), None), method, path, body), 401, "UNAUTHORIZED")
    problem(call(api_for(UserFactory.create()), method, path, body), 403, "PERMISSION_DENIED")
    clerk = UserFactory.create(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_collection"))
    problem(call(api_for(clerk), method, path, body), 403, "PERMISSION_DENIED")
    assert Promotion.objects.count() == 1
    assert list(Coupon.objects.values_list("code", "is_active")) == [("ETE2030", True)]


def test_staff_with_view_permission_reads_only() -> None:
    promotion = CartPromotionFactory.create()
    clerk = UserFactory.create(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_promotion"))
    reader = api_for(clerk)
    assert reader.get(f"promotions/{promotion.pk}").status_code == 200
    problem(reader.patch(f"promotions/{promotion.pk}", {"priority": 3}), 403, "PERMISSION_DENIED")
