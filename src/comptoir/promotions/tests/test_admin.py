"""Back-office for promotions and coupons: pages load, saves go through the services (a
refusal is shown on the form and nothing is saved), codes are generated and downloaded as
CSV, redemptions are read-only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.tests.factories import (
    CouponFactory,
    CouponPromotionFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def promotion_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "ete",
        "name": "Été",
        "name_en": "",
        "kind": "cart",
        "is_active": "on",
        "reward_type": "percentage",
        "reward_value": "15",
        "currency": "",
        "min_subtotal": "",
        "min_quantity": "",
        "buy_quantity": "",
        "get_quantity": "",
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "priority": "0",
        "stacking": "cumulative",
        "external_ref": "",
        "metadata": "{}",
    }
    return data | changes


def test_pages_load(staff: Client, channel: Channel) -> None:
    coupon = CouponFactory.create()
    PromotionFactory.create()
    services.coupon_redeem(
        code=coupon.code,
        order_reference="CMD-1",
        email="a@b.fr",
        subtotal=Decimal(1),
        channel=channel,
    )
    redemption = CouponRedemption.objects.get()
    for url in (
        reverse("admin:promotions_promotion_changelist"),
        reverse("admin:promotions_promotion_changelist") + "?running=yes",
        reverse("admin:promotions_promotion_changelist") + "?running=no",
        reverse("admin:promotions_promotion_add"),
        reverse("admin:promotions_promotion_change", args=[coupon.promotion_id]),
        reverse("admin:promotions_coupon_changelist"),
        reverse("admin:promotions_coupon_add"),
        reverse("admin:promotions_coupon_change", args=[coupon.pk]),
        reverse("admin:promotions_coupon_generate"),
        reverse("admin:promotions_couponredemption_changelist"),
        reverse("admin:promotions_couponredemption_change", args=[redemption.pk]),
    ):
        assert staff.get(url).status_code == 200, url


def test_promotion_saved_through_the_service(staff: Client, channel: Channel) -> None:
    url = reverse("admin:promotions_promotion_add")
    response = staff.post(url, promotion_form(channels=[channel.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    promotion = Promotion.objects.get()
    assert (promotion.code, promotion.reward_value) == ("ete", Decimal("15"))
    assert list(promotion.channels.all()) == [channel]
    change = reverse("admin:promotions_promotion_change", args=[promotion.pk])
    response = staff.post(change, promotion_form(priority="7", channels=[]))
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.priority == 7
    assert not promotion.channels.exists()


def test_promotion_refusal_is_shown_and_nothing_saved(staff: Client) -> None:
    url = reverse("admin:promotions_promotion_add")
    response = staff.post(
        url,
        promotion_form(reward_value="150"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A percentage must be above 0 and at most 100." in response.content.decode()
    assert not Promotion.objects.exists()


def test_coupon_add_normalises_and_refuses_taken_codes(staff: Client) -> None:
    promotion = CouponPromotionFactory.create()
    url = reverse("admin:promotions_coupon_add")
    data = {"promotion": promotion.pk, "code": "ete-2030", "usage_limit": "10", "is_active": "on"}
    assert staff.post(url, data).status_code == 302
    assert list(Coupon.objects.values_list("code", "usage_limit")) == [("ETE-2030", 10)]
    response = staff.post(url, data | {"code": "Ete-2030"})
    assert response.status_code == 200
    assert Coupon.objects.count() == 1


def test_generate_and_download_codes(staff: Client) -> None:
    promotion = CouponPromotionFactory.create()
    url = reverse("admin:promotions_coupon_generate")
    response = staff.post(
        url,
        {
            "promotion": promotion.pk,
            "count": "5",
            "code_prefix": "noel-",
            "length": "8",
            "usage_limit": "1",
            "per_customer_limit": "1",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="coupons-')
    rows = response.content.decode().splitlines()
    assert rows[0] == "code,batch,usage_limit,per_customer_limit,times_used"
    assert len(rows) == 6
    assert all(row.startswith("NOEL-") and row.endswith(",1,1,0") for row in rows[1:])
    assert Coupon.objects.count() == 5
    refused = staff.post(
        url, {"promotion": promotion.pk, "count": "2", "code_prefix": "a b", "length": "8"}
    )
    assert refused.status_code == 200
    assert Coupon.objects.count() == 5


def test_export_selected_codes(staff: Client) -> None:
    first, second = CouponFactory.create(code="AAA-1"), CouponFactory.create(code="BBB-2")
    response = staff.post(
        reverse("admin:promotions_coupon_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response.content.decode().splitlines()[1:] == ["AAA-1,,,,0", "BBB-2,,,,0"]


def test_a_used_coupon_is_not_deleted_from_the_admin(staff: Client, channel: Channel) -> None:
    coupon = CouponFactory.create(code="ETE2030")
    services.coupon_redeem(
        code="ETE2030",
        order_reference="CMD-1",
        email="a@b.fr",
        subtotal=Decimal(1),
        channel=channel,
    )
    url = reverse("admin:promotions_coupon_delete", args=[coupon.pk])
    # Its redemptions cannot be deleted (read-only), so Django refuses the deletion; the
    # service would too (COUPON_IN_USE).
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"post": "yes"}).status_code == 403
    assert Coupon.objects.filter(pk=coupon.pk).exists()
    unused = CouponFactory.create(code="LIBRE")
    url = reverse("admin:promotions_coupon_delete", args=[unused.pk])
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not Coupon.objects.filter(pk=unused.pk).exists()
