"""sitemap.xml and robots.txt."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.catalog.models import Category, ProductChannelListing
from comptoir.storefront.tests.conftest import Shop

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


class TestSitemap:
    def test_index_lists_the_sections(self, client: Client, shop: Shop) -> None:
        response = client.get("/sitemap.xml")

        assert response.status_code == 200
        xml = response.content.decode()
        for section in ("pages", "categories", "products"):
            assert f"<loc>{SITE}/sitemap-{section}.xml</loc>" in xml

    def test_products_in_every_language_with_alternates(self, client: Client, shop: Shop) -> None:
        xml = client.get("/sitemap-products.xml").content.decode()

        assert f"<loc>{SITE}/p/perceuse-visseuse/</loc>" in xml
        assert f"<loc>{SITE}/en/p/perceuse-visseuse/</loc>" in xml
        assert (
            f'<xhtml:link rel="alternate" hreflang="en" href="{SITE}/en/p/perceuse-visseuse/"/>'
            in xml
        )
        assert (
            f'<xhtml:link rel="alternate" hreflang="x-default" href="{SITE}/p/perceuse-visseuse/"/>'
            in xml
        )
        assert "<lastmod>" in xml

    def test_unpublished_products_are_left_out(self, client: Client, shop: Shop) -> None:
        ProductChannelListing.objects.update(is_published=False)

        assert "perceuse-visseuse" not in client.get("/sitemap-products.xml").content.decode()

    def test_categories_and_home(self, client: Client, shop: Shop) -> None:
        xml = client.get("/sitemap-categories.xml").content.decode()
        assert f"<loc>{SITE}/c/outillage/</loc>" in xml
        assert f"<loc>{SITE}/en/c/perceuses/</loc>" in xml
        assert f"<loc>{SITE}/</loc>" in client.get("/sitemap-pages.xml").content.decode()

    def test_hidden_categories_are_left_out(self, client: Client, shop: Shop) -> None:
        Category.objects.filter(slug="outillage").update(is_active=False)
        from comptoir.catalog.selectors import category_tree_version_bump

        category_tree_version_bump()

        xml = client.get("/sitemap-categories.xml").content.decode()
        assert "outillage" not in xml
        assert "perceuses" not in xml  # under a hidden one

    def test_the_host_header_is_not_trusted(self, client: Client, shop: Shop) -> None:
        xml = client.get("/sitemap.xml", HTTP_HOST="evil.example.com").content.decode()

        assert "evil.example.com" not in xml

    def test_unknown_section_and_page(self, client: Client, shop: Shop) -> None:
        assert client.get("/sitemap-nope.xml").status_code == 404
        assert client.get("/sitemap-products.xml?p=99").status_code == 404
        assert client.get("/sitemap-products.xml?p=x").status_code == 404


class TestRobots:
    def test_rules_and_sitemap(self, client: Client, shop: Shop) -> None:
        response = client.get("/robots.txt")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "User-agent: *" in text
        for path in ("/cart/", "/en/cart/", "/checkout/", "/account/", "/search", "/api/"):
            assert f"Disallow: {path}\n" in text
        assert f"Sitemap: {SITE}/sitemap.xml" in text
        assert "Disallow: /p/" not in text


class TestSharing:
    def test_cards_and_share_links_without_trackers(self, client: Client, shop: Shop) -> None:
        html = client.get("/p/perceuse-visseuse/").content.decode()

        assert '<meta name="twitter:card" content="summary">' in html  # no picture
        assert '<meta property="og:type" content="product">' in html
        url = "http%3A//127.0.0.1%3A8000/p/perceuse-visseuse/"
        assert f'href="https://www.facebook.com/sharer/sharer.php?u={url}"' in html
        assert f'href="https://x.com/intent/post?url={url}&amp;text=Perceuse%20visseuse"' in html
        assert f'href="mailto:?subject=Perceuse%20visseuse&amp;body={url}"' in html
        assert 'rel="noopener noreferrer"' in html
        # nothing is loaded from the networks
        assert '<script src="https://' not in html
        assert "<iframe" not in html
