import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from comptoir.catalog.models import Category, CategoryTranslation, Product, ProductTranslation
from comptoir.catalog.tests.factories import CategoryFactory, published_product
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory.models import Warehouse
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.shipping.models import ShippingMethod, ShippingZone


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The navigation is cached per language; every test starts cold."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Shop:
    channel: Channel
    tools: Category
    drills: Category
    drill: Product


def translate_category(category: Category, name: str, description: str = "") -> None:
    CategoryTranslation.objects.create(
        category=category, language="en", name=name, description=description
    )


def translate_product(product: Product, name: str, description: str = "") -> None:
    ProductTranslation.objects.create(
        product=product, language="en", name=name, description=description
    )


@pytest.fixture
def shop(db: None) -> Shop:
    """A B2C channel, a category "Outillage" > "Perceuses" and one drill at 19.90 EUR."""
    channel = ChannelFactory.create()
    tools = CategoryFactory.create(slug="outillage", name="Outillage", description="<p>Outils</p>")
    translate_category(tools, "Tools", "<p>Tools for all</p>")
    drills = CategoryFactory.create(slug="perceuses", name="Perceuses", parent=tools)
    translate_category(drills, "Drills")
    drill = published_product(
        channel=channel,
        price=Decimal("19.90"),
        category=drills,
        slug="perceuse-visseuse",
        name="Perceuse visseuse",
        brand="Bosch",
        description="<p>Une perceuse <strong>solide</strong> &amp; légère.</p>",
    )
    translate_product(
        drill, "Cordless drill", "<p>A <strong>sturdy</strong> &amp; light drill.</p>"
    )
    return Shop(channel=channel, tools=tools, drills=drills, drill=drill)


# --- the buying path ---------------------------------------------------------------------


@dataclass
class Store:
    """A B2C store to buy in: a warehouse, Colissimo to France (4.90 TTC), a drill at
    19.90 (50 in stock), a saw in two variants at 30.00 and 31.00 (10 in stock each), a
    scarce lamp at 12.00 (1 in stock)."""

    channel: Channel
    warehouse: Warehouse
    colissimo: ShippingMethod
    drill: Product
    saw: Product
    lamp: Product

    def sku(self, product: Product, index: int = 0) -> str:
        return str(product.variants.order_by("position", "id")[index].sku)


def _stocked(channel: Channel, warehouse: Warehouse, quantity: int, **kwargs: Any) -> Product:
    product = published_product(channel=channel, **kwargs)
    for variant in product.variants.all():
        stock_receive(warehouse=warehouse, variant=variant, quantity=quantity)
    return product


@pytest.fixture
def store(db: None) -> Store:
    channel = ChannelFactory.create()
    warehouse = WarehouseFactory.create(code="lyon", name="Entrepôt Lyon", priority=1)
    zone = ShippingZone.objects.create(channel=channel, name="France", countries=["FR"])
    colissimo = ShippingMethod.objects.create(
        zone=zone, code="colissimo", name="Colissimo", kind="flat", price=Decimal("4.90")
    )
    category = CategoryFactory.create(slug="outillage", name="Outillage")
    drill = _stocked(
        channel,
        warehouse,
        50,
        price=Decimal("19.90"),
        slug="perceuse",
        name="Perceuse",
        category=category,
    )
    saw = _stocked(
        channel,
        warehouse,
        10,
        price=Decimal("30.00"),
        variants=2,
        slug="scie",
        name="Scie",
        category=category,
    )
    lamp = _stocked(
        channel,
        warehouse,
        1,
        price=Decimal("12.00"),
        slug="lampe",
        name="Lampe",
        category=category,
    )
    return Store(channel, warehouse, colissimo, drill, saw, lamp)


ADDRESS = {
    "first_name": "Léa",
    "last_name": "Durand",
    "street_address_1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
}
APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
THREE_DS = "4000 0025 0000 3155"


def add_to_cart(
    client: Client, store: Store, product: Product, quantity: int = 1, index: int = 0
) -> Any:
    return client.post(
        "/cart/add",
        {"sku": store.sku(product, index), "quantity": quantity, "product": product.slug},
    )


def checkout_data(client: Client, **fields: Any) -> dict[str, Any]:
    """What the checkout page's form would post: its hidden fields as rendered, a new
    delivery address, the billing address the same, the test card approved."""
    page = client.get("/checkout/")
    assert page.status_code == 200, page.content
    html = page.content.decode()
    data: dict[str, Any] = {
        "idempotency_key": hidden(html, "idempotency_key"),
        "reviewed_total": hidden(html, "reviewed_total"),
        "shipping_choice": "new",
        "billing_same": "on",
        "shipping_method": str(ShippingMethod.objects.get(code="colissimo").pk),
        "payment_method": "test_card",
        "card_number": APPROVED,
        "action": "place",
        **{f"shipping-{key}": value for key, value in ADDRESS.items()},
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)
