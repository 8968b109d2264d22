"""A small store for the wishlist tests: a B2C channel with a drill (one variant, 5 in
stock), a saw in two variants (3 in stock each), a lamp out of stock and a hidden product
(not published); Léa and Marc, two customers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.tests.factories import (
    ProductFactory,
    ProductVariantFactory,
    published_product,
)
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.storefront.tests.conftest import _stocked


@dataclass
class Store:
    channel: Channel
    drill: Product
    saw: Product
    lamp: Product
    hidden: Product
    lea: User
    marc: User

    def variant(self, product: Product, index: int = 0) -> ProductVariant:
        return product.variants.order_by("position", "id")[index]

    def sku(self, product: Product, index: int = 0) -> str:
        return str(self.variant(product, index).sku)


@pytest.fixture
def store(db: None) -> Store:
    channel = ChannelFactory.create()
    warehouse = WarehouseFactory.create(code="lyon", name="Entrep\u00f4t Lyon", priority=1)
    drill = _stocked(
        channel, warehouse, 5, price=Decimal("19.90"), slug="perceuse", name="Perceuse"
    )
    saw = _stocked(
        channel, warehouse, 3, price=Decimal("30.00"), variants=2, slug="scie", name="Scie"
    )
    lamp = published_product(channel=channel, price=Decimal("12.00"), slug="lampe", name="Lampe")
    hidden = ProductFactory.create(slug="secret", name="Secret")
    ProductVariantFactory.create(product=hidden, sku="SECRET-1")
    return Store(
        channel=channel,
        drill=drill,
        saw=saw,
        lamp=lamp,
        hidden=hidden,
        lea=UserFactory.create(email="lea@example.fr"),
        marc=UserFactory.create(email="marc@example.fr", first_name="Marc"),
    )
