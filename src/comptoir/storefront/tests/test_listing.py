"""Listing pages: htmx grid partial, pagination, sorting and pinned query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.catalog.tests.factories import published_product
from comptoir.search.services import search_reindex_all
from comptoir.storefront.tests.conftest import Shop

pytestmark = pytest.mark.django_db

CARD_LINK = re.compile(r'<h3 class="card__name"><a href="/p/([^/]+)/">')


def slugs(html: str) -> list[str]:
    return CARD_LINK.findall(html)


def add_products(shop: Shop, count: int) -> None:
    for i in range(count):
        published_product(
            channel=shop.channel,
            category=shop.drills,
            slug=f"vis-{i:02d}",
            name=f"Vis {i:02d}",
            price=Decimal(100 - i),
        )


class TestHtmx:
    def test_htmx_request_gets_only_the_grid(self, client: Client, shop: Shop) -> None:
        response = client.get("/c/outillage/?sort=name", headers={"hx-request": "true"})

        assert response.status_code == 200
        html = response.content.decode().strip()
        assert html.startswith('<section id="product-grid"')
        assert html.endswith("</section>")
        assert "<html" not in html
        assert "<header" not in html
        assert "Perceuse visseuse" in html
        assert "HX-Request" in response.headers["Vary"]

    def test_history_restore_gets_the_whole_page(self, client: Client, shop: Shop) -> None:
        response = client.get(
            "/c/outillage/",
            headers={"hx-request": "true", "hx-history-restore-request": "true"},
        )

        assert "<html" in response.content.decode()

    def test_plain_request_gets_the_whole_page(self, client: Client, shop: Shop) -> None:
        html = client.get("/c/outillage/").content.decode()

        assert "<html" in html
        assert '<section id="product-grid"' in html
        assert 'hx-trigger="change" hx-target="#product-grid"' in html

    def test_search_grid_partial(self, client: Client, shop: Shop) -> None:
        search_reindex_all()
        response = client.get("/search?q=perceuse", headers={"hx-request": "true"})

        html = response.content.decode().strip()
        assert html.startswith('<section id="product-grid"')
        assert "Perceuse visseuse" in html


class TestPagination:
    def test_pages_of_24(self, client: Client, shop: Shop) -> None:
        add_products(shop, 29)  # 30 with the drill

        first = client.get("/c/outillage/").content.decode()
        second = client.get("/c/outillage/?page=2").content.decode()

        assert len(slugs(first)) == 24
        assert len(slugs(second)) == 6
        assert not set(slugs(first)) & set(slugs(second))
        assert '<a href="/c/outillage/?page=2" rel="next" hx-get="/c/outillage/?page=2">' in first
        assert '<a href="/c/outillage/" rel="prev" hx-get="/c/outillage/">' in second
        assert '<span aria-current="page">2</span>' in second
        assert "30 produits" in first
        assert "<title>Outillage \N{EN DASH} page 2 | Comptoir</title>" in second
        assert 'rel="canonical" href="http://127.0.0.1:8000/c/outillage/?page=2"' in second

    def test_page_links_keep_the_sort(self, client: Client, shop: Shop) -> None:
        add_products(shop, 29)

        html = client.get("/c/outillage/?sort=-price").content.decode()

        assert 'href="/c/outillage/?sort=-price&amp;page=2" rel="next"' in html

    @pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "999999999"])
    def test_bad_or_past_pages_are_404(self, client: Client, shop: Shop, page: str) -> None:
        add_products(shop, 29)

        assert client.get(f"/c/outillage/?page={page}").status_code == 404

    def test_single_page_has_no_pagination(self, client: Client, shop: Shop) -> None:
        html = client.get("/c/outillage/").content.decode()

        assert 'class="pagination"' not in html


class TestSort:
    def test_sort_by_price(self, client: Client, shop: Shop) -> None:
        add_products(shop, 3)  # 100, 99, 98 and the drill at 19.90

        html = client.get("/c/outillage/?sort=price").content.decode()

        assert slugs(html) == ["perceuse-visseuse", "vis-02", "vis-01", "vis-00"]
        assert '<option value="price" selected>' in html
        assert '<meta name="robots" content="noindex, follow">' in html

    def test_sort_by_name_descending(self, client: Client, shop: Shop) -> None:
        add_products(shop, 2)

        html = client.get("/c/outillage/?sort=-name").content.decode()

        assert slugs(html) == ["vis-01", "vis-00", "perceuse-visseuse"]

    def test_unknown_sort_is_ignored(self, client: Client, shop: Shop) -> None:
        add_products(shop, 2)

        response = client.get("/c/outillage/?sort=drop-table")

        assert response.status_code == 200
        assert slugs(response.content.decode()) == ["perceuse-visseuse", "vis-00", "vis-01"]


class TestQueryCount:
    def count_queries(self, client: Client, url: str) -> int:
        client.get(url)  # warm the navigation cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def test_category_page_is_constant(self, client: Client, shop: Shop) -> None:
        add_products(shop, 4)
        five = self.count_queries(client, "/c/outillage/")

        add_products_more = 19
        for i in range(add_products_more):
            published_product(channel=shop.channel, category=shop.drills, slug=f"clou-{i}")
        twenty_four = self.count_queries(client, "/c/outillage/")

        # count, page (the channel and the category subtree are kept in the process; a
        # visitor's prices come from the cards and the process's copies of tax rates and
        # promotions: see test_pricing_pages for a company buyer's)
        assert five == twenty_four == 2

    def test_category_page_in_english_is_constant(self, client: Client, shop: Shop) -> None:
        add_products(shop, 24)

        assert self.count_queries(client, "/en/c/outillage/") == 2

    def test_home_page(self, client: Client, shop: Shop) -> None:
        add_products(shop, 10)

        # the page of the featured products, then of the new arrivals, uncounted (the channel
        # is kept in the process, the best sellers in the cache)
        assert self.count_queries(client, "/") == 2
