"""cart_promotions: automatic cart promotions and those unlocked by valid coupon codes, by
channel, customer group and time, with expanded targets, in a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.models import Collection
from comptoir.catalog.tests.factories import CategoryFactory, ProductFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CustomerGroupFactory
from comptoir.promotions.cart import CartLine, cart_discounts
from comptoir.promotions.selectors.cart import cart_promotions
from comptoir.promotions.services import promotion_update
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 15, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def codes(channel: Channel, **kwargs: Any) -> list[str]:
    found = cart_promotions(
        channel_id=channel.pk,
        customer_group_id=kwargs.pop("group", None),
        coupon_codes=kwargs.pop("coupons", ()),
        now=NOW,
    )
    return [p.code for p in found]


def test_automatic_cart_promotions_by_channel_group_and_time(channel: Channel) -> None:
    other = ChannelFactory.create(code="pro")
    group = CustomerGroupFactory.create()
    CartPromotionFactory.create(code="auto", priority=1)
    CartPromotionFactory.create(code="haut", priority=9)
    PromotionFactory.create(code="catalogue")
    CartPromotionFactory.create(code="inactive", is_active=False)
    CartPromotionFactory.create(code="futur", starts_at=NOW + DAY)
    CartPromotionFactory.create(code="fini", ends_at=NOW)
    CartPromotionFactory.create(code="ailleurs").channels.set([other])
    CartPromotionFactory.create(code="ici").channels.set([channel, other])
    CartPromotionFactory.create(code="groupe").customer_groups.set([group])
    CouponPromotionFactory.create(code="code-requis")
    assert codes(channel) == ["haut", "auto", "ici"]
    assert codes(channel, group=group.pk) == ["haut", "auto", "ici", "groupe"]
    assert codes(other) == ["haut", "auto", "ailleurs", "ici"]


def test_coupons_unlock_their_promotion_when_valid(channel: Channel) -> None:
    promotion = CouponPromotionFactory.create(code="ete")
    CouponFactory.create(promotion=promotion, code="ETE2030")
    CouponFactory.create(code="USE", usage_limit=1, times_used=1)
    CouponFactory.create(code="OFF", is_active=False)
    CouponFactory.create(code="TARD", valid_until=NOW)
    CouponFactory.create(code="TOT", valid_from=NOW + DAY)
    found = cart_promotions(
        channel_id=channel.pk,
        customer_group_id=None,
        coupon_codes=[" ete2030", "USE", "OFF", "TARD", "TOT", "INCONNU"],
        now=NOW,
    )
    assert [(p.code, p.coupon_code) for p in found] == [("ete", "ETE2030")]


def test_targets_are_expanded(channel: Channel, django_assert_num_queries: Any) -> None:
    tools = CategoryFactory.create()
    drills = CategoryFactory.create(parent=tools)
    direct, in_collection, in_archive = (ProductFactory.create() for _ in range(3))
    season = Collection.objects.create(slug="saison", name="Saison")
    season.products.set([in_collection])
    archive = Collection.objects.create(slug="archive", name="Archive", is_active=False)
    archive.products.set([in_archive])
    promotion = CartPromotionFactory.create(code="cible", applies_to_all=False)
    promotion.products.set([direct])
    promotion.categories.set([tools])
    promotion.collections.set([season, archive])
    CartPromotionFactory.create(code="tout")
    only_archive = CartPromotionFactory.create(code="archive", applies_to_all=False)
    only_archive.collections.set([archive])
    for _ in range(3):
        CartPromotionFactory.create()
    # coupons, promotions, the 5 target tables (one UNION ALL), collection products,
    # category parents
    with django_assert_num_queries(5):
        found = {
            p.code: p
            for p in cart_promotions(
                channel_id=channel.pk, customer_group_id=None, coupon_codes=["X1"], now=NOW
            )
        }
    target = found["cible"]
    assert target.product_ids == frozenset({direct.pk, in_collection.pk})
    assert target.category_ids == frozenset({tools.pk, drills.pk})
    assert found["tout"].product_ids is None
    # A promotion on an inactive collection only targets nothing, never the whole catalog.
    assert found["archive"].product_ids == frozenset()


def test_selected_promotions_feed_the_cart_computation(channel: Channel) -> None:
    CartPromotionFactory.create(
        code="seuil", reward_value=Decimal("10"), min_subtotal=Decimal("50")
    )
    promotions = cart_promotions(channel_id=channel.pk, customer_group_id=None, now=NOW)
    lines = [CartLine("A", 1, 1, 2, 3000, 6000)]
    [applied] = cart_discounts(lines=lines, promotions=promotions, currency="EUR")
    assert (applied.promotion_code, applied.amount) == ("seuil", 600)


def test_a_coupons_own_minimum_amount_counts_in_the_cart(channel: Channel) -> None:
    promotion = CouponPromotionFactory.create(code="cent", min_subtotal=Decimal("20.00"))
    CouponFactory.create(promotion=promotion, code="MIN100", min_subtotal=Decimal("100.00"))
    CouponFactory.create(promotion=promotion, code="MIN10", min_subtotal=Decimal("10.00"))
    (found,) = cart_promotions(
        channel_id=channel.pk, customer_group_id=None, coupon_codes=["MIN100"], now=NOW
    )
    assert found.min_subtotal == Decimal("100.00")
    (found,) = cart_promotions(
        channel_id=channel.pk, customer_group_id=None, coupon_codes=["MIN10"], now=NOW
    )
    assert found.min_subtotal == Decimal("20.00")


def test_automatic_promotions_come_from_the_process_copy(
    channel: Channel,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Without a code, a cart read costs no query for its promotions: the automatic ones
    are kept in the process until a promotion service commits a change."""
    auto = CartPromotionFactory.create(code="auto")
    assert codes(channel) == ["auto"]  # loads the copy
    CartPromotionFactory.create(code="cachee")  # no service: no bump, the copy stands
    with django_assert_num_queries(0):
        assert codes(channel) == ["auto"]
    with django_capture_on_commit_callbacks(execute=True):
        promotion_update(promotion=auto, is_active=False)
    assert codes(channel) == ["cachee"]
    # With a code, read from the database (coupons change with every order).
    CouponFactory.create(promotion=CouponPromotionFactory.create(code="ete"), code="ETE")
    assert codes(channel, coupons=["ETE"]) == ["cachee", "ete"]
