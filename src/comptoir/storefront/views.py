"""Storefront pages: home, category, product and search, server-rendered.

Views parse the request, call catalog selectors and the price engine (the caller's prices:
visitor, shopper or company buyer) and render; htmx requests to listing pages get only the
`product-grid` partial. Everything works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from comptoir.catalog.selectors import (
    SORTS,
    CategoryNode,
    CategoryRef,
    ProductCard,
    ProductDetail,
    category_get,
    plain_excerpt,
    product_cards,
    product_detail,
)
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.storefront.context_processors import SEARCH_MAX_LENGTH
from comptoir.storefront.forms import AddToCartForm
from comptoir.storefront.prices import PricedCard, ProductOffer, priced_cards, product_offer
from comptoir.storefront.reviews_display import PostedForms, aggregate_rating, reviews_block
from comptoir.storefront.shop import (
    LANGUAGE_PARAM,
    absolute_url,
    cached_category_tree,
    category_path,
    current_channel,
    current_language,
    current_pricing,
    language_codes,
    seo_links,
)
from comptoir.storefront.templatetags.storefront import babel_locale, money

HOME_PRODUCTS = 8
LISTING_PAGE_SIZE = 24
MAX_SEARCH_WORDS = 8


def _sort_options() -> list[tuple[str, str]]:
    labels = {
        "": _("Our selection"),
        "price": _("Price: low to high"),
        "-price": _("Price: high to low"),
        "name": _("Name: A to Z"),
        "-name": _("Name: Z to A"),
        "newest": pgettext("sort", "Newest"),
    }
    return [(value, labels.get(value, value)) for value in ("", *SORTS)]


def with_page_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Honour `?lang=fr|en`: each language of a page has its own URL, which the hreflang
    alternates point at. Without it the language comes from the cookie or Accept-Language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wanted = request.GET.get(LANGUAGE_PARAM)
        if wanted not in language_codes() or wanted == translation.get_language():
            return view(request, *args, **kwargs)
        with translation.override(wanted):
            request.LANGUAGE_CODE = wanted
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = wanted
        return response

    return wrapped


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:  # isdigit(): no sign, no spaces
        raise Http404(_("No such page."))
    return int(raw)


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "")
    return sort if sort in SORTS else ""


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int | None
    url: str = ""
    current: bool = False


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int
    pages: list[PageLink]
    previous: str | None
    next: str | None


def _pagination(*, path: str, query: dict[str, str], number: int, count: int) -> Pagination:
    """Numbered links around the current page, with the first and last always shown."""
    last = max(1, -(-count // LISTING_PAGE_SIZE))

    def url(page: int) -> str:
        params = {k: v for k, v in query.items() if v}
        if page > 1:
            params["page"] = str(page)
        return f"{path}?{urlencode(params)}" if params else path

    shown = sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)})
    pages: list[PageLink] = []
    for i, page in enumerate(shown):
        if i and page - shown[i - 1] > 1:
            pages.append(PageLink(number=None))
        pages.append(PageLink(number=page, url=url(page), current=page == number))
    return Pagination(
        number=number,
        pages=pages,
        previous=url(number - 1) if number > 1 else None,
        next=url(number + 1) if number < last else None,
    )


def _listing(
    request: HttpRequest,
    channel: Channel | None,
    *,
    category_slug: str | None = None,
    search: str | None = None,
) -> tuple[list[PricedCard], int, Pagination, str]:
    """One page of cards, priced for the caller, for a listing page; 404 for a page past the
    end."""
    number = _page_number(request)
    sort = _sort(request)
    cards: list[ProductCard] = []
    count = 0
    if channel is not None:
        cards, count = product_cards(
            channel=channel,
            language=current_language(),
            page=PageRequest(page=number, page_size=LISTING_PAGE_SIZE),
            category_slug=category_slug,
            search=search,
            sort=sort or None,
        )
    if number > 1 and not cards:
        raise Http404(_("No such page."))
    query = {"q": search or "", "sort": sort}
    pagination = _pagination(path=request.path, query=query, number=number, count=count)
    return priced_cards(current_pricing(request), cards), count, pagination, sort


def _render_listing(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or only its product grid for htmx swaps (not for history restores,
    which need the whole page)."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = f"{template}#product-grid"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@with_page_language
def home(request: HttpRequest) -> HttpResponse:
    channel = current_channel(request)
    cards: list[ProductCard] = []
    if channel is not None:
        cards, _count = product_cards(
            channel=channel,
            language=current_language(),
            page=PageRequest(page=1, page_size=HOME_PRODUCTS),
        )
    context = {"cards": priced_cards(current_pricing(request), cards)}
    return render(request, "storefront/home.html", context)


def _category_node(slug: str, language: str) -> CategoryNode:
    """From the cached tree when it knows the slug, else from the database."""

    def find(nodes: list[CategoryNode]) -> CategoryNode | None:
        for node in nodes:
            if node.slug == slug:
                return node
            found = find(node.children)
            if found is not None:
                return found
        return None

    node = find(cached_category_tree(language))
    if node is not None:
        return node
    try:
        return category_get(slug=slug, language=language)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@require_safe
@with_page_language
def category(request: HttpRequest, slug: str) -> HttpResponse:
    language = current_language()
    node = _category_node(slug, language)
    channel = current_channel(request)
    try:
        cards, count, pagination, sort = _listing(request, channel, category_slug=node.slug)
    except NotFound as exc:  # deactivated since the tree was cached
        raise Http404(exc.detail) from exc
    breadcrumb = category_path(language, node.id) or [node]
    query: dict[str, str | int] = {"page": pagination.number} if pagination.number > 1 else {}
    context = {
        "category": node,
        "meta_description": node.seo_description or plain_excerpt(node.description) or node.name,
        "breadcrumb": breadcrumb,
        "current_category_slug": breadcrumb[0].slug,
        "current_category_is_page": len(breadcrumb) == 1,
        "cards": cards,
        "count": count,
        "pagination": pagination,
        "sort": sort,
        "sort_options": _sort_options(),
        "seo": seo_links(path=request.path, language=language, query=query, noindex=bool(sort)),
    }
    return _render_listing(request, "storefront/category.html", context)


def _product_jsonld(product: ProductDetail, offer: ProductOffer, url: str) -> dict[str, Any]:
    """schema.org Product with one Offer per variant priced for the caller (a visitor gets the
    public prices), as the page shows them: tax-included on a B2C channel, excluded on B2B."""
    offers = [
        {
            "@type": "Offer",
            "sku": variant.variant.sku,
            "price": variant.price.amount.as_str(),
            "priceCurrency": variant.price.amount.currency,
            "priceSpecification": {
                "@type": "UnitPriceSpecification",
                "price": variant.price.amount.as_str(),
                "priceCurrency": variant.price.amount.currency,
                "valueAddedTaxIncluded": variant.price.includes_tax,
            },
            "availability": "https://schema.org/InStock"
            if variant.variant.in_stock
            else "https://schema.org/OutOfStock",
            "url": url,
        }
        for variant in offer.variants
        if variant.price is not None
    ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "image": [absolute_url(image.url) for image in product.images],
        "category": product.category.name,
    }
    if product.variants:
        data["sku"] = product.variants[0].sku
        gtin = product.variants[0].gtin
        if gtin:
            data["gtin"] = gtin
    if product.seo_description:
        data["description"] = product.seo_description
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if len(offers) == 1:
        data["offers"] = offers[0]
    elif offers:
        prices = [v.price.amount for v in offer.variants if v.price is not None]
        data["offers"] = {
            "@type": "AggregateOffer",
            "priceCurrency": offer.currency,
            "lowPrice": min(prices, key=lambda m: m.amount).as_str(),
            "highPrice": max(prices, key=lambda m: m.amount).as_str(),
            "offerCount": len(offers),
            "offers": offers,
        }
    return data


@require_safe
@with_page_language
def product(request: HttpRequest, slug: str) -> HttpResponse:
    return product_page(request, slug)


def product_page(
    request: HttpRequest,
    slug: str,
    *,
    form: AddToCartForm | None = None,
    reviews: PostedForms | None = None,
    status: int = 200,
) -> HttpResponse:
    """The product page, with its add-to-cart form (bound, with its errors, when adding
    failed) and its reviews and questions (`reviews`: a review, question or answer form
    posted back with its errors)."""
    language = current_language()
    channel = current_channel(request)
    if channel is None:
        raise Http404(_("No product is sold here yet."))
    try:
        detail = product_detail(channel=channel, language=language, slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    ctx = current_pricing(request)
    if ctx is None:  # cannot happen: there is a channel
        raise Http404(_("No product is sold here yet."))
    offer = product_offer(ctx, detail, locale=babel_locale(language))
    seo = seo_links(path=request.path, language=language)
    breadcrumb: list[CategoryNode] | list[CategoryRef] = category_path(
        language, detail.category.id
    ) or [detail.category]
    reviews_section = reviews_block(request, detail.id, reviews)
    product_jsonld = _product_jsonld(detail, offer, seo.canonical)
    if reviews_section.summary.count:
        product_jsonld["aggregateRating"] = aggregate_rating(reviews_section.summary)
    context = {
        "product": detail,
        "offer": offer,
        "breadcrumb": breadcrumb,
        "current_category_slug": breadcrumb[0].slug,
        "seo": seo,
        "meta_description": detail.seo_description
        or plain_excerpt(detail.description)
        or detail.name,
        "og_image": absolute_url(detail.images[0].url) if detail.images else "",
        "product_jsonld": product_jsonld,
        "cart_form": _with_variants(form or _add_to_cart_form(offer, detail), offer),
        "reviews": reviews_section,
    }
    return render(request, "storefront/product.html", context, status=status)


def _with_variants(form: AddToCartForm, offer: ProductOffer) -> AddToCartForm:
    choices = []
    for item in offer.variants:
        if item.price is None:
            continue
        label = f"{item.variant.name or item.variant.sku} ({money(item.price.amount)})"
        if not item.variant.in_stock:
            label = _("%(variant)s (out of stock)") % {"variant": label}
        choices.append((item.variant.sku, label))
    form.variants_offer(choices)
    return form


def _add_to_cart_form(offer: ProductOffer, detail: ProductDetail) -> AddToCartForm:
    """The blank form: the first buyable variant, at its minimum quantity."""
    buyable = [item for item in offer.variants if item.price is not None]
    first = buyable[0] if buyable else None
    return AddToCartForm(
        initial={
            "sku": first.variant.sku if first else "",
            "quantity": first.minimum if first else 1,
            "product": detail.slug,
        }
    )


def _search_text(request: HttpRequest) -> str:
    """The query as the selector accepts it: bounded length and number of words."""
    raw = request.GET.get("q", "").replace("\x00", "")[:SEARCH_MAX_LENGTH]
    return " ".join(raw.split()[:MAX_SEARCH_WORDS])


@require_safe
@with_page_language
def search(request: HttpRequest) -> HttpResponse:
    language = current_language()
    text = _search_text(request)
    channel = current_channel(request)
    status = 200
    try:
        cards, count, pagination, sort = _listing(request, channel, search=text or None)
    except InvalidInput:  # defensive: _search_text already keeps to the selector's limits
        cards, count, sort, status = [], 0, "", 400
        pagination = _pagination(path=request.path, query={}, number=1, count=0)
    context = {
        "search_query": text,
        "cards": cards,
        "count": count,
        "pagination": pagination,
        "sort": sort,
        "sort_options": _sort_options(),
        # Result pages are not worth indexing; the catalogue is reached through categories.
        "seo": seo_links(path=request.path, language=language, noindex=True),
    }
    return _render_listing(request, "storefront/search.html", context, status=status)
