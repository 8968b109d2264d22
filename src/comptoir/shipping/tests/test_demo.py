"""The demo's shipping data: what seed() creates, and that it is idempotent."""

from __future__ import annotations

import pytest

from comptoir.channels.models import Channel
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.pricing.records import Price
from comptoir.pricing.selectors.context import pricing_context
from comptoir.shipping.demo import seed
from comptoir.shipping.models import ShippingMethod, ShippingZone
from comptoir.shipping.selectors import shipping_options

pytestmark = pytest.mark.django_db


def methods(channel: Channel) -> dict[str, list[str]]:
    return {
        zone.name: list(zone.methods.order_by("position").values_list("code", flat=True))
        for zone in ShippingZone.objects.filter(channel=channel).order_by("id")
    }


def test_seed_creates_the_zones_and_is_idempotent(b2c: Channel, b2b: Channel) -> None:
    WarehouseFactory.create(code="lyon", name="Entrepôt de Lyon")

    assert seed() == 6
    assert seed() == 0

    assert methods(b2c) == {
        "France métropolitaine": ["colissimo", "chronopost", "retrait-magasin"],
        "Union européenne": ["international"],
    }
    assert methods(b2b) == {"France et Belgique": ["messagerie", "retrait-comptoir"]}
    chrono = ShippingMethod.objects.get(code="chronopost")
    assert list(chrono.brackets.values_list("up_to_grams", flat=True)) == [1000, 5000, 30000]
    europe = ShippingZone.objects.get(name="Union européenne")
    assert europe.countries == ["BE", "DE", "ES", "IT", "NL", "LU", "AT", "PT", "IE"]


def test_seed_skips_pickups_without_a_warehouse_and_adds_them_later(
    b2c: Channel, b2b: Channel
) -> None:
    assert seed() == 4
    assert not ShippingMethod.objects.filter(kind="pickup").exists()

    WarehouseFactory.create()
    assert seed() == 2
    assert ShippingMethod.objects.filter(kind="pickup").count() == 2


def test_seed_without_channels_does_nothing() -> None:
    assert seed() == 0
    assert not ShippingZone.objects.exists()


def test_demo_prices(b2c: Channel, b2b: Channel) -> None:
    seed()
    ctx = pricing_context(channel=b2c, company=None, country="FR")

    found = shipping_options(ctx=ctx, country="FR", goods_amount=6000, weight_grams=1200)

    assert [(o.code, o.price) for o in found] == [
        ("colissimo", Price(0, 0, 0)),
        ("chronopost", Price(1242, 248, 1490)),
    ]
