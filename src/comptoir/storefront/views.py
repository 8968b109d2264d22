"""Storefront pages: home, category, product and search, server-rendered.

Views parse the request, call catalog selectors and the price engine (the caller's prices:
visitor, shopper or company buyer) and render; htmx requests to listing pages get only the
`product-grid` partial. Everything works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from comptoir.catalog.selectors import (
    SORTS,
    CategoryNode,
    CategoryRef,
    Facets,
    PriceRange,
    ProductCard,
    ProductDetail,
    category_get,
    plain_excerpt,
    product_cards,
    product_detail,
    product_facets,
    slug_redirect,
)
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.validation import decimal_or_none
from comptoir.inventory.selectors import in_stock_subset
from comptoir.orders.selectors import best_selling_product_ids
from comptoir.search.selectors import product_search, product_suggestions
from comptoir.storefront.availability import Availability, delivery_dates, variant_availability
from comptoir.storefront.context_processors import SEARCH_MAX_LENGTH
from comptoir.storefront.forms import AddToCartForm
from comptoir.storefront.home_promotions import HomePromotion, home_promotions
from comptoir.storefront.listing_filters import SubsetFilters, subset_filters
from comptoir.storefront.prices import (
    PricedCard,
    ProductOffer,
    VariantOffer,
    priced_cards,
    product_offer,
)
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
    localized_path,
    seo_links,
    shown_to,
)
from comptoir.storefront.templatetags.storefront import babel_locale, money

HOME_PRODUCTS = 8
LISTING_PAGE_SIZE = 24
MAX_SEARCH_WORDS = 8
# Attribute filters a listing takes at once (the selector refuses more than 20).
MAX_FILTERS = 20


def _sort_options(*, search: bool = False) -> list[tuple[str, str]]:
    labels = {
        "": _("Relevance") if search else _("Our selection"),
        "price": _("Price: low to high"),
        "-price": _("Price: high to low"),
        "name": _("Name: A to Z"),
        "-name": _("Name: Z to A"),
        "newest": pgettext("sort", "Newest"),
    }
    return [(value, labels.get(value, value)) for value in ("", *SORTS)]


def with_page_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send links of the time when `?lang=fr|en` chose a page's language to the page's own
    path in that language, permanently (the rest of the query string is kept)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wanted = request.GET.get(LANGUAGE_PARAM)
        if wanted is None:
            return view(request, *args, **kwargs)
        query = request.GET.copy()
        del query[LANGUAGE_PARAM]
        path = localized_path(request.path, wanted) if wanted in language_codes() else request.path
        encoded = query.urlencode()
        return HttpResponsePermanentRedirect(f"{path}?{encoded}" if encoded else path)

    return wrapped


def page_number(request: HttpRequest) -> int:
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


def _pagination(*, path: str, query: list[tuple[str, str]], number: int, count: int) -> Pagination:
    """Numbered links around the current page, with the first and last always shown."""
    last = max(1, -(-count // LISTING_PAGE_SIZE))

    def url(page: int) -> str:
        params = [(k, v) for k, v in query if v]
        if page > 1:
            params.append(("page", str(page)))
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


MAX_PRICE = Decimal(10) ** 9


def _price_bound(request: HttpRequest, name: str) -> Decimal | None:
    """A price filter bound: a non-negative amount, else InvalidInput."""
    raw = request.GET.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    amount = decimal_or_none(raw)
    if amount is None or not 0 <= amount < MAX_PRICE:
        detail = _("Enter a price as a positive number, such as 25 or 19.90.")
        raise InvalidInput(detail, code="INVALID_FILTER", errors={name: [detail]})
    return amount


@dataclass(frozen=True, slots=True)
class Listing:
    cards: list[PricedCard]
    count: int
    pagination: Pagination
    sort: str
    facets: Facets | None
    # What the filter form shows as chosen.
    chosen: frozenset[str]
    price_min: Decimal | None
    price_max: Decimal | None
    in_stock: bool = False
    rating: int | None = None
    # How many listed products are in stock; (stars, count) of each "N stars and up".
    in_stock_count: int = 0
    rating_counts: tuple[tuple[int, int], ...] = ()

    @property
    def filter_count(self) -> int:
        """How many filters the shopper chose (the badge of the filter panel)."""
        price = self.price_min is not None or self.price_max is not None
        return len(self.chosen) + price + self.in_stock + (self.rating is not None)

    @property
    def filtered(self) -> bool:
        """Whether the shopper narrowed the listing with the filter form."""
        return self.filter_count > 0


def _listing(
    request: HttpRequest,
    channel: Channel | None,
    *,
    category_slug: str | None = None,
    search: str | None = None,
) -> Listing:
    """One page of cards, priced for the caller, with the facets of the whole listing, for a
    listing page; 404 for a page past the end. Raises InvalidInput for a bad filter."""
    number = page_number(request)
    sort = _sort(request)
    attributes = [raw for raw in request.GET.getlist("attr")[:MAX_FILTERS] if raw.strip()]
    price_range = PriceRange(_price_bound(request, "price_min"), _price_bound(request, "price_max"))
    cards: list[ProductCard] = []
    count = 0
    facets: Facets | None = None
    subsets: SubsetFilters | None = None
    ctx = current_pricing(request)
    if channel is not None:
        subsets = subset_filters(request, channel)
        language = current_language()
        ranked = (
            None
            if search is None
            else product_search(
                channel=channel, language=language, text=search, category_slug=category_slug
            )
        )
        arguments: dict[str, Any] = {
            "channel": channel,
            "language": language,
            "category_slug": category_slug,
            "attributes": attributes,
            "ranked_ids": ranked,
            "price_range": price_range,
            "subsets": [*subsets.chosen, *shown_to(ctx)],
        }
        cards, count = product_cards(
            **arguments,
            page=PageRequest(page=number, page_size=LISTING_PAGE_SIZE),
            sort=sort or None,
            stock=subsets.stock,
        )
        facets = product_facets(**arguments, counted=subsets.counted)
    if number > 1 and not cards:
        raise Http404(_("No such page."))
    query = [
        ("q", search or ""),
        *(("attr", raw) for raw in attributes),
        ("price_min", request.GET.get("price_min", "").strip()),
        ("price_max", request.GET.get("price_max", "").strip()),
        *(subsets.query if subsets else []),
        ("sort", sort),
    ]
    counts = facets.subset_counts if facets else {}
    return Listing(
        cards=priced_cards(ctx, cards),
        count=count,
        pagination=_pagination(path=request.path, query=query, number=number, count=count),
        sort=sort,
        facets=facets,
        chosen=frozenset(attributes),
        price_min=price_range.low,
        price_max=price_range.high,
        in_stock=bool(subsets and subsets.in_stock),
        rating=subsets.rating if subsets else None,
        in_stock_count=subsets.in_stock_count(counts) if subsets else 0,
        rating_counts=subsets.rating_counts(counts) if subsets else (),
    )


def _bad_filter_listing(request: HttpRequest) -> Listing:
    return Listing(
        cards=[],
        count=0,
        pagination=_pagination(path=request.path, query=[], number=1, count=0),
        sort="",
        facets=None,
        chosen=frozenset(),
        price_min=None,
        price_max=None,
    )


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
    """The hero, the categories, the current promotions, best sellers, new arrivals and
    featured products (the catalogue's first)."""
    channel = current_channel(request)
    ctx = current_pricing(request)
    language = current_language()
    sections: dict[str, list[ProductCard]] = {"featured": [], "new": [], "best": []}
    promotions: list[HomePromotion] = []
    if channel is not None:
        first_page = PageRequest(page=1, page_size=HOME_PRODUCTS)
        stock = in_stock_subset(channel=channel)
        shown = shown_to(ctx)
        # A few cards each, no pagination: nothing to count.
        sections["featured"], _count = product_cards(
            channel=channel,
            language=language,
            page=first_page,
            stock=stock,
            subsets=shown,
            with_count=False,
        )
        sections["new"], _count = product_cards(
            channel=channel,
            language=language,
            page=first_page,
            sort="newest",
            stock=stock,
            subsets=shown,
            with_count=False,
        )
        best = best_selling_product_ids(channel_id=channel.pk, limit=HOME_PRODUCTS)
        if best:
            sections["best"], _count = product_cards(
                channel=channel,
                language=language,
                page=first_page,
                ranked_ids=best,
                stock=stock,
                subsets=shown,
            )
        if ctx is not None:
            promotions = home_promotions(ctx, language=language, locale=babel_locale(language))
    context = {
        "cards": priced_cards(ctx, sections["featured"]),
        "new_cards": priced_cards(ctx, sections["new"]),
        "best_cards": priced_cards(ctx, sections["best"]),
        "promotions": promotions,
        "jsonld": _home_jsonld(),
    }
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


class Moved(Exception):
    """The page moved: its product or category has a new slug."""

    def __init__(self, url: str) -> None:
        self.url = url


def _moved_or_404(exc: Http404 | NotFound, *, slug: str, kind: str, request: HttpRequest) -> Moved:
    """A permanent redirect to the new slug of a renamed product or category, else the 404."""
    current = slug_redirect(slug=slug, kind=kind)
    if current is None:
        raise exc if isinstance(exc, Http404) else Http404(exc.detail)
    url = reverse(f"storefront:{kind}", args=[current])
    query = request.GET.urlencode()
    return Moved(f"{url}?{query}" if query else url)


@require_safe
@with_page_language
def category(request: HttpRequest, slug: str) -> HttpResponse:
    language = current_language()
    try:
        node = _category_node(slug, language)
    except Http404 as exc:
        return HttpResponsePermanentRedirect(
            _moved_or_404(exc, slug=slug, kind="category", request=request).url
        )
    channel = current_channel(request)
    status, filter_error = 200, ""
    try:
        listing = _listing(request, channel, category_slug=node.slug)
    except NotFound as exc:  # deactivated since the tree was cached
        raise Http404(exc.detail) from exc
    except InvalidInput as exc:
        listing, status, filter_error = _bad_filter_listing(request), 400, exc.detail
    pagination = listing.pagination
    breadcrumb = category_path(language, node.id) or [node]
    query: dict[str, str | int] = {"page": pagination.number} if pagination.number > 1 else {}
    filtered = listing.filtered
    context = {
        "category": node,
        "meta_description": node.seo_description or plain_excerpt(node.description) or node.name,
        "breadcrumb": breadcrumb,
        "current_category_slug": breadcrumb[0].slug,
        "current_category_is_page": len(breadcrumb) == 1,
        "listing": listing,
        "jsonld": [_breadcrumb_jsonld(breadcrumb)],
        "cards": listing.cards,
        "count": listing.count,
        "pagination": pagination,
        "sort": listing.sort,
        "sort_options": _sort_options(),
        "filter_error": filter_error,
        # Sorted or filtered variants of a category are not pages of their own for search
        # engines (the canonical link still names the category page).
        "seo": seo_links(
            path=request.path,
            language=language,
            query=query,
            noindex=bool(listing.sort) or filtered,
        ),
    }
    return _render_listing(request, "storefront/category.html", context, status=status)


def _breadcrumb_jsonld(
    trail: list[CategoryNode] | list[CategoryRef], last: tuple[str, str] | None = None
) -> dict[str, Any]:
    """schema.org BreadcrumbList: the categories from the root, then `last` (name, URL)."""
    items: list[tuple[str, str]] = [
        (node.name, absolute_url(reverse("storefront:category", args=[node.slug])))
        for node in trail
    ]
    if last is not None:
        items.append(last)
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(items, start=1)
        ],
    }


