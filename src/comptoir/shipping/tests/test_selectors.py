"""shipping_options / shipping_option: which methods a parcel may use, at which price, under
which tax treatment; and the cost of a warm read (no query)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from comptoir.channels.models import Channel
from comptoir.companies.tests.factories import CompanyFactory
from comptoir.inventory import services as inventory
from comptoir.inventory.models import Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.records import Price
from comptoir.pricing.selectors.context import pricing_context
from comptoir.shipping import services
from comptoir.shipping.models import ShippingKind
from comptoir.shipping.records import ShippingOption
from comptoir.shipping.selectors import shipping_option, shipping_options, shipping_version_bump
from comptoir.shipping.tests.conftest import France
from comptoir.taxes.models import TaxClass
from comptoir.taxes.rules import Treatment

pytestmark = pytest.mark.django_db


def shopper(channel: Channel, country: str = "FR") -> PricingContext:
    return pricing_context(channel=channel, company=None, country=country)


def options(ctx: PricingContext, country: str = "FR", **kwargs: Any) -> list[ShippingOption]:
    kwargs.setdefault("goods_amount", 2000)
    kwargs.setdefault("weight_grams", 800)
    return shipping_options(ctx=ctx, country=country, **kwargs)


def by_code(found: list[ShippingOption]) -> dict[str, ShippingOption]:
    return {o.code: o for o in found}


# --- which methods -------------------------------------------------------------------------


def test_france_gets_its_zone_methods_in_position_order(b2c: Channel, france: France) -> None:
    found = options(shopper(b2c))

    assert [o.code for o in found] == ["colissimo", "chronopost", "retrait"]
    colissimo = found[0]
    assert colissimo == ShippingOption(
        method_id=france.colissimo.pk,
        code="colissimo",
        name="Colissimo",
        description="À domicile",
        kind="flat",
        price=Price(net=408, tax=82, gross=490),
        tax_rate=20_000,
        free=False,
        delivery_days_min=2,
        delivery_days_max=3,
        pickup_warehouse_id=None,
    )
    assert found[2].pickup_warehouse_id == france.pickup.pickup_warehouse_id


def test_country_is_read_upper_case_and_monaco_is_in_the_zone(b2c: Channel, france: France) -> None:
    assert [o.code for o in options(shopper(b2c), "fr")] == ["colissimo", "chronopost", "retrait"]
    assert len(options(shopper(b2c, "MC"), "MC")) == 3


def test_a_country_without_zone_has_no_options(b2c: Channel, france: France) -> None:
    assert options(shopper(b2c, "BE"), "BE") == []
    assert options(shopper(b2c, "CH"), "CH") == []
    assert options(shopper(b2c), "") == []


def test_options_are_per_channel(b2b: Channel, france: France) -> None:
    assert options(shopper(b2b)) == []


def test_same_position_sorts_by_price(b2c: Channel, france: France) -> None:
    services.shipping_method_update(method=france.colissimo, position=5)
    services.shipping_method_create(
        zone=france.zone, code="eco", name="Éco", kind="flat", price="3.50", position=5
    )
    services.shipping_method_update(method=france.chrono, position=5)
    shipping_version_bump()

    found = options(shopper(b2c))

    assert [o.code for o in found] == ["retrait", "eco", "colissimo", "chronopost"]


def test_inactive_zone_or_method_is_not_offered(b2c: Channel, france: France) -> None:
    services.shipping_method_update(method=france.chrono, is_active=False)
    shipping_version_bump()
    assert [o.code for o in options(shopper(b2c))] == ["colissimo", "retrait"]

    services.shipping_zone_update(zone=france.zone, is_active=False)
    shipping_version_bump()
    assert options(shopper(b2c)) == []


def test_pickup_at_an_inactive_warehouse_is_not_offered(
    b2c: Channel,
    france: France,
    warehouse: Warehouse,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert [o.code for o in options(shopper(b2c))] == ["colissimo", "chronopost", "retrait"]

    # Deactivated in inventory: the warehouses' version bump on commit makes the copy
    # stale at once (no shipping write, no minute to wait).
    with django_capture_on_commit_callbacks(execute=True):
        inventory.warehouse_update(warehouse=warehouse, is_active=False)

    assert [o.code for o in options(shopper(b2c))] == ["colissimo", "chronopost"]

    with django_capture_on_commit_callbacks(execute=True):
        inventory.warehouse_update(warehouse=warehouse, is_active=True)

    assert [o.code for o in options(shopper(b2c))] == ["colissimo", "chronopost", "retrait"]


# --- weight --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grams", "gross"),
    [(0, 990), (1000, 990), (1001, 1490), (5000, 1490), (5001, 2990), (30000, 2990)],
)
def test_weight_uses_the_smallest_bracket_that_holds_the_parcel(
    b2c: Channel, france: France, grams: int, gross: int
) -> None:
    chrono = by_code(options(shopper(b2c), weight_grams=grams))["chronopost"]

    assert chrono.price.gross == gross
    assert chrono.price.net + chrono.price.tax == gross


def test_too_heavy_for_every_bracket_is_not_offered(b2c: Channel, france: France) -> None:
    assert [o.code for o in options(shopper(b2c), weight_grams=30001)] == ["colissimo", "retrait"]


def test_min_and_max_weight_limit_any_method(b2c: Channel, france: France) -> None:
    services.shipping_method_update(
        method=france.colissimo, min_weight_grams=100, max_weight_grams=20000
    )
    shipping_version_bump()
    ctx = shopper(b2c)

    assert "colissimo" not in by_code(options(ctx, weight_grams=99))
    assert "colissimo" in by_code(options(ctx, weight_grams=100))
    assert "colissimo" in by_code(options(ctx, weight_grams=20000))
    assert "colissimo" not in by_code(options(ctx, weight_grams=20001))


# --- free shipping ---------------------------------------------------------------------------


def test_free_over_the_threshold(b2c: Channel, france: France) -> None:
    ctx = shopper(b2c)

    below = by_code(options(ctx, goods_amount=5999))["colissimo"]
    at = by_code(options(ctx, goods_amount=6000))["colissimo"]

    assert (below.price, below.free) == (Price(408, 82, 490), False)
    assert (at.price, at.free) == (Price(0, 0, 0), True)
    assert at.tax_rate == 20_000
    # Chronopost has no threshold.
    assert by_code(options(ctx, goods_amount=100_000))["chronopost"].price.gross == 990


def test_free_shipping_promotion_frees_every_method_but_a_priced_pickup(
    b2c: Channel, france: France
) -> None:
    services.shipping_method_update(method=france.pickup, price="2.00")
    shipping_version_bump()

    found = by_code(options(shopper(b2c), free_shipping=True))

    assert found["colissimo"].price == Price(0, 0, 0)
    assert found["chronopost"].price == Price(0, 0, 0)
    assert found["colissimo"].free
    assert found["chronopost"].free
    assert found["retrait"].price == Price(167, 33, 200)
    assert not found["retrait"].free


def test_pickup_is_free_unless_priced(b2c: Channel, france: France) -> None:
    pickup = by_code(options(shopper(b2c)))["retrait"]

    assert pickup.price == Price(0, 0, 0)
    assert pickup.free


# --- taxes -----------------------------------------------------------------------------------


def test_b2c_price_is_entered_gross_at_20_percent(b2c: Channel, france: France) -> None:
    colissimo = by_code(options(shopper(b2c)))["colissimo"]

    assert colissimo.price == Price(net=408, tax=82, gross=490)
    assert colissimo.tax_rate == 20_000


def test_b2c_distance_sale_takes_the_net_at_the_french_rate_then_adds_belgian_vat(
    b2c: Channel,
) -> None:
    zone = services.shipping_zone_create(channel=b2c, name="Belgique", countries=["BE"])
    services.shipping_method_create(
        zone=zone, code="bpost", name="bpost", kind="flat", price="4.90"
    )
    ctx = shopper(b2c, "BE")
    assert ctx.treatment is Treatment.DESTINATION

    bpost = options(ctx, "BE")[0]

    assert bpost.price == Price(net=408, tax=86, gross=494)
    assert bpost.tax_rate == 21_000


def test_method_tax_class_is_used(b2c: Channel, france: France) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    services.shipping_method_update(method=france.colissimo, tax_class=reduced)
    shipping_version_bump()

    colissimo = by_code(options(shopper(b2c)))["colissimo"]

    assert colissimo.price == Price(net=464, tax=26, gross=490)
    assert colissimo.tax_rate == 5_500


@pytest.fixture
def pro_zone(b2b: Channel, warehouse: Warehouse) -> None:
    zone = services.shipping_zone_create(
        channel=b2b, name="France et Belgique", countries=["FR", "BE"]
    )
    services.shipping_method_create(
        zone=zone,
        code="messagerie",
        name="Messagerie",
        kind="flat",
        price="15.00",
        free_over="500.00",
    )


def test_b2b_price_is_entered_net(b2b: Channel, pro_zone: None) -> None:
    company = CompanyFactory.create(country="FR", vat_number="FR40303265045")
    ctx = pricing_context(channel=b2b, company=company)
    assert ctx.treatment is Treatment.DOMESTIC

    messagerie = options(ctx, goods_amount=49_999)[0]
    free = options(ctx, goods_amount=50_000)[0]

    assert messagerie.price == Price(net=1500, tax=300, gross=1800)
    assert messagerie.tax_rate == 20_000
    assert free.price == Price(0, 0, 0)


def test_reverse_charge_is_zero_rated(b2b: Channel, pro_zone: None) -> None:
    company = CompanyFactory.create(country="BE", vat_number="BE0403019261")
    ctx = pricing_context(channel=b2b, company=company)
    assert ctx.treatment is Treatment.REVERSE_CHARGE

    messagerie = options(ctx, "BE")[0]

    assert messagerie.price == Price(net=1500, tax=0, gross=1500)
    assert messagerie.tax_rate == 0


def test_export_is_zero_rated_with_the_net_taken_out_at_the_entry_rate(b2c: Channel) -> None:
    zone = services.shipping_zone_create(channel=b2c, name="Suisse", countries=["CH"])
    services.shipping_method_create(
        zone=zone, code="poste", name="Poste", kind="flat", price="4.90"
    )
    ctx = shopper(b2c, "CH")
    assert ctx.treatment is Treatment.EXPORT

    poste = options(ctx, "CH")[0]

    assert poste.price == Price(net=408, tax=0, gross=408)
    assert poste.tax_rate == 0


# --- names, one option, cost -------------------------------------------------------------------


def test_names_follow_the_language(b2c: Channel, france: France) -> None:
    ctx = shopper(b2c)

    english = by_code(options(ctx, language="en"))
    assert english["colissimo"].name == "Colissimo (home)"
    assert english["colissimo"].description == "Home delivery"
    assert english["chronopost"].name == "Chronopost"  # no English name: the French one
    assert by_code(options(ctx, language="fr"))["retrait"].name == "Retrait en magasin"
    with translation.override("en"):
        assert by_code(options(ctx))["retrait"].name == "In-store pick-up"


def test_shipping_option_by_method_id(b2c: Channel, france: France) -> None:
    ctx = shopper(b2c)

    found = shipping_option(
        ctx=ctx, country="FR", goods_amount=6000, weight_grams=10, method_id=france.colissimo.pk
    )

    assert found is not None
    assert found.code == "colissimo"
    assert found.free
    too_heavy = shipping_option(
        ctx=ctx, country="FR", goods_amount=0, weight_grams=40_000, method_id=france.chrono.pk
    )
    assert too_heavy is None
    assert (
        shipping_option(
            ctx=ctx, country="BE", goods_amount=0, weight_grams=0, method_id=france.colissimo.pk
        )
        is None
    )
    assert (
        shipping_option(ctx=ctx, country="FR", goods_amount=0, weight_grams=0, method_id=0) is None
    )


def test_a_warm_read_costs_no_query(
    b2c: Channel, france: France, django_assert_num_queries: Any
) -> None:
    ctx = shopper(b2c)
    shipping_version_bump()
    with django_assert_num_queries(3):  # zones, methods, brackets
        cold = options(ctx)

    with django_assert_num_queries(0):
        warm = options(ctx)
        shipping_option(
            ctx=ctx, country="FR", goods_amount=0, weight_grams=0, method_id=france.chrono.pk
        )

    assert warm == cold


def test_a_committed_change_reaches_the_copy(
    b2c: Channel, france: France, django_capture_on_commit_callbacks: Any
) -> None:
    ctx = shopper(b2c)
    assert len(options(ctx)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.shipping_method_create(
            zone=france.zone, code="coursier", name="Coursier", kind="flat", price="19.00"
        )

    assert [o.code for o in options(ctx)][-1] == "coursier"


def test_only_active_zone_holding_the_country(b2c: Channel, france: France) -> None:
    other = WarehouseFactory.create(code="paris")
    zone = services.shipping_zone_create(
        channel=b2c, name="Belgique", countries=["BE"], is_active=True
    )
    services.shipping_method_create(
        zone=zone,
        code="retrait-bxl",
        name="Retrait",
        kind=ShippingKind.PICKUP,
        pickup_warehouse=other,
    )
    shipping_version_bump()

    assert [o.code for o in options(shopper(b2c, "BE"), "BE")] == ["retrait-bxl"]
