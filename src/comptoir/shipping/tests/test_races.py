"""Concurrent zone writes (PostgreSQL): two requests putting the same country into active
zones of one channel at once; the channel row lock lets one of them through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.channels.models import Channel
from comptoir.core.testing import race
from comptoir.shipping import services
from comptoir.shipping.models import ShippingZone
from comptoir.shipping.services import zones

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_of_two_zones_gets_the_country(b2c: Channel, monkeypatch: Any) -> None:
    def create(name: str) -> Callable[[], Any]:
        return lambda: services.shipping_zone_create(channel=b2c, name=name, countries=["FR", "MC"])

    calls = [create("A"), create("B")]

    outcomes = race(monkeypatch, zones, "countries_parse", calls)

    assert sorted(outcomes) == ["COUNTRY_IN_ANOTHER_ZONE", "ok"]
    assert ShippingZone.objects.count() == 1


def test_zone_update_races_a_create(b2c: Channel, monkeypatch: Any) -> None:
    zone = services.shipping_zone_create(channel=b2c, name="Belgique", countries=["BE"])
    calls = [
        lambda: services.shipping_zone_update(
            zone=ShippingZone.objects.get(pk=zone.pk), countries=["BE", "LU"]
        ),
        lambda: services.shipping_zone_create(channel=b2c, name="Luxembourg", countries=["LU"]),
    ]

    outcomes = race(monkeypatch, zones, "countries_parse", calls)

    assert sorted(outcomes) == ["COUNTRY_IN_ANOTHER_ZONE", "ok"]
    holders = [z for z in ShippingZone.objects.all() if "LU" in z.countries]
    assert len(holders) == 1
