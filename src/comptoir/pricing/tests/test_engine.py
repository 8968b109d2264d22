"""The price engine end to end on the database: precedence, tiers, quantity rules,
promotions, taxes and treatments, with exact amounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.catalog.models import VariantChannelPrice
from comptoir.catalog.selectors.shared import shared_catalogs_warm
from comptoir.companies.selectors import buyers_version_bump
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.pricing.tests.scenario import World, build_world
from comptoir.promotions.models import Stacking
from comptoir.promotions.selectors.active import promotions_version_bump
from comptoir.promotions.tests.factories import PromotionFactory
from comptoir.taxes.rules import Treatment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def one(ctx: PricingContext, sku: str, quantity: int = 1) -> Any:
    (line,) = price_lines(ctx=ctx, lines=[(sku, quantity)])
    return line


def test_visitor_pays_the_tax_included_base_price(world: World) -> None:
    ctx = pricing_context(channel=world.b2c)
    line = one(ctx, "DRILL", 3)
    assert line.rule == "base"
    assert (line.unit.net, line.unit.tax, line.unit.gross) == (2000, 400, 2400)
    assert (line.total.net, line.total.tax, line.total.gross) == (6000, 1200, 7200)
    assert line.problem is None
    assert ctx.treatment is Treatment.DOMESTIC


def test_contract_list_beats_group_list_and_base(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert ctx.contract is not None
    assert ctx.contract.code == "contrat-martin"
    assert ctx.group is not None
    assert ctx.group.code == "pros"
    line = one(ctx, "DRILL")
    assert line.rule == "price_list:contrat-martin"
    assert (line.unit.net, line.unit.tax, line.unit.gross) == (1500, 300, 1800)
    # The variant the contract does not price falls back to the group list.
    assert one(ctx, "DRILL-XL", 6).rule == "price_list:pros"


def test_lowest_applicable_tier_for_the_quantity(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert one(ctx, "DRILL", 9).unit.net == 1500
    ten = one(ctx, "DRILL", 10)
    assert (ten.rule, ten.unit.net, ten.total.net, ten.total.tax) == ("tier:10", 1400, 14000, 2800)
    fifty = one(ctx, "DRILL", 75)
    assert (fifty.rule, fifty.unit.net) == ("tier:50", 1300)
    assert [s.rule for s in fifty.steps] == ["price_list:contrat-martin", "tier:50"]


def test_quantity_rules_of_the_list(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert one(ctx, "DRILL-XL", 4).problem == "QUANTITY_RULE"
    assert one(ctx, "DRILL-XL", 7).problem == "QUANTITY_RULE"
    ok = one(ctx, "DRILL-XL", 12)
    assert ok.problem is None
    assert ok.quantity_rule.increment == 6


def test_shopper_without_company_gets_base_prices(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.shopper)
    assert ctx.contract is None
    assert ctx.group is None
    assert one(ctx, "DRILL").rule == "base"


def test_expired_and_future_lists_do_not_apply(world: World) -> None:
    now = timezone.now()
    world.contract.valid_until = now - timedelta(days=1)
    world.contract.valid_from = now - timedelta(days=30)
    world.contract.save()
    buyers_version_bump()
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert ctx.contract is None
    assert one(ctx, "DRILL").rule == "price_list:pros"
    world.contract.valid_from = now + timedelta(days=1)
    world.contract.valid_until = None
    world.contract.save()
    buyers_version_bump()
    assert pricing_context(channel=world.b2b, user=world.buyer).contract is None


def test_reverse_charge_for_a_belgian_company(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.belge_buyer)
    assert ctx.treatment is Treatment.REVERSE_CHARGE
    line = one(ctx, "DRILL", 2)
    assert (line.total.net, line.total.tax, line.total.gross) == (4000, 0, 4000)
    assert line.tax_rate == 0


def test_export_and_destination_rates_for_consumers(world: World) -> None:
    swiss = pricing_context(channel=world.b2c, country="CH")
    assert swiss.treatment is Treatment.EXPORT
    line = one(swiss, "DRILL")
    # 24.00 tax-included at 20 %: the net is taken out, no VAT is charged.
    assert (line.unit.net, line.unit.tax, line.unit.gross) == (2000, 0, 2000)
    belgian = pricing_context(channel=world.b2c, country="BE")
    assert belgian.treatment is Treatment.DESTINATION
    line = one(belgian, "DRILL")
    assert (line.unit.net, line.unit.tax, line.unit.gross) == (2000, 420, 2420)


def test_catalog_promotion_and_net_price_lists(world: World) -> None:
    PromotionFactory.create(code="printemps", reward_value=Decimal("10"))
    promotions_version_bump()
    visitor = one(pricing_context(channel=world.b2c), "DRILL")
    assert visitor.rule == "promotion:printemps"
    assert (visitor.unit.gross, visitor.undiscounted_unit.gross) == (2160, 2400)
    buyer_ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert one(buyer_ctx, "DRILL", 10).unit.net == 1260  # tier 14.00 - 10 %
    world.contract.allows_promotions = False
    world.contract.save()
    buyers_version_bump()  # what the price list services do on commit
    net_only = pricing_context(channel=world.b2b, user=world.buyer)
    line = one(net_only, "DRILL", 10)
    assert (line.rule, line.unit.net, line.undiscounted_unit) == ("tier:10", 1400, None)


def test_stacking_exclusive_and_cumulative(world: World) -> None:
    PromotionFactory.create(code="a", reward_value=Decimal("10"), priority=5)
    PromotionFactory.create(
        code="b", reward_type="fixed", reward_value=Decimal("1"), currency="EUR", priority=1
    )
    PromotionFactory.create(
        code="x", reward_value=Decimal("50"), priority=3, stacking=Stacking.EXCLUSIVE
    )
    promotions_version_bump()
    line = one(pricing_context(channel=world.b2c), "DRILL")
    # a (10 %) then b (1.00): the exclusive one is skipped once another applies.
    assert [s.rule for s in line.steps] == ["base", "promotion:a", "promotion:b"]
    assert line.unit.gross == 2060


def test_unknown_and_unpublished_skus(world: World) -> None:
    ctx = pricing_context(channel=world.b2c)
    assert one(ctx, "NOPE").problem == "UNKNOWN_SKU"
    world.product.channel_listings.filter(channel=world.b2c).update(is_published=False)
    assert one(ctx, "DRILL").problem == "NOT_FOR_SALE"


def test_batch_is_one_query_per_chunk(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    with CaptureQueriesContext(connection) as queries:
        lines = price_lines(ctx=ctx, lines=[("DRILL", q) for q in range(1, 60)] + [("DRILL-XL", 6)])
    assert len(queries) == 1
    assert len(lines) == 60


def test_buyer_context_costs_two_queries(world: World) -> None:
    pricing_context(channel=world.b2c)  # loads the rate table and promotions (kept in memory)
    shared_catalogs_warm()  # and the shared catalogs' assignments
    with CaptureQueriesContext(connection) as queries:
        pricing_context(channel=world.b2b, user=world.buyer)
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        pricing_context(channel=world.b2c)
        pricing_context(channel=world.b2c, user=world.shopper)
    assert len(queries) == 1  # the shopper's (absent) company


def test_domestic_sales_use_the_sellers_rates_whatever_the_channels_country(
    world: World,
) -> None:
    # A tax-included channel whose prices are entered for Belgium (21 %), selling in France.
    world.b2c.default_country = "BE"
    world.b2c.save()
    VariantChannelPrice.objects.filter(variant=world.drill, channel=world.b2c).update(
        amount=Decimal("121.00")
    )
    line = one(pricing_context(channel=world.b2c, country="FR"), "DRILL")
    assert (line.unit.net, line.unit.tax, line.unit.gross) == (10000, 2000, 12000)
    assert line.tax_rate == 20_000


def test_zero_rated_lines_are_unit_times_quantity(world: World) -> None:
    VariantChannelPrice.objects.filter(variant=world.drill, channel=world.b2c).update(
        amount=Decimal("9.99")
    )
    ctx = pricing_context(channel=world.b2c, country="US")
    line = one(ctx, "DRILL", 3)
    assert line.unit.net == 832  # 9.99 less its VAT at 20 %: 1.665 -> 1.67 of tax
    assert line.total.net == 3 * line.unit.net
    assert line.total.tax == 0


def test_a_french_company_delivered_abroad_pays_french_vat(world: World) -> None:
    ctx = pricing_context(channel=world.b2b, user=world.buyer, country="BE")
    assert ctx.treatment is Treatment.DOMESTIC
    assert one(ctx, "DRILL").tax_rate == 20_000


def test_a_deactivated_buyer_gets_no_contract(world: World) -> None:
    world.buyer.is_active = False
    world.buyer.save()
    ctx = pricing_context(channel=world.b2b, user=world.buyer)
    assert ctx.company_id is None
    assert ctx.contract is None
    assert one(ctx, "DRILL").rule == "base"


def test_reverse_charge_needs_a_vies_checked_number_when_vies_is_on(
    world: World, settings: Any
) -> None:
    from comptoir.companies.models import Company, ViesStatus

    settings.COMPTOIR_VIES_CHECK = True
    assert pricing_context(channel=world.b2b, user=world.belge_buyer).treatment is (
        Treatment.DESTINATION
    )  # unchecked yet: Belgian VAT
    Company.objects.filter(pk=world.belge.pk).update(vies_status=ViesStatus.VALID)
    buyers_version_bump()
    assert pricing_context(channel=world.b2b, user=world.belge_buyer).treatment is (
        Treatment.REVERSE_CHARGE
    )
