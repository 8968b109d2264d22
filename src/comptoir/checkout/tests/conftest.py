"""A small shop to check out in: a B2C channel, a warehouse, products with stock, a
shipping zone with a flat method, and carts filled through the ORM (the cart API has its
own tests)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from comptoir.cart.models import Cart, CartLine
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory.models import Stock, StockMovement, Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.shipping.models import ShippingMethod, ShippingZone

ADDRESS = {
    "first_name": "Léa",
    "last_name": "Durand",
    "company_name": "",
    "street_address_1": "12 rue de la Paix",
    "street_address_2": "",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "phone": "",
}
APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
THREE_DS = "4000002500003155"
TIMEOUT_AFTER_CHARGE = "4000000000000119"


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def warehouse(channel: Channel) -> Warehouse:
    return WarehouseFactory.create(code="paris", name="Paris", priority=1)


@pytest.fixture
def shipping(channel: Channel) -> ShippingMethod:
    zone = ShippingZone.objects.create(channel=channel, name="France", countries=["FR"])
    return ShippingMethod.objects.create(
        zone=zone, code="colissimo", name="Colissimo", kind="flat", price=Decimal("4.90")
    )


def stock(variant: ProductVariant, warehouse: Warehouse, quantity: int) -> Stock:
    row = Stock.objects.create(warehouse=warehouse, variant=variant, quantity=quantity)
    StockMovement.objects.create(stock=row, kind="receipt", quantity=quantity)
    return row


@pytest.fixture
def variants(channel: Channel, warehouse: Warehouse) -> list[ProductVariant]:
    """Five products at 10.00, 11.00 ... 14.00 EUR TTC, 100 in stock each."""
    found = []
    for i in range(5):
        product = published_product(channel=channel, price=Decimal(10 + i), slug=f"p{i}")
        variant = product.variants.get()
        stock(variant, warehouse, 100)
        found.append(variant)
    return found


@pytest.fixture
def make_cart(channel: Channel, shipping: ShippingMethod) -> Callable[..., Cart]:
    def make(lines: list[tuple[ProductVariant, int]], *, user: Any = None, **fields: Any) -> Cart:
        cart = Cart.objects.create(
            channel=channel,
            user=user,
            **{
                "email": "lea@example.fr",
                "language": "fr",
                "shipping_address": ADDRESS,
                "billing_address": ADDRESS,
                "shipping_method": shipping,
                **fields,
            },
        )
        for variant, quantity in lines:
            CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
        return cart

    return make
