"""Listing filters: attribute facets with counts, price range, and their bad input."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.catalog.models import AttributeKind, Product, ProductAttributeValue
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    published_product,
)
from comptoir.storefront.tests.conftest import Shop

pytestmark = pytest.mark.django_db

CARD_LINK = re.compile(r'<h3 class="card__name"><a href="/p/([^/]+)/">')


@pytest.fixture
def colours(shop: Shop) -> Shop:
    """Three screws in "Perceuses": two red (12 and 30 EUR), one blue (50 EUR); one is
    cordless."""
    colour = AttributeFactory.create(slug="couleur", name="Couleur", kind=AttributeKind.CHOICE)
    red = AttributeChoiceFactory.create(attribute=colour, slug="rouge", value="Rouge")
    blue = AttributeChoiceFactory.create(attribute=colour, slug="bleu", value="Bleu", position=1)
    cordless = AttributeFactory.create(slug="sans-fil", name="Sans fil", kind=AttributeKind.BOOLEAN)
    for slug, choice, price in (("vis-a", red, 12), ("vis-b", red, 30), ("vis-c", blue, 50)):
        product = published_product(
            channel=shop.channel, category=shop.drills, slug=slug, name=slug, price=Decimal(price)
        )
        ProductAttributeValue.objects.create(product=product, attribute=colour, choice=choice)
        if slug == "vis-c":
            ProductAttributeValue.objects.create(
                product=product, attribute=cordless, value_boolean=True
            )
    return shop


def cards(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return sorted(CARD_LINK.findall(response.content.decode()))


class TestFacets:
    def test_values_with_counts(self, client: Client, colours: Shop) -> None:
        html = client.get("/c/perceuses/").content.decode()

        assert "<legend>Couleur</legend>" in html
        assert 'value="couleur:rouge"> Rouge <span class="muted">(2)</span>' in html
        assert 'value="couleur:bleu"> Bleu <span class="muted">(1)</span>' in html
        assert 'value="sans-fil:true"> Oui <span class="muted">(1)</span>' in html
        assert html.index("couleur:rouge") < html.index("couleur:bleu")  # choice order

    def test_english_labels(self, client: Client, colours: Shop) -> None:
        html = client.get("/en/c/perceuses/").content.decode()

        assert 'value="sans-fil:true"> Yes <span class="muted">(1)</span>' in html

    def test_filter_by_a_value(self, client: Client, colours: Shop) -> None:
        assert cards(client, "/c/perceuses/?attr=couleur:rouge") == ["vis-a", "vis-b"]
        assert cards(client, "/c/perceuses/?attr=couleur:rouge&attr=couleur:bleu") == [
            "vis-a",
            "vis-b",
            "vis-c",
        ]
        assert cards(client, "/c/perceuses/?attr=couleur:rouge&attr=sans-fil:true") == []

    def test_counts_follow_the_filters(self, client: Client, colours: Shop) -> None:
        html = client.get("/c/perceuses/?attr=couleur:bleu").content.decode()

        assert 'value="couleur:bleu" checked> Bleu' in html
        assert "couleur:rouge" not in html
        assert '<meta name="robots" content="noindex, follow">' in html

    def test_price_range(self, client: Client, colours: Shop) -> None:
        assert cards(client, "/c/perceuses/?price_min=20") == ["vis-b", "vis-c"]
        assert cards(client, "/c/perceuses/?price_min=20&price_max=40") == ["vis-b"]
        assert cards(client, "/c/perceuses/?price_max=12,00") == ["vis-a"]

    def test_pages_keep_the_filters(self, client: Client, colours: Shop) -> None:
        for i in range(30):
            published_product(
                channel=colours.channel, category=colours.drills, slug=f"z-{i}", price=Decimal(99)
            )

        html = client.get("/c/perceuses/?price_min=90&sort=name").content.decode()

        assert 'href="/c/perceuses/?price_min=90&amp;sort=name&amp;page=2"' in html

    def test_search_results_have_facets(self, client: Client, colours: Shop) -> None:
        from comptoir.search.services import search_reindex_all

        search_reindex_all()

        html = client.get("/search?q=vis&attr=couleur:rouge").content.decode()

        assert sorted(CARD_LINK.findall(html)) == ["vis-a", "vis-b"]
        assert 'value="couleur:rouge" checked> Rouge <span class="muted">(2)</span>' in html
        assert '<input type="hidden" name="q" value="vis">' in html


class TestBadFilters:
    @pytest.mark.parametrize(
        "query",
        [
            "attr=couleur:vert",
            "attr=inconnu:x",
            "attr=couleur",
            "price_min=abc",
            "price_min=-5",
            "price_max=1e999",
            "price_max=NaN",
            "price_min=%D9%A1%D9%A2",  # Arabic-Indic digits
        ],
    )
    def test_a_clear_400(self, client: Client, colours: Shop, query: str) -> None:
        response = client.get(f"/c/perceuses/?{query}")

        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="form-error" role="alert"' in html
        assert 'class="card"' not in html

    def test_the_search_page_too(self, client: Client, colours: Shop) -> None:
        assert client.get("/search?q=vis&price_min=x").status_code == 400

    def test_xss_in_a_filter_is_escaped(self, client: Client, colours: Shop) -> None:
        html = client.get("/c/perceuses/?attr=<script>alert(1)</script>:x").content.decode()

        assert "<script>alert(1)" not in html


class TestQueries:
    def test_a_cold_category_page_with_facets(self, client: Client, colours: Shop) -> None:
        client.get("/c/perceuses/")  # the process's copies of channels and categories
        cache.clear()
        client.get("/")  # the navigation back in the cache; facets and counts are not

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/c/perceuses/?attr=couleur:rouge").status_code == 200

        # The category subtree (its version went with the cache), then for the cards the
        # attribute lookup of the filter, count and page; for the facets the attribute lookup,
        # price bounds, product values, variant values and names.
        assert len(ctx.captured_queries) == 9


@pytest.fixture
def stocked(colours: Shop) -> Shop:
    """vis-a is in stock and rated 4.5 (3 reviews); vis-b has all its stock allocated and
    is rated 3; vis-c has stock only in an inactive warehouse and no reviews."""
    from comptoir.inventory.models import Stock
    from comptoir.inventory.tests.factories import WarehouseFactory
    from comptoir.reviews.models import ProductRating

    open_warehouse = WarehouseFactory.create()
    closed_warehouse = WarehouseFactory.create(is_active=False)
    products = {p.slug: p for p in Product.objects.filter(slug__in=["vis-a", "vis-b", "vis-c"])}
    for slug, warehouse, quantity, allocated in (
        ("vis-a", open_warehouse, 5, 1),
        ("vis-b", open_warehouse, 2, 2),
        ("vis-c", closed_warehouse, 9, 0),
    ):
        Stock.objects.create(
            warehouse=warehouse,
            variant=products[slug].variants.get(),
            quantity=quantity,
            quantity_allocated=allocated,
        )
    ProductRating.objects.create(product=products["vis-a"], count=3, average=Decimal("4.50"))
    ProductRating.objects.create(product=products["vis-b"], count=1, average=Decimal("3.00"))
    return colours


class TestStockAndRating:
    def test_counts(self, client: Client, stocked: Shop) -> None:
        html = client.get("/c/perceuses/").content.decode()

        assert 'name="in_stock" value="1"> En stock <span class="muted">(1)</span>' in html
        assert "4 étoiles et plus <span" in html
        counts = re.findall(r'name="rating" value="(\d)">.*?\((\d+)\)</span>', html)
        assert counts == [("4", "1"), ("3", "2"), ("2", "2"), ("1", "2")]

    def test_english(self, client: Client, stocked: Shop) -> None:
        html = client.get("/en/c/perceuses/").content.decode()

        assert "In stock <span" in html
        assert "1 star and up" in html
        assert "4 stars and up" in html

    def test_cards_say_which_products_are_out_of_stock(self, client: Client, stocked: Shop) -> None:
        for url in ("/c/perceuses/", "/"):
            html = client.get(url).content.decode()
            cards = {
                slug: card
                for card in html.split('<li class="card"')[1:]
                if (slug := re.search(r'href="/p/([^/]+)/"', card).group(1))  # type: ignore[union-attr]
            }

            assert "stock--out" not in cards["vis-a"]  # free stock
            assert "stock--out" in cards["vis-b"]  # all of it allocated
            assert "stock--out" in cards["vis-c"]  # only in an inactive warehouse

    def test_filters(self, client: Client, stocked: Shop) -> None:
        assert cards(client, "/c/perceuses/?in_stock=1") == ["vis-a"]
        assert cards(client, "/c/perceuses/?rating=3") == ["vis-a", "vis-b"]
        assert cards(client, "/c/perceuses/?rating=4") == ["vis-a"]
        assert cards(client, "/c/perceuses/?rating=3&in_stock=1") == ["vis-a"]
        assert "vis-c" in cards(client, "/c/perceuses/?in_stock=&rating=")

    def test_a_rating_choice_leaves_the_other_thresholds_counted(
        self, client: Client, stocked: Shop
    ) -> None:
        html = client.get("/c/perceuses/?rating=4").content.decode()

        assert 'name="rating" value="4" checked>' in html
        counts = re.findall(r'name="rating" value="(\d)"(?: checked)?>.*?\((\d+)\)</span>', html)
        assert counts == [("4", "1"), ("3", "2"), ("2", "2"), ("1", "2")]
        # The stock count follows the rating choice: among the 4-star products.
        assert 'value="1"> En stock <span class="muted">(1)</span>' in html
        assert '<details class="facets" open>' in html

    def test_stock_counts_follow_other_filters(self, client: Client, stocked: Shop) -> None:
        html = client.get("/c/perceuses/?attr=couleur:bleu").content.decode()

        assert "En stock" not in html  # no blue screw is in stock
        assert 'name="rating"' not in html  # nor rated

    def test_pages_keep_them(self, client: Client, stocked: Shop) -> None:
        for i in range(30):
            product = published_product(
                channel=stocked.channel, category=stocked.drills, slug=f"z-{i}", price=Decimal(9)
            )
            from comptoir.reviews.models import ProductRating

            ProductRating.objects.create(product=product, count=1, average=Decimal(5))

        html = client.get("/c/perceuses/?rating=4").content.decode()

        assert 'href="/c/perceuses/?rating=4&amp;page=2"' in html

    def test_the_sort_form_keeps_them(self, client: Client, stocked: Shop) -> None:
        from comptoir.search.services import search_reindex_all

        search_reindex_all()
        for url in ("/c/perceuses/?in_stock=1&rating=3", "/search?q=vis&in_stock=1&rating=3"):
            html = client.get(url).content.decode()
            sort_form = html.split('<div class="toolbar">', 1)[1].split("</form>", 1)[0]

            assert '<input type="hidden" name="in_stock" value="1">' in sort_form
            assert '<input type="hidden" name="rating" value="3">' in sort_form

    @pytest.mark.parametrize("query", ["in_stock=1", "rating=4"])
    def test_filtered_pages_are_not_indexed(
        self, client: Client, stocked: Shop, query: str
    ) -> None:
        html = client.get(f"/c/perceuses/?{query}").content.decode()

        assert '<meta name="robots" content="noindex, follow">' in html
        assert '<span class="badge">1</span>' in html

    def test_search_page(self, client: Client, stocked: Shop) -> None:
        from comptoir.search.services import search_reindex_all

        search_reindex_all()

        assert cards(client, "/search?q=vis&in_stock=1") == ["vis-a"]
        assert cards(client, "/search?q=vis&rating=3") == ["vis-a", "vis-b"]

    @pytest.mark.parametrize(
        "query", ["in_stock=maybe", "rating=5", "rating=0", "rating=abc", "rating=3.5"]
    )
    def test_bad_values_are_a_clear_400(self, client: Client, stocked: Shop, query: str) -> None:
        response = client.get(f"/c/perceuses/?{query}")

        assert response.status_code == 400
        assert 'class="form-error" role="alert"' in response.content.decode()

    def test_queries_stay_constant(self, client: Client, stocked: Shop) -> None:
        client.get("/c/perceuses/")
        cache.clear()
        client.get("/")

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/c/perceuses/?in_stock=1&rating=3").status_code == 200

        # The category subtree, count and page of cards, then the price bounds with the
        # stock and rating counts, product values, variant values and names: the stock and
        # rating conditions are subqueries of those statements, not statements of their own.
        assert len(ctx.captured_queries) == 7
