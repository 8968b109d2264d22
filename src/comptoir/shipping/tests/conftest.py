"""Fixtures shared by the shipping tests: the demo's two channels, a warehouse, and the
B2C zone "France" with a flat rate (free from 60.00), a weight-based method and a pick-up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.testing import Api, api_for
from comptoir.inventory.models import Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.shipping import services
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone


@dataclass
class France:
    zone: ShippingZone
    colissimo: ShippingMethod  # flat 4.90, free from 60.00
    chrono: ShippingMethod  # <= 1 kg 9.90, <= 5 kg 14.90, <= 30 kg 29.90
    pickup: ShippingMethod  # free


@pytest.fixture
def b2c() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def b2b() -> Channel:
    return B2BChannelFactory.create()


@pytest.fixture
def warehouse() -> Warehouse:
    return WarehouseFactory.create(code="lyon", name="Lyon")


@pytest.fixture
def france(b2c: Channel, warehouse: Warehouse) -> France:
    zone = services.shipping_zone_create(
        channel=b2c, name="France métropolitaine", countries=["FR", "MC"]
    )
    colissimo = services.shipping_method_create(
        zone=zone,
        code="colissimo",
        name="Colissimo",
        name_en="Colissimo (home)",
        description="À domicile",
        description_en="Home delivery",
        kind=ShippingKind.FLAT,
        price=Decimal("4.90"),
        free_over=Decimal("60.00"),
        delivery_days_min=2,
        delivery_days_max=3,
    )
    chrono = services.shipping_method_create(
        zone=zone,
        code="chronopost",
        name="Chronopost",
        kind=ShippingKind.WEIGHT,
        brackets=[(5000, "14.90"), (1000, "9.90"), (30000, "29.90")],
        delivery_days_min=1,
        delivery_days_max=1,
    )
    pickup = services.shipping_method_create(
        zone=zone,
        code="retrait",
        name="Retrait en magasin",
        name_en="In-store pick-up",
        kind=ShippingKind.PICKUP,
        pickup_warehouse=warehouse,
        delivery_days_min=0,
        delivery_days_max=1,
    )
    return France(zone=zone, colissimo=colissimo, chrono=chrono, pickup=pickup)


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())
