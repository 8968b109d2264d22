"""Public catalog reads: the category tree, product lists with filters, product details.

Language from Accept-Language (LocaleMiddleware), channel from `?channel=` or the default.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query

from comptoir.accounts.auth import optional_user
from comptoir.catalog.api.common import (
    channel_of,
    json_ok,
    language_of,
    page_request,
    paginated,
    reject_unknown_parameters,
    router,
)
from comptoir.catalog.api.filters import list_subsets, search_text
from comptoir.catalog.schemas import (
    CategoryOut,
    ProductDetailOut,
    ProductListOut,
    ProductListQuery,
)
from comptoir.catalog.selectors import (
    SORTS,
    AttributeValue,
    CategoryNode,
    category_get,
    category_tree,
    product_cards,
    product_detail,
)
from comptoir.catalog.selectors.products import product_not_found
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_for_buyer
from comptoir.inventory.selectors import available_quantities, products_in_stock
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.presenters import quantity_rule_dict, tiers_list, unit_price_dict
from comptoir.pricing.records import DEFAULT_RULE, VariantPrice
from comptoir.pricing.selectors.context import company_of, pricing_context
from comptoir.pricing.selectors.prices import price_cards, price_product
from comptoir.search.selectors import product_search

PRODUCT_LIST_PARAMETERS = set(ProductListQuery.model_fields)


def _category_out(node: CategoryNode) -> dict[str, Any]:
    return {
        "slug": node.slug,
        "name": node.name,
        "description": node.description,
        "seo_title": node.seo_title,
        "seo_description": node.seo_description,
        "children": [_category_out(child) for child in node.children],
    }


@router.get(
    "categories",
    response=list[CategoryOut],
    summary="The category tree",
    description="Active categories as a tree, localized by Accept-Language (fr, en).",
)
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [_category_out(node) for node in category_tree(language=language_of(request))]


@router.get(
    "categories/{slug}",
    response=CategoryOut,
    summary="One category and its subtree",
    description="404 `CATEGORY_NOT_FOUND` for an unknown or inactive category.",
)
def get_category(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _category_out(category_get(slug=slug, language=language_of(request)))


@router.get(
    "products",
    response=ProductListOut,
    summary="Products published in a channel",
    description=(
        "Filters: `category` (slug, includes subcategories), `q` (full-text search in French "
        "or English by Accept-Language, stemmed, accent-insensitive, typo-tolerant; best "
        "matches first unless `sort` is given; 1000 matches at most), `search` (every word "
        "must match the name, the brand or a SKU, as a substring), `in_stock=true` (free "
        "stock in a warehouse serving the channel), `min_rating` (1-5, average of approved "
        "reviews), `attr` repeated as `slug:value` (choice slug, "
        "`true`/`false`, a number or a range `min..max`, `min..`, `..max`; values of one "
        "attribute are OR-ed, attributes AND-ed, on the product or any variant). "
        f"`sort`: one of {', '.join(SORTS)} (default: catalog order). "
        "Errors (problem+json): 400 `INVALID_FILTER`, `INVALID_SORT`, `INVALID_PAGINATION` "
        "(page_size 1-100), `UNKNOWN_PARAMETER`; 404 `CATEGORY_NOT_FOUND`, "
        "`CHANNEL_NOT_FOUND`. `price` is the caller's lowest variant unit price (signed-in "
        "company buyers get their contract or group price lists and tiers; promotions and "
        "the tax treatment apply). Products of an inactive category (or under one) are "
        "not listed."
    ),
)
def list_products(request: HttpRequest, query: Query[ProductListQuery]) -> HttpResponse:
    reject_unknown_parameters(request, PRODUCT_LIST_PARAMETERS)
    page_req = page_request(query.page, query.page_size)
    sales_channel, ctx = _caller_context(request, query.channel)
    language = language_of(request)
    subsets = list_subsets(sales_channel, in_stock=query.in_stock, min_rating=query.min_rating)
    ranked = None
    if query.q is not None:
        ranked = product_search(
            channel=sales_channel,
            language=language,
            text=search_text(query.q, search=query.search),
            category_slug=query.category or None,
        )
    cards, count = product_cards(
        channel=sales_channel,
        language=language,
        page=page_req,
        category_slug=query.category or None,
        search=query.search,
        attributes=query.attr,
        sort=query.sort,
        ranked_ids=ranked,
        subsets=subsets if ctx.restriction is None else [*subsets, ctx.restriction.subset()],
    )
    prices = price_cards(ctx=ctx, cards=cards)
    stocked = products_in_stock(product_ids=[card.id for card in cards], channel=sales_channel)
    results = [
        {
            "id": card.id,
            "slug": card.slug,
            "name": card.name,
            "brand": card.brand,
            "category": card.category_slug,
            "price": unit_price_dict(prices.get(card.id), ctx),
            "thumbnail_url": _absolute(request, card.thumbnail_url),
            "variant_count": card.variant_count,
            "in_stock": card.id in stocked,
        }
        for card in cards
    ]
    return json_ok(request, paginated(request, page_req, count, results))


def _caller_context(request: HttpRequest, code: str | None) -> tuple[Channel, PricingContext]:
    """The channel (`?channel=`, else the caller's default: a business channel for company
    buyers) and the caller's pricing context."""
    user = optional_user(request)
    company = company_of(user)
    if code:
        sales_channel = channel_of(code)
    else:
        sales_channel = channel_for_buyer(code=None, business=company is not None)
    return sales_channel, pricing_context(channel=sales_channel, user=user, company=company)


