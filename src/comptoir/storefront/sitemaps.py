"""sitemap.xml: the products of the default channel, the categories and the home page, in
every language with their hreflang alternates (django.contrib.sitemaps), and robots.txt."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from comptoir.catalog.selectors import CategoryNode, published_listings
from comptoir.channels.selectors import channel_for_buyer
from comptoir.content.selectors import published_pages
from comptoir.core.errors import NotFound
from comptoir.storefront.shop import cached_category_tree

SITEMAP_CACHE_SECONDS = 3600


class _SiteSitemap(Sitemap):
    """URLs on the configured site (SITE_URL), never on the request's Host header."""

    i18n = True
    alternates = True
    x_default = True
    limit = 10_000

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"


class HomeSitemap(_SiteSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["storefront:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(_SiteSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        """The slugs of the visible categories (active, under active ones)."""
        slugs: list[str] = []

        def walk(nodes: list[CategoryNode]) -> None:
            for node in nodes:
                slugs.append(node.slug)
                walk(node.children)

        walk(cached_category_tree(settings.LANGUAGE_CODE))
        return slugs

    def location(self, item: str) -> str:
        return reverse("storefront:category", args=[item])


class ProductSitemap(_SiteSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Any] | list[Any]:
        try:
            channel = channel_for_buyer(code=None, business=False)
        except NotFound:
            return []
        return (
            published_listings(channel=channel)
            .order_by("product_id")
            .values("product__slug", "product__updated_at")
        )

    def location(self, item: dict[str, Any]) -> str:
        return reverse("storefront:product", args=[item["product__slug"]])

    def lastmod(self, item: dict[str, Any]) -> datetime:
        return item["product__updated_at"]


class ContentSitemap(_SiteSitemap):
    """The published content pages, each language at its own slug."""

    changefreq = "monthly"
    priority = 0.3

    def items(self) -> list[Any]:
        return list(published_pages())

    def location(self, item: Any) -> str:
        slug, _title = item.for_language(translation.get_language() or settings.LANGUAGE_CODE)
        return reverse("storefront:content_page", args=[slug])


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": HomeSitemap,
    "content": ContentSitemap,
    "categories": CategorySitemap,
    "products": ProductSitemap,
}


@require_safe
@cache_page(SITEMAP_CACHE_SECONDS)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """What crawlers may read: the catalogue, not the carts, checkouts, accounts, search
    results, API or admin."""
    private = ["/cart/", "/checkout/", "/account/", "/accounts/", "/orders/", "/search"]
    lines = ["User-agent: *"]
    for path in private:
        lines.append(f"Disallow: {path}")
        lines.extend(
            f"Disallow: /{code}{path}"
            for code, _name in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
        )
    lines += ["Disallow: /api/", "Disallow: /admin/", "Disallow: /_dev/", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}{reverse('sitemap_index')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_page(SITEMAP_CACHE_SECONDS)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index, each section page on SITE_URL (Django's index view would name the
    request's host)."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        url = f"{settings.SITE_URL}{reverse('sitemap_section', kwargs={'section': section})}"
        pages = sitemap_class().paginator.num_pages
        items.append(SitemapIndexItem(url, None))
        items.extend(SitemapIndexItem(f"{url}?p={page}", None) for page in range(2, pages + 1))
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )
