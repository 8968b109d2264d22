"""Product cards: what is listed, card fields, categories, pages, counts, query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comptoir.catalog.models import (
    AttributeKind,
    Category,
    ProductAttributeValue,
    ProductImage,
    ProductTranslation,
)
from comptoir.catalog.selectors import plain_excerpt, product_cards
from comptoir.catalog.selectors import products as products_selectors
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTranslationFactory,
    published_product,
)
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.errors import NotFound
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest

pytestmark = pytest.mark.django_db

PAGE = PageRequest(page=1, page_size=24)


def slugs(cards: list[Any]) -> list[str]:
    return [c.slug for c in cards]


# --- product cards ----------------------------------------------------------------------


def test_plain_excerpt() -> None:
    assert plain_excerpt("") == ""
    assert plain_excerpt("<p>Solide <b>&amp;</b>\n  léger</p><script>alert(1)</script>") == (
        "Solide & léger"
    )
    assert plain_excerpt("mot " * 100) == ("mot " * 40)[:159] + "…"
    assert len(plain_excerpt("x" * 500)) == 160


def test_cards_list_only_products_published_now_in_the_channel(channel: Any) -> None:
    now = timezone.now()
    visible = published_product(channel=channel, slug="visible")
    past = published_product(channel=channel, slug="deja-publie")
    past.channel_listings.update(published_at=now - timedelta(days=1))
    future = published_product(channel=channel, slug="futur")
    future.channel_listings.update(published_at=now + timedelta(days=1))
    hidden = published_product(channel=channel, slug="masque")
    hidden.channel_listings.update(is_published=False)
    published_product(channel=B2BChannelFactory(), slug="pro-seulement")
    ProductFactory(slug="non-liste")

    cards, count = product_cards(channel=channel, language="fr", page=PAGE)

    assert count == 2
    assert slugs(cards) == [visible.slug, past.slug]


def test_card_fields(channel: Any) -> None:
    product = published_product(
        channel=channel, slug="perceuse", name="Perceuse", brand="Bosch", variants=3
    )
    ProductTranslationFactory(product=product, name="Drill")
    ProductImage.objects.create(product=product, image="p/b.jpg", position=2)
    ProductImage.objects.create(product=product, image="p/a.jpg", thumbnail="p/a-t.jpg", position=1)
    bare = published_product(channel=channel, slug="sans-prix", name="Sans prix")
    bare.channel_listings.update(price_from=None)
    bare_image = ProductImage.objects.create(product=bare, image="p/c.jpg")

    cards, _count = product_cards(channel=channel, language="en", page=PAGE)

    first, second = cards
    assert first.id == product.id
    assert (first.name, first.brand) == ("Drill", "Bosch")
    assert first.category_slug == product.category.slug
    assert first.price == Money(Decimal("19.90"), "EUR")
    assert first.thumbnail_url == "/media/p/a-t.jpg"
    assert first.variant_count == 3
    assert second.name == "Sans prix"  # no English translation: the base name
    assert second.price is None
    assert second.thumbnail_url == f"/media/{bare_image.image.name}"
    assert second.variant_count == 1


def test_cards_leave_out_products_of_hidden_categories(channel: Any, tree: dict[str, Any]) -> None:
    # Given products in an inactive category and under it, in an active subcategory
    archive, below = Category.objects.get(slug="archive"), Category.objects.get(slug="sous-archive")
    published_product(channel=channel, category=tree["scies"], slug="scie", name="Scie sauteuse")
    published_product(channel=channel, category=archive, slug="rangee", name="Scie rangee")
    published_product(channel=channel, category=below, slug="dessous", name="Scie dessous")

    # when listed, searched or filtered, they are left out
    cards, count = product_cards(channel=channel, language="fr", page=PAGE)
    found, found_count = product_cards(channel=channel, language="en", page=PAGE, search="scie")
    sorted_cards, _n = product_cards(channel=channel, language="fr", page=PAGE, sort="-price")

    assert (count, slugs(cards)) == (1, ["scie"])
    assert (found_count, slugs(found)) == (1, ["scie"])
    assert slugs(sorted_cards) == ["scie"]


def test_cards_of_a_category_include_its_descendants(channel: Any, tree: dict[str, Any]) -> None:
    drill = published_product(channel=channel, category=tree["perceuses"], slug="perceuse")
    tool = published_product(channel=channel, category=tree["outillage"], slug="etabli")
    published_product(channel=channel, category=tree["maison"], slug="vase")

    cards, count = product_cards(
        channel=channel, language="fr", page=PAGE, category_slug="outillage"
    )

    assert (count, slugs(cards)) == (2, [drill.slug, tool.slug])
    with pytest.raises(NotFound) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, category_slug="inconnue")
    assert exc.value.code == "CATEGORY_NOT_FOUND"


def test_pages(channel: Any) -> None:
    for i in range(5):
        published_product(channel=channel, slug=f"p{i}")

    second, count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=2, page_size=2)
    )
    last, _count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=3, page_size=2)
    )
    beyond, beyond_count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=10**9, page_size=2)
    )

    assert (count, slugs(second), slugs(last)) == (5, ["p2", "p3"], ["p4"])
    assert (beyond, beyond_count) == ([], 5)


@pytest.mark.parametrize(
    ("sort", "language", "category"),
    [
        (None, "fr", None),
        ("name", "en", None),
        ("-name", "fr", None),
        ("price", "fr", None),
        ("-price", "en", "outillage"),
        ("newest", "fr", "outillage"),
        (None, "en", "outillage"),
    ],
)
def test_pages_follow_the_order_of_the_whole_list(
    channel: Any, tree: dict[str, Any], sort: str | None, language: str, category: str | None
) -> None:
    # Given products with equal and distinct names and prices, some unpriced, in and out of
    # the category, some in a hidden category
    archive = Category.objects.get(slug="archive")
    for i in range(9):
        product = published_product(
            channel=channel,
            slug=f"p{i}",
            name=f"Produit {i % 4}",
            category=tree["scies"] if i % 3 else tree["maison"],
        )
        product.channel_listings.update(price_from=None if i % 4 == 0 else f"{10 + i % 3}.00")
        ProductTranslation.objects.create(product=product, language="en", name=f"Item {8 - i}")
    published_product(channel=channel, slug="cache", category=archive)

    def page(number: int, size: int) -> list[str]:
        cards, _count = product_cards(
            channel=channel,
            language=language,
            page=PageRequest(page=number, page_size=size),
            category_slug=category,
            sort=sort,
        )
        return slugs(cards)

    # when read two by two, then the pages are the whole list's, cut
    whole = page(1, 24)
    assert [slug for n in range(1, 6) for slug in page(n, 2)] == whole
    assert len(whole) == (6 if category else 9)


@pytest.mark.parametrize(
    "name", ["p/a.jpg", "p/é è.jpg", "p/a#b?c;d:e%f.jpg", "/p/x.jpg", "p/.x/../y.jpg", "p\\z.jpg"]
)
def test_media_url_is_the_storage_url(name: str, settings: Any) -> None:
    from django.core.files.storage import default_storage

    assert products_selectors.media_url(name) == default_storage.url(name)
    settings.MEDIA_URL = "https://cdn.example.com/m/"
    assert products_selectors.media_url(name) == default_storage.url(name)
    assert str(products_selectors.media_url(name)).startswith("https://cdn.example.com/m/")
    assert products_selectors.media_url("") is None


def test_large_counts_are_cached_small_ones_are_exact(
    channel: Any, clean_cache: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(products_selectors, "COUNT_CACHE_MIN", 3)
    for i in range(3):
        published_product(channel=channel, slug=f"p{i}")
    _cards, first = product_cards(channel=channel, language="fr", page=PAGE)
    published_product(channel=channel, slug="p3")

    cards, cached = product_cards(channel=channel, language="fr", page=PAGE)
    settings.COMPTOIR_CATALOG_COUNT_CACHE_SECONDS = 0
    _cards, fresh = product_cards(channel=channel, language="fr", page=PAGE)

    assert (first, cached, fresh) == (3, 3, 4)
    assert len(cards) == 4  # the page itself is always read fresh


def test_small_counts_are_not_cached(channel: Any, clean_cache: None) -> None:
    published_product(channel=channel, slug="p0")
    _cards, first = product_cards(channel=channel, language="fr", page=PAGE)
    published_product(channel=channel, slug="p1")

    _cards, second = product_cards(channel=channel, language="fr", page=PAGE)

    assert (first, second) == (1, 2)


@pytest.mark.parametrize("page_size", [5, 48])
def test_card_queries_do_not_grow_with_the_page(
    channel: Any, django_assert_num_queries: Any, page_size: int
) -> None:
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", variants=2)
        ProductTranslation.objects.create(product=product, language="en", name=f"P{i}")
        ProductImage.objects.create(product=product, image=f"p/{i}.jpg")
    page = PageRequest(page=1, page_size=page_size)
    archive: Any = CategoryFactory(slug="archive", is_active=False)
    published_product(channel=channel, slug="hidden", category=archive)

    with django_assert_num_queries(2):  # count + page, hidden categories excluded in both
        cards, _count = product_cards(channel=channel, language="en", page=page, sort="name")
    assert len(cards) == page_size
    assert all(c.thumbnail_url and c.variant_count == 2 for c in cards)


@pytest.mark.parametrize("page_size", [5, 48])
def test_filtered_card_queries_do_not_grow_with_the_page(
    channel: Any, tree: dict[str, Any], django_assert_num_queries: Any, page_size: int
) -> None:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge")
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", category=tree["scies"])
        ProductAttributeValue.objects.create(product=product, attribute=color, choice=red)

    def cards() -> tuple[list[Any], int]:
        return product_cards(
            channel=channel,
            language="fr",
            page=PageRequest(page=1, page_size=page_size),
            category_slug="outillage",
            attributes=["couleur:rouge"],
            search="produit",
        )

    # categories + attributes + count + page, then the category tree is kept in the process
    with django_assert_num_queries(4):
        cold = cards()
    with django_assert_num_queries(3):
        warm = cards()
    assert (len(cold[0]), cold[1]) == (page_size, 50)
    assert warm == cold