def _variant_price(price: VariantPrice | None, ctx: PricingContext) -> dict[str, Any] | None:
    return None if price is None else unit_price_dict(price.line, ctx)


def _absolute(request: HttpRequest, url: str | None) -> str | None:
    """An absolute URL for a media path (MEDIA_URL may already be absolute, e.g. a CDN)."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        origin = getattr(request, "_comptoir_origin", None)
        if origin is None:
            origin = request.build_absolute_uri("/")[:-1]
            request._comptoir_origin = origin  # type: ignore[attr-defined]
        return f"{origin}{url}"
    return request.build_absolute_uri(url)


def _attributes_out(values: list[AttributeValue]) -> list[dict[str, str]]:
    return [
        {
            "slug": v.slug,
            "name": v.name,
            "kind": v.kind,
            "value": v.value,
            "display": v.display,
            "unit": v.unit,
        }
        for v in values
    ]


@router.get(
    "products/{slug}",
    response=ProductDetailOut,
    summary="One product with its variants, attributes, media and documents",
    description=(
        "404 `PRODUCT_NOT_FOUND` when unknown, not published in the channel, or in an "
        "inactive category (or under one)."
    ),
)
def get_product(
    request: HttpRequest,
    slug: str,
    channel: str | None = Query(None, description="Channel code; the default channel if absent."),
) -> HttpResponse:
    sales_channel, ctx = _caller_context(request, channel)
    detail = product_detail(channel=sales_channel, language=language_of(request), slug=slug)
    if ctx.restriction is not None and not ctx.restriction.allows(detail.id, detail.category.id):
        # Outside the buyer's shared catalogs: as if it did not exist.
        raise product_not_found(slug)
    product_price, variant_prices = price_product(ctx=ctx, product=detail)
    free = available_quantities(variant_ids=[v.id for v in detail.variants], channel=sales_channel)
    has_model = detail.model_3d_url or detail.model_3d_usdz_url
    data = {
        "id": detail.id,
        "slug": detail.slug,
        "name": detail.name,
        "description": detail.description,
        "seo_title": detail.seo_title,
        "seo_description": detail.seo_description,
        "brand": detail.brand,
        "product_type": detail.product_type,
        "category": {"slug": detail.category.slug, "name": detail.category.name},
        "price": unit_price_dict(product_price, ctx),
        "in_stock": any(quantity > 0 for quantity in free.values()),
        "attributes": _attributes_out(detail.attributes),
        "variants": [
            {
                "id": v.id,
                "sku": v.sku,
                "gtin": v.gtin,
                "name": v.name,
                "price": _variant_price(variant_prices.get(v.id), ctx),
                "tiers": tiers_list(variant_prices.get(v.id), ctx),
                "quantity_rule": quantity_rule_dict(
                    vp.line.quantity_rule if (vp := variant_prices.get(v.id)) else DEFAULT_RULE
                ),
                "in_stock": free.get(v.id, 0) > 0,
                "weight_grams": v.weight_grams,
                "length_mm": v.length_mm,
                "width_mm": v.width_mm,
                "height_mm": v.height_mm,
                "attributes": _attributes_out(v.attributes),
            }
            for v in detail.variants
        ],
        "media": [
            {
                "url": _absolute(request, i.url),
                "thumbnail_url": _absolute(request, i.thumbnail_url),
                "alt": i.alt,
                "variant_id": i.variant_id,
                "width": i.width,
                "height": i.height,
                "renditions": [
                    {
                        "format": r.format,
                        "width": r.width,
                        "height": r.height,
                        "url": _absolute(request, r.url),
                    }
                    for r in (i.picture.renditions if i.picture else ())
                ],
            }
            for i in detail.images
        ],
        "documents": [
            {
                "kind": d.kind,
                "kind_label": d.kind_label,
                "title": d.title,
                "language": d.language,
                "url": _absolute(request, d.url),
            }
            for d in detail.documents
        ],
        "model_3d": {
            "gltf_url": _absolute(request, detail.model_3d_url),
            "usdz_url": _absolute(request, detail.model_3d_usdz_url),
        }
        if has_model
        else None,
    }
    return json_ok(request, data)