def _home_jsonld() -> list[dict[str, Any]]:
    """schema.org Organization and WebSite with its search (sitelinks search box)."""
    home = absolute_url(reverse("storefront:home"))
    search = absolute_url(reverse("storefront:search"))
    return [
        {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": "Comptoir",
            "url": home,
        },
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": "Comptoir",
            "url": home,
            "inLanguage": current_language(),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{search}?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        },
    ]


def _product_jsonld(
    product: ProductDetail, offer: ProductOffer, url: str, stock: dict[int, Availability]
) -> dict[str, Any]:
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
            "availability": stock[variant.variant.id].schema,
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
    try:
        return product_page(request, slug)
    except Moved as moved:
        return HttpResponsePermanentRedirect(moved.url)


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
        raise _moved_or_404(exc, slug=slug, kind="product", request=request) from exc
    ctx = current_pricing(request)
    if ctx is None:  # cannot happen: there is a channel
        raise Http404(_("No product is sold here yet."))
    if ctx.restriction is not None and not ctx.restriction.allows(detail.id, detail.category.id):
        raise Http404(_("No such product."))  # outside the buyer's shared catalogs
    locale = babel_locale(language)
    offer = product_offer(ctx, detail, locale=locale)
    stock = variant_availability(detail, channel)
    chosen = _chosen_variant(request, offer, form)
    seo = seo_links(path=request.path, language=language)
    breadcrumb: list[CategoryNode] | list[CategoryRef] = category_path(
        language, detail.category.id
    ) or [detail.category]
    reviews_section = reviews_block(request, detail.id, reviews)
    product_jsonld = _product_jsonld(detail, offer, seo.canonical, stock)
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
        "jsonld": [_breadcrumb_jsonld(breadcrumb, (detail.name, seo.canonical))],
        "cart_form": _with_variants(
            form or _add_to_cart_form(chosen, detail),
            offer,
            stock,
            status_url=reverse("storefront:product", args=[detail.slug]),
        ),
        "reviews": reviews_section,
        "chosen": chosen,
        "chosen_stock": stock[chosen.variant.id] if chosen else None,
        "delivery": delivery_dates(channel=channel, locale=locale, language=language),
    }
    template = "storefront/product.html"
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        if htmx.target == "variant-status":
            template = f"{template}#variant-status"
        elif request.method == "POST" and form is not None:  # adding to the cart failed
            template = f"{template}#add-to-cart"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _chosen_variant(
    request: HttpRequest, offer: ProductOffer, form: AddToCartForm | None
) -> VariantOffer | None:
    """The variant the page shows the price, stock and delivery of: the one named by `?sku=`
    (the variant selector asks for it) or by the posted form, else the first buyable one."""
    buyable = [item for item in offer.variants if item.price is not None]
    wanted = request.GET.get("sku", "")
    if form is not None and form.is_bound:
        wanted = form.data.get("sku", "") or wanted
    for item in buyable:
        if item.variant.sku == wanted:
            return item
    return buyable[0] if buyable else None


