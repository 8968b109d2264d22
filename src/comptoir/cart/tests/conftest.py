"""A priced world for the cart tests: the pricing scenario (B2C and B2B channels, the drill
and its XL variant, Atelier Martin with a contract list and tiers, the `pros` group list
selling the XL by 6, the Belgian Bois & Co under reverse charge), stock in one warehouse,
and shipping: in France, Belgium and Monaco a flat 4.90 (free from 80.00) and a pick-up;
on the business channel a flat 15.00 net (free from 500.00)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.cart import services
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductChannelListing, VariantChannelPrice
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.core.testing import ADMIN, Api, api_for, problem
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.pricing.tests.scenario import World, build_world
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone
from comptoir.shipping.selectors import shipping_version_bump

__all__ = ["ADMIN", "Api", "api_for", "problem"]

API = "/api/v1"


@dataclass
class Shop:
    world: World
    warehouse: Any
    colissimo: ShippingMethod
    pickup: ShippingMethod
    pro_delivery: ShippingMethod

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def sellable(channel: Any, *, sku: str, price: str, stock: int, warehouse: Any, **kw: Any) -> Any:
    """A one-variant product published in `channel` at `price`, with `stock` units."""
    product = ProductFactory.create(**kw)
    variant = ProductVariantFactory.create(product=product, sku=sku)
    VariantChannelPrice.objects.create(variant=variant, channel=channel, amount=Decimal(price))
    ProductChannelListing.objects.create(
        product=product, channel=channel, is_published=True, price_from=Decimal(price)
    )
    if stock:
        stock_receive(warehouse=warehouse, variant=variant, quantity=stock)
    return variant


@pytest.fixture
def shop() -> Shop:
    world = build_world()
    warehouse = WarehouseFactory.create()
    for variant in (world.drill, world.drill_xl):
        variant.weight_grams = 1500
        variant.save(update_fields=["weight_grams"])
        stock_receive(warehouse=warehouse, variant=variant, quantity=100)
    france = ShippingZone.objects.create(
        channel=world.b2c, name="France et voisins", countries=["FR", "BE", "MC"]
    )
    colissimo = ShippingMethod.objects.create(
        zone=france,
        code="colissimo",
        name="Colissimo",
        name_en="Parcel post",
        kind=ShippingKind.FLAT,
        price=Decimal("4.90"),
        free_over=Decimal("80.00"),
        position=1,
    )
    pickup = ShippingMethod.objects.create(
        zone=france,
        code="retrait",
        name="Retrait en magasin",
        kind=ShippingKind.PICKUP,
        price=Decimal("0"),
        pickup_warehouse=warehouse,
        position=2,
    )
    pro = ShippingZone.objects.create(channel=world.b2b, name="Pro", countries=["FR", "BE"])
    pro_delivery = ShippingMethod.objects.create(
        zone=pro,
        code="messagerie",
        name="Messagerie",
        kind=ShippingKind.FLAT,
        price=Decimal("15.00"),
        free_over=Decimal("500.00"),
    )
    shipping_version_bump()
    return Shop(
        world=world,
        warehouse=warehouse,
        colissimo=colissimo,
        pickup=pickup,
        pro_delivery=pro_delivery,
    )


ADDRESS = {
    "first_name": "Léa",
    "last_name": "Durand",
    "street_address_1": "12 rue des Lilas",
    "postal_code": "75011",
    "city": "Paris",
    "country": "FR",
    "phone": "06 12 34 56 78",
}


def ready(
    cart: Cart,
    shop: Shop,
    *,
    email: str = "lea@example.fr",
    method: str = "colissimo",
    **address: str,
) -> Cart:
    """Give a cart an address, an email and a shipping method (by code)."""
    cart = services.addresses_set(
        cart=cart, shipping_address={**ADDRESS, **address}, same_as_shipping=True, email=email
    )
    return services.shipping_method_set(cart=cart, code=method)


class Caller:
    """A client of the public cart API as a visitor, a bearer-token user or a session."""

    def __init__(self, client: Client, user: Any = None, *, session: bool = False) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if user is not None and session:
            client.force_login(user)
        elif user is not None:
            raw, _token = api_token_create(user=user)
            self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}/{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        import json

        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            f"{API}/{path}", data=data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("put", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{API}/{path}", headers=self.headers)
