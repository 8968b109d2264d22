from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache

from comptoir.catalog.models import Category, CategoryTranslation, Product, ProductTranslation
from comptoir.catalog.tests.factories import CategoryFactory, published_product
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory


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