def _with_variants(
    form: AddToCartForm,
    offer: ProductOffer,
    stock: dict[int, Availability],
    *,
    status_url: str,
) -> AddToCartForm:
    choices = []
    for item in offer.variants:
        if item.price is None:
            continue
        label = f"{item.variant.name or item.variant.sku} ({money(item.price.amount)})"
        if not stock[item.variant.id].buyable:
            label = _("%(variant)s (out of stock)") % {"variant": label}
        choices.append((item.variant.sku, label))
    form.variants_offer(choices, status_url=status_url)
    return form


def _add_to_cart_form(chosen: VariantOffer | None, detail: ProductDetail) -> AddToCartForm:
    """The blank form: the chosen variant, at its minimum quantity."""
    return AddToCartForm(
        initial={
            "sku": chosen.variant.sku if chosen else "",
            "quantity": chosen.minimum if chosen else 1,
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
    status, filter_error = 200, ""
    try:
        listing = _listing(request, channel, search=text or None)
    except InvalidInput as exc:
        listing, status, filter_error = _bad_filter_listing(request), 400, exc.detail
    context = {
        "search_query": text,
        "listing": listing,
        "cards": listing.cards,
        "count": listing.count,
        "pagination": listing.pagination,
        "sort": listing.sort,
        "filter_error": filter_error,
        "sort_options": _sort_options(search=bool(text)),
        # Result pages are not worth indexing; the catalogue is reached through categories.
        "seo": seo_links(path=request.path, language=language, noindex=True),
    }
    return _render_listing(request, "storefront/search.html", context, status=status)


@require_safe
def search_suggestions(request: HttpRequest) -> HttpResponse:
    """Product names for what the shopper is typing in the search box (an htmx fragment of
    links; without JavaScript the search form simply submits)."""
    text = _search_text(request)
    channel = current_channel(request)
    suggestions = (
        product_suggestions(
            channel=channel,
            language=current_language(),
            text=text,
            subsets=shown_to(current_pricing(request)),
        )
        if channel is not None and text
        else []
    )
    response = render(
        request,
        "storefront/includes/search_suggestions.html",
        {"suggestions": suggestions, "query": text},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
