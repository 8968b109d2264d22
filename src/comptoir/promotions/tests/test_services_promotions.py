"""Promotion services: creation and changes with exact stored values, every inconsistent
input refused with its code and nothing changed, targets by ids or slugs, and the version
bump on commit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.tests.factories import CategoryFactory, ProductFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CustomerGroupFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.memo import cache_version
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.selectors.active import PROMOTIONS_VERSION_KEY
from comptoir.promotions.tests.factories import (
    CouponFactory,
    CouponPromotionFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db

JAN = datetime(2030, 1, 1, tzinfo=UTC)
FEB = datetime(2030, 2, 1, tzinfo=UTC)


def cart(**kwargs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "ete",
        "name": "Été",
        "kind": "cart",
        "reward_type": "percentage",
        "reward_value": Decimal("10"),
    }
    return base | kwargs


def test_create_stores_fields_and_targets_by_id_or_slug(channel: Channel) -> None:
    group = CustomerGroupFactory.create(code="pros")
    drill, saw = ProductFactory.create(slug="perceuse"), ProductFactory.create(slug="scie")
    tools = CategoryFactory.create(slug="outils")
    promotion = services.promotion_create(
        code="rentree",
        name="Rentrée",
        name_en="Back to school",
        kind="catalog",
        reward_type="fixed",
        reward_value=Decimal("5.00"),
        currency="EUR",
        starts_at=JAN,
        ends_at=FEB,
        priority=3,
        stacking="exclusive",
        channels=["boutique-france"],
        customer_groups=[group.pk],
        products=["perceuse", saw.pk],
        categories=[tools],
    )
    promotion.refresh_from_db()
    assert (promotion.code, promotion.kind, promotion.reward_type) == (
        "rentree",
        "catalog",
        "fixed",
    )
    assert promotion.reward_value == Decimal("5.00")
    assert (promotion.starts_at, promotion.ends_at, promotion.priority) == (JAN, FEB, 3)
    assert list(promotion.channels.all()) == [channel]
    assert list(promotion.customer_groups.all()) == [group]
    assert sorted(p.pk for p in promotion.products.all()) == sorted([drill.pk, saw.pk])
    assert list(promotion.categories.all()) == [tools]


def test_every_write_bumps_the_version_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = cache_version(PROMOTIONS_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        promotion = services.promotion_create(**cart())
    assert len(callbacks) == 1
    after_create = cache_version(PROMOTIONS_VERSION_KEY)
    assert after_create == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        services.promotion_update(promotion=promotion, priority=5)
    assert cache_version(PROMOTIONS_VERSION_KEY) == after_create + 1
    with django_capture_on_commit_callbacks(execute=True):
        services.promotion_delete(promotion=promotion)
    assert cache_version(PROMOTIONS_VERSION_KEY) == after_create + 2


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"reward_value": Decimal("0")}, "INVALID_PROMOTION", "reward_value"),
        ({"reward_value": Decimal("100.01")}, "INVALID_PROMOTION", "reward_value"),
        ({"reward_value": None}, "INVALID_PROMOTION", "reward_value"),
        ({"reward_type": "fixed", "reward_value": Decimal("5")}, "INVALID_PROMOTION", "currency"),
        (
            {"reward_type": "fixed", "reward_value": Decimal("-1"), "currency": "EUR"},
            "INVALID_PROMOTION",
            "reward_value",
        ),
        ({"currency": "eur"}, "INVALID_INPUT", "currency"),
        ({"reward_type": "buy_x_get_y", "buy_quantity": 2}, "INVALID_PROMOTION", "get_quantity"),
        ({"reward_type": "buy_x_get_y", "get_quantity": 1}, "INVALID_PROMOTION", "buy_quantity"),
        (
            {"kind": "catalog", "reward_type": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1},
            "INVALID_PROMOTION",
            "kind",
        ),
        ({"buy_quantity": 2}, "INVALID_PROMOTION", "buy_quantity"),
        (
            {"kind": "catalog", "reward_type": "free_shipping", "reward_value": None},
            "INVALID_PROMOTION",
            "kind",
        ),
        ({"reward_type": "free_shipping"}, "INVALID_PROMOTION", "reward_value"),
        ({"kind": "catalog", "requires_coupon": True}, "INVALID_PROMOTION", "requires_coupon"),
        ({"kind": "catalog", "min_subtotal": Decimal("50")}, "INVALID_PROMOTION", "min_subtotal"),
        ({"kind": "catalog", "min_quantity": 3}, "INVALID_PROMOTION", "min_quantity"),
        ({"min_subtotal": Decimal("0")}, "INVALID_PROMOTION", "min_subtotal"),
        ({"min_quantity": 0}, "INVALID_PROMOTION", "min_quantity"),
        ({"starts_at": FEB, "ends_at": JAN}, "INVALID_DATES", "ends_at"),
        ({"starts_at": JAN, "ends_at": JAN}, "INVALID_DATES", "ends_at"),
        ({"kind": "basket"}, "INVALID_INPUT", "kind"),
        ({"reward_type": "gift"}, "INVALID_INPUT", "reward_type"),
        ({"stacking": "both"}, "INVALID_INPUT", "stacking"),
        ({"code": "not a slug"}, "INVALID_INPUT", "code"),
        ({"name": ""}, "INVALID_INPUT", "name"),
        ({"name": "bad\x00"}, "INVALID_TEXT", "name"),
        ({"products": ["inconnu"]}, "PRODUCT_NOT_FOUND", "products"),
        ({"categories": [999999]}, "CATEGORY_NOT_FOUND", "categories"),
        ({"collections": ["nope"]}, "COLLECTION_NOT_FOUND", "collections"),
        ({"channels": ["nope"]}, "CHANNEL_NOT_FOUND", "channels"),
        ({"customer_groups": ["nope"]}, "GROUP_NOT_FOUND", "customer_groups"),
    ],
)
def test_create_refuses_bad_input(fields: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.promotion_create(**cart(**fields))
    assert caught.value.code == code
    assert field in caught.value.errors
    assert not Promotion.objects.exists()


def test_valid_edge_values() -> None:
    full = services.promotion_create(**cart(reward_value=Decimal("100")))
    bxgy = services.promotion_create(
        **cart(
            code="bxgy",
            reward_type="buy_x_get_y",
            reward_value=Decimal("100"),
            buy_quantity=2,
            get_quantity=1,
        )
    )
    shipping = services.promotion_create(
        **cart(
            code="port", reward_type="free_shipping", reward_value=None, min_subtotal=Decimal("60")
        )
    )
    assert (full.reward_value, bxgy.get_quantity, shipping.min_subtotal) == (
        Decimal("100"),
        1,
        Decimal("60"),
    )


def test_fixed_amount_in_another_currency_than_a_channel_is_refused(channel: Channel) -> None:
    swiss = ChannelFactory.create(code="suisse", currency="CHF")
    with pytest.raises(InvalidInput) as caught:
        services.promotion_create(
            **cart(
                reward_type="fixed",
                reward_value=Decimal("5"),
                currency="EUR",
                channels=[channel.code, swiss.code],
            )
        )
    assert caught.value.code == "CURRENCY_MISMATCH"
    assert not Promotion.objects.exists()
    promotion = services.promotion_create(
        **cart(reward_type="fixed", reward_value=Decimal("5"), currency="EUR", channels=[channel])
    )
    with pytest.raises(InvalidInput) as caught:
        services.promotion_update(promotion=promotion, channels=[swiss])
    assert caught.value.code == "CURRENCY_MISMATCH"
    assert list(promotion.channels.all()) == [channel]


def test_duplicate_code_and_external_ref_are_409() -> None:
    services.promotion_create(**cart(external_ref="erp-1"))
    with pytest.raises(Conflict) as caught:
        services.promotion_create(**cart(name="Autre"))
    assert caught.value.code == "PROMOTION_CODE_TAKEN"
    with pytest.raises(Conflict) as caught:
        services.promotion_create(**cart(code="autre", external_ref="erp-1"))
    assert caught.value.code == "EXTERNAL_REF_TAKEN"
    assert Promotion.objects.count() == 1


def test_update_changes_given_fields_and_replaces_targets() -> None:
    first, second = ProductFactory.create(), ProductFactory.create()
    promotion = services.promotion_create(**cart(products=[first]))
    services.promotion_update(
        promotion=promotion, name="Soldes", reward_value=Decimal("25"), products=[second.slug]
    )
    promotion.refresh_from_db()
    assert (promotion.name, promotion.reward_value, promotion.code) == (
        "Soldes",
        Decimal("25"),
        "ete",
    )
    assert list(promotion.products.all()) == [second]


def test_update_checks_the_whole_promotion_and_changes_nothing_when_refused() -> None:
    promotion = services.promotion_create(**cart(starts_at=JAN))
    with pytest.raises(InvalidInput) as caught:
        services.promotion_update(promotion=promotion, ends_at=JAN, name="Changé")
    assert caught.value.code == "INVALID_DATES"
    with pytest.raises(InvalidInput) as caught:
        services.promotion_update(promotion=promotion, kind="catalog", requires_coupon=True)
    assert caught.value.code == "INVALID_PROMOTION"
    with pytest.raises(InvalidInput) as caught:
        services.promotion_update(promotion=promotion, code="bad code")
    assert caught.value.code == "INVALID_INPUT"
    assert promotion.code == "ete"
    promotion.refresh_from_db()
    assert (promotion.name, promotion.ends_at, promotion.kind) == ("Été", None, "cart")


def test_a_promotion_with_coupons_keeps_needing_a_coupon() -> None:
    coupon = CouponFactory.create()
    with pytest.raises(InvalidInput) as caught:
        services.promotion_update(promotion=coupon.promotion, requires_coupon=False)
    assert caught.value.code == "INVALID_PROMOTION"
    assert "requires_coupon" in caught.value.errors


def test_delete_removes_unused_coupons_and_refuses_a_promotion_orders_used(
    channel: Channel,
) -> None:
    unused = CouponFactory.create()
    services.promotion_delete(promotion=unused.promotion)
    assert not Coupon.objects.exists()
    promotion = CouponPromotionFactory.create()
    coupon = CouponFactory.create(promotion=promotion)
    services.coupon_redeem(
        code=coupon.code,
        order_reference="CMD-1",
        email="lea@example.fr",
        subtotal=Decimal("10"),
        channel=channel,
    )
    with pytest.raises(Conflict) as caught:
        services.promotion_delete(promotion=promotion)
    assert caught.value.code == "PROMOTION_IN_USE"
    assert CouponRedemption.objects.count() == 1
    assert Promotion.objects.filter(pk=promotion.pk).exists()


def test_catalog_promotion_factory_is_valid() -> None:
    promotion = PromotionFactory.create()
    services.promotion_update(promotion=promotion, priority=1)
    assert promotion.priority == 1
