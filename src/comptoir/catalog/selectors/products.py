"""Product reads for the storefront and the public API: the card list and the detail.

Both run a constant number of queries whatever the page size or the number of variants.
The list is a count (cached when large, see `_count`) and one page query, plus one query
for the attribute filters when they are used; the channel and the category subtree come
from copies kept in the process (channels.selectors, selectors.categories), which cost no
query while current. The page query cuts the page of listing ids first (index order,
LIMIT/OFFSET over narrow rows) and reads the card columns, translated name, thumbnail and
variant count for those rows only, in the same statement.

Products of hidden categories (inactive, or under an inactive one) are public nowhere: the
count, the page and the detail leave them out inside their own statements (no extra query).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.conf import settings
from django.core.cache import cache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    DocumentKind,
    Product,
    ProductAttributeValue,
    ProductChannelListing,
    ProductDocument,
    ProductImage,
    ProductVariant,
    VariantAttributeValue,
)
from comptoir.catalog.selectors.categories import (
    OutsideHiddenCategories,
    category_descendant_ids,
    hidden_categories_sql,
)
from comptoir.catalog.selectors.facets import Facets, listing_facets
from comptoir.catalog.selectors.filters import (
    IdIn,
    attribute_filter_condition,
    clean_search,
    parse_attribute_filters,
    search_condition,
)
from comptoir.catalog.selectors.localize import localized_text
from comptoir.catalog.selectors.pictures import (
    PRODUCT_COVER,
    PRODUCT_THUMBNAIL,
    cover_picture,
    media_url,
    picture_of,
)
from comptoir.catalog.selectors.records import (
    BASE_LANGUAGE,
    AttributeFilter,
    AttributeValue,
    CategoryRef,
    DocumentInfo,
    ImageInfo,
    ProductCard,
    ProductDetail,
    ProductSubset,
    VariantDetail,
    normalize_language,
)
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest

SORTS = ("name", "-name", "price", "-price", "newest")


class HiddenProductIds(Expression):
    """`SELECT id` of the products whose category is hidden (inactive, or under an inactive
    one), as a subquery: `filter(~Q(product_id__in=HiddenProductIds()))`.

    What counts use: filtering listings by product id keeps a channel's count an index-only
    scan of the listings, with no join with products. On PostgreSQL `= ANY(ARRAY(...))`
    reads the products of the (usually few) hidden categories from catalog_product_cat_idx,
    where `IN (cte)` would read the whole index; either way it is evaluated once per
    statement (a hashed subplan). Queries that join products anyway (a page of a category,
    a detail) use `OutsideHiddenCategories`, whose row estimates keep their plans.
    """

    output_field = IntegerField()

    def _sql(
        self, connection: BaseDatabaseWrapper, condition: str
    ) -> tuple[str, tuple[str | int, ...]]:
        table = connection.ops.quote_name(Product._meta.db_table)
        hidden = hidden_categories_sql(connection)
        # A quoted table name and fixed SQL: no input reaches this statement.
        sql = f"(SELECT id FROM {table} WHERE {condition.format(hidden=hidden)})"  # noqa: S608
        return sql, (False,)

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        return self._sql(connection, "category_id IN ({hidden})")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        return self._sql(connection, "category_id = ANY(ARRAY({hidden}))")


def _published_now(channel: Channel) -> QuerySet[ProductChannelListing]:
    return ProductChannelListing.objects.filter(
        Q(published_at__isnull=True) | Q(published_at__lte=timezone.now()),
        channel=channel,
        is_published=True,
    )


def published_listings(*, channel: Channel) -> QuerySet[ProductChannelListing]:
    """Listings of products published in `channel` now (flag set, publication date reached),
    outside hidden categories: a category inactive itself or under an inactive one hides
    its products everywhere public."""
    return _published_now(channel).filter(~Q(product_id__in=HiddenProductIds()))


# Counting a large result (a whole channel, a big category) costs more than reading its page,
# and an exact figure matters less there: counts from COUNT_CACHE_MIN up are kept in the
# cache for COMPTOIR_CATALOG_COUNT_CACHE_SECONDS (60 by default, 0 turns this off). Smaller
# counts are always exact and fresh.
COUNT_CACHE_MIN = 1000


def _count(listings: QuerySet[ProductChannelListing], *, key: tuple[Any, ...]) -> int:
    seconds = getattr(settings, "COMPTOIR_CATALOG_COUNT_CACHE_SECONDS", 60)
    if seconds <= 0:
        return listings.count()
    cache_key = "catalog:count:" + hashlib.sha256(repr(key).encode()).hexdigest()
    cached = cache.get(cache_key)
    if isinstance(cached, int):
        return cached
    count = listings.count()
    if count >= COUNT_CACHE_MIN:
        cache.set(cache_key, count, seconds)
    return count


def _ordering(sort: str | None, language: str) -> list[Any]:
    if sort is None or sort == "":
        # Index order of catalog_pcl_pub_idx: the page is read without sorting the channel.
        return ["product_id"]
    if sort not in SORTS:
        detail = _("Sort by one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}
        raise InvalidInput(detail, code="INVALID_SORT", errors={"sort": [detail]})
    if sort == "newest":
        # Ids grow with creation time and are indexed, unlike created_at.
        return ["-product_id"]
    if sort in ("price", "-price"):
        price = F("price_from")
        return [
            price.desc(nulls_last=True) if sort == "-price" else price.asc(nulls_last=True),
            "product_id",
        ]
    name: Any = (
        F("product__name")
        if language == BASE_LANGUAGE
        else Coalesce(F("tr__name"), F("product__name"))
    )
    return [
        OrderBy(name, descending=sort == "-name"),
        "product_id",
    ]


_CARD_FIELDS = (
    "product_id",
    "product__slug",
    "product__name",
    "product__brand",
    "product__category__slug",
    "price_from",
    "thumb",
    *PRODUCT_COVER,
    "n_variants",
    "product__category_id",
    "tclass",
)
# The number of variants: a correlated subquery, evaluated for the rows of the page only,
# like the first image's columns (selectors.pictures). Any queryset with a `product_id`
# column may annotate them (wishlist items do).
PRODUCT_VARIANT_COUNT = Coalesce(
    Subquery(
        ProductVariant.objects.filter(product_id=OuterRef("product_id"))
        .order_by()
        .values("product_id")
        .annotate(n=Count("id"))
        .values("n")
    ),
    Value(0),
    output_field=IntegerField(),
)


# The product's tax class, else its type's (None: the standard class).
_TAX_CLASS = Coalesce(F("product__tax_class_id"), F("product__product_type__tax_class_id"))


def _translation(language: str) -> FilteredRelation:
    return FilteredRelation(
        "product__translations", condition=Q(product__translations__language=language)
    )


def product_cards(
    *,
    channel: Channel,
    language: str,
    page: PageRequest,
    category_slug: str | None = None,
    search: str | None = None,
    attributes: Sequence[str] | None = None,
    sort: str | None = None,
    ranked_ids: Sequence[int] | None = None,
    price_range: PriceRange | None = None,
    subsets: Sequence[ProductSubset] = (),
    stock: ProductSubset | None = None,
    with_count: bool = True,
) -> tuple[list[ProductCard], int]:
    """One page of the products published in `channel`, and how many there are in all.

    `ranked_ids` (a search engine's answer, best first) keeps to those products, in that
    order unless `sort` asks for another; `price_range` keeps the products whose lowest
    price falls in it; `subsets` keeps the products in each of them (in stock, rated...).
    `stock` (the inventory's in-stock subset) sets each card's `in_stock`, in the same
    statement as the cards. `with_count=False` skips counting (the count is then -1), for a
    page that shows a few cards and no pagination.

    `category_slug` includes the category's descendants (NotFound CATEGORY_NOT_FOUND when
    unknown); `search` matches every word in name, translated name, brand or SKU;
    `attributes` are `slug:value` filters (choice slug, true/false, number or min..max);
    `sort` is one of SORTS (default: catalog order). Bad filters raise InvalidInput with
    code INVALID_FILTER (INVALID_SORT for the sort).
    """
    lang = normalize_language(language)
    terms = clean_search(search)
    filters = parse_attribute_filters(attributes or [])
    ordering = _ordering(sort, lang)

    listings = _filtered_listings(
        channel,
        category_slug=category_slug,
        filters=filters,
        terms=terms,
        ranked_ids=ranked_ids,
        price_range=price_range,
        subsets=subsets,
    )
    if ranked_ids is not None and not sort:
        return _ranked_page(listings, channel, lang, page, ranked_ids, stock=stock)

    # Hidden categories are left out by product id for the count (see HiddenProductIds).
    count = (
        -1
        if not with_count
        else _count(
            listings.filter(~Q(product_id__in=HiddenProductIds())),
            key=(
                channel.pk,
                category_slug,
                tuple(terms),
                tuple((f.slug, f.values) for f in filters),
                price_range,
                tuple(subset.key for subset in subsets),
                _ids_key(ranked_ids),
            ),
        )
    )
    if with_count and page.offset >= count:
        return [], count

    # The page of listing ids is cut first (narrow rows, index order), then the card columns,
    # thumbnail and variant count are read for those rows only, in the same statement: next
    # to LIMIT/OFFSET, the per-row subqueries would run for every skipped row. A category
    # or a sort by name joins the products: hidden categories are left out on the joined
    # product, which keeps the plan that walks the category index in product order.
    translated = lang != BASE_LANGUAGE
    by_name = sort in ("name", "-name")
    if category_slug is not None or by_name:
        listings = listings.filter(OutsideHiddenCategories("product__category_id"))
    else:
        listings = listings.filter(~Q(product_id__in=HiddenProductIds()))
    if translated and by_name:
        listings = listings.annotate(tr=_translation(lang))
    page_ids = listings.order_by(*ordering).values("pk")[page.offset : page.offset + page.page_size]
    page_qs = ProductChannelListing.objects.filter(pk__in=page_ids).annotate(
        thumb=PRODUCT_THUMBNAIL,
        **PRODUCT_COVER,
        n_variants=PRODUCT_VARIANT_COUNT,
        tclass=_TAX_CLASS,
    )
    fields = list(_CARD_FIELDS)
    if translated:
        page_qs = page_qs.annotate(tr=_translation(lang))
        fields.append("tr__name")
    page_qs, fields = _with_stock(page_qs, fields, stock)
    rows = page_qs.order_by(*ordering).values(*fields)
    return _cards(rows, channel), count


@dataclass(frozen=True, slots=True)
class PriceRange:
    """Bounds (inclusive, either may be open) on a listing's lowest price."""

    low: Decimal | None = None
    high: Decimal | None = None


def _filtered_listings(
    channel: Channel,
    *,
    category_slug: str | None,
    filters: Sequence[AttributeFilter],
    terms: Sequence[str] = (),
    ranked_ids: Sequence[int] | None = None,
    price_range: PriceRange | None = None,
    subsets: Sequence[ProductSubset] = (),
) -> QuerySet[ProductChannelListing]:
    listings = _published_now(channel)
    if category_slug is not None:
        listings = listings.filter(
            product__category_id__in=category_descendant_ids(slug=category_slug)
        )
    if filters:
        listings = listings.filter(attribute_filter_condition(filters))
    if terms:
        listings = listings.filter(search_condition(terms))
    if ranked_ids is not None:
        listings = listings.filter(IdIn(F("product_id"), ranked_ids))
    if price_range is not None and price_range.low is not None:
        listings = listings.filter(price_from__gte=price_range.low)
    if price_range is not None and price_range.high is not None:
        listings = listings.filter(price_from__lte=price_range.high)
    for subset in subsets:
        listings = listings.filter(product_id__in=subset.product_ids)
    return listings


def product_facets(
    *,
    channel: Channel,
    language: str,
    category_slug: str | None = None,
    attributes: Sequence[str] | None = None,
    ranked_ids: Sequence[int] | None = None,
    price_range: PriceRange | None = None,
    subsets: Sequence[ProductSubset] = (),
    counted: Sequence[ProductSubset] = (),
) -> Facets:
    """The facets of the listing `product_cards` shows for the same arguments (values of
    filterable attributes with product counts, price bounds, and how many products each of
    `counted` holds: see `listing_facets`). Same errors."""
    filters = parse_attribute_filters(attributes or [])
    listings = _filtered_listings(
        channel,
        category_slug=category_slug,
        filters=filters,
        ranked_ids=ranked_ids,
        price_range=price_range,
    ).filter(~Q(product_id__in=HiddenProductIds()))
    ids_key = _ids_key(ranked_ids)
    return listing_facets(
        listings=listings,
        subsets=subsets,
        counted=counted,
        language=normalize_language(language),
        key=(
            channel.pk,
            category_slug,
            tuple((f.slug, f.values) for f in filters),
            ids_key,
            price_range,
        ),
    )


def _ids_key(ranked_ids: Sequence[int] | None) -> str | None:
    """What names a search answer in cache keys."""
    if ranked_ids is None:
        return None
    return hashlib.sha256(",".join(map(str, ranked_ids)).encode()).hexdigest()


def _ranked_page(
    listings: QuerySet[ProductChannelListing],
    channel: Channel,
    language: str,
    page: PageRequest,
    ranked_ids: Sequence[int],
    *,
    stock: ProductSubset | None,
) -> tuple[list[ProductCard], int]:
    """A page of `ranked_ids` in their order: the ids still published are read (a search
    answer is short: a thousand at most), the page is cut here and its cards read."""
    present = set(
        listings.filter(~Q(product_id__in=HiddenProductIds())).values_list("product_id", flat=True)
    )
    ordered = [pk for pk in ranked_ids if pk in present]
    page_ids = ordered[page.offset : page.offset + page.page_size]
    if not page_ids:
        return [], len(ordered)
    page_qs = ProductChannelListing.objects.filter(
        channel=channel, product_id__in=page_ids
    ).annotate(
        thumb=PRODUCT_THUMBNAIL,
        **PRODUCT_COVER,
        n_variants=PRODUCT_VARIANT_COUNT,
        tclass=_TAX_CLASS,
    )
    fields = list(_CARD_FIELDS)
    if language != BASE_LANGUAGE:
        page_qs = page_qs.annotate(tr=_translation(language))
        fields.append("tr__name")
    page_qs, fields = _with_stock(page_qs, fields, stock)
    position = {pk: i for i, pk in enumerate(page_ids)}
    cards = sorted(_cards(page_qs.values(*fields), channel), key=lambda c: position[c.id])
    return cards, len(ordered)


def _with_stock(
    page_qs: QuerySet[Any, Any], fields: list[str], stock: ProductSubset | None
) -> tuple[QuerySet[Any, Any], list[str]]:
    """The page's rows with `in_stock` (whether the product is in `stock`), when asked."""
    if stock is None:
        return page_qs, fields
    in_stock = ExpressionWrapper(Q(product_id__in=stock.product_ids), output_field=BooleanField())
    return page_qs.annotate(in_stock=in_stock), [*fields, "in_stock"]


def _cards(rows: Any, channel: Channel) -> list[ProductCard]:
    currency = channel.currency
    return [
        ProductCard(
            id=row["product_id"],
            slug=row["product__slug"],
            name=row.get("tr__name") or row["product__name"],
            brand=row["product__brand"],
            category_slug=row["product__category__slug"],
            price=None if row["price_from"] is None else Money(row["price_from"], currency),
            thumbnail_url=media_url(row["thumb"]),
            picture=cover_picture(row, row["thumb"]),
            variant_count=row["n_variants"],
            category_id=row["product__category_id"],
            tax_class_id=row["tclass"],
            in_stock=row.get("in_stock"),
        )
        for row in rows
    ]


def product_not_found(slug: str) -> NotFound:
    return NotFound(_("Unknown product: %(slug)s") % {"slug": slug[:160]}, code="PRODUCT_NOT_FOUND")


@dataclass(frozen=True, slots=True)
class _AttributeRow:
    owner_id: int
    value: AttributeValue


def _number_text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _attribute_value(row: dict[str, Any], language: str) -> AttributeValue:
    kind = row["attribute__kind"]
    unit = row["attribute__unit"]
    if kind == "choice":
        value = row["choice__slug"] or ""
        display = (
            (row["choice__value_en"] if language == "en" else "") or row["choice__value"] or ""
        )
    elif kind == "boolean":
        flag = row["value_boolean"]
        value = "" if flag is None else ("true" if flag else "false")
        display = "" if flag is None else (_("Yes") if flag else _("No"))
    elif kind == "number":
        number = row["value_number"]
        value = "" if number is None else _number_text(number)
        display = (
            ""
            if number is None
            else format_decimal(number.normalize(), locale=language, decimal_quantization=False)
        )
        if display and unit:
            display = f"{display} {unit}"
    else:
        value = display = row["value_text"]
    return AttributeValue(
        slug=row["attribute__slug"],
        name=row.get("atr__name") or row["attribute__name"],
        kind=kind,
        value=value,
        display=display,
        unit=unit,
    )


_ATTRIBUTE_FIELDS = (
    "attribute__slug",
    "attribute__name",
    "attribute__kind",
    "attribute__unit",
    "value_text",
    "value_number",
    "value_boolean",
    "choice__slug",
    "choice__value",
    "choice__value_en",
)


def _attribute_rows(queryset: QuerySet[Any], owner: str, language: str) -> list[_AttributeRow]:
    fields = [owner, *_ATTRIBUTE_FIELDS]
    if language != BASE_LANGUAGE:
        queryset = queryset.annotate(
            atr=FilteredRelation(
                "attribute__translations",
                condition=Q(attribute__translations__language=language),
            )
        )
        fields.append("atr__name")
    rows = queryset.order_by(owner, "attribute_id").values(*fields)
    return [_AttributeRow(row[owner], _attribute_value(row, language)) for row in rows]


_TEXT_FIELDS = ("name", "description", "seo_title", "seo_description")


def product_detail(*, channel: Channel, language: str, slug: str) -> ProductDetail:
    """A product published in `channel`, localized, with its attributes, variants and their
    base prices, images and documents. Six queries, whatever the number of variants.

    Raises NotFound PRODUCT_NOT_FOUND when the product is unknown, not published there, or
    in a hidden category (inactive, or under an inactive one).
    """
    lang = normalize_language(language)
    if not slug or len(slug) > 160 or "\x00" in slug:
        raise product_not_found(slug)
    now = timezone.now()
    fields = [
        "id",
        "slug",
        "name",
        "description",
        "seo_title",
        "seo_description",
        "brand",
        "model_3d",
        "model_3d_usdz",
        "allow_backorders",
        "product_type__slug",
        "category_id",
        "category__slug",
        "category__name",
        "listing__price_from",
        "tclass",
    ]
    product_qs = Product.objects.annotate(
        tclass=Coalesce(F("tax_class_id"), F("product_type__tax_class_id")),
        listing=FilteredRelation(
            "channel_listings", condition=Q(channel_listings__channel=channel)
        ),
    ).filter(
        Q(listing__published_at__isnull=True) | Q(listing__published_at__lte=now),
        OutsideHiddenCategories("category_id"),
        slug=slug,
        listing__is_published=True,
    )
    if lang != BASE_LANGUAGE:
        product_qs = product_qs.annotate(
            tr=FilteredRelation("translations", condition=Q(translations__language=lang)),
            ctr=FilteredRelation(
                "category__translations", condition=Q(category__translations__language=lang)
            ),
        )
        fields += [f"tr__{name}" for name in _TEXT_FIELDS] + ["tr__id", "ctr__name"]
    row = product_qs.values(*fields).first()
    if row is None:
        raise product_not_found(slug)
    product_id = row["id"]
    currency = channel.currency

    with translation.override(lang):
        product_attributes = [
            r.value
            for r in _attribute_rows(
                ProductAttributeValue.objects.filter(product_id=product_id), "product_id", lang
            )
        ]
        variant_attributes: dict[int, list[AttributeValue]] = {}
        for r in _attribute_rows(
            VariantAttributeValue.objects.filter(variant__product_id=product_id),
            "variant_id",
            lang,
        ):
            variant_attributes.setdefault(r.owner_id, []).append(r.value)
        documents = [
            DocumentInfo(
                id=d["id"],
                kind=d["kind"],
                kind_label=str(DocumentKind(d["kind"]).label)
                if d["kind"] in DocumentKind.values
                else d["kind"],
                title=d["title"],
                language=d["language"],
                url=media_url(d["file"]) or "",
            )
            for d in ProductDocument.objects.filter(product_id=product_id)
            .order_by("position", "id")
            .values("id", "kind", "title", "language", "file")
        ]

    variants = [
        VariantDetail(
            id=v["id"],
            sku=v["sku"],
            gtin=v["gtin"],
            name=(v["name_en"] if lang == "en" else "") or v["name"],
            price=None if v["cp__amount"] is None else Money(v["cp__amount"], currency),
            weight_grams=v["weight_grams"],
            length_mm=v["length_mm"],
            width_mm=v["width_mm"],
            height_mm=v["height_mm"],
            attributes=variant_attributes.get(v["id"], []),
        )
        for v in ProductVariant.objects.filter(product_id=product_id)
        .annotate(
            cp=FilteredRelation("channel_prices", condition=Q(channel_prices__channel=channel))
        )
        .order_by("position", "id")
        .values(
            "id",
            "sku",
            "gtin",
            "name",
            "name_en",
            "weight_grams",
            "length_mm",
            "width_mm",
            "height_mm",
            "cp__amount",
        )
    ]
    images = [
        ImageInfo(
            id=i["id"],
            url=media_url(i["image"]) or "",
            thumbnail_url=media_url(i["thumbnail"] or i["image"]) or "",
            alt=(i["alt_en"] if lang == "en" else "") or i["alt"],
            variant_id=i["variant_id"],
            width=i["width"],
            height=i["height"],
            picture=picture_of(
                image=i["image"],
                thumbnail=i["thumbnail"],
                width=i["width"],
                height=i["height"],
                renditions=i["renditions"],
            ),
        )
        for i in ProductImage.objects.filter(product_id=product_id)
        .order_by("position", "id")
        .values(
            "id",
            "image",
            "thumbnail",
            "alt",
            "alt_en",
            "variant_id",
            "width",
            "height",
            "renditions",
        )
    ]
    price_from = row["listing__price_from"]
    text = localized_text(
        base=row,
        translation=None
        if row.get("tr__id") is None
        else {name: row[f"tr__{name}"] for name in _TEXT_FIELDS},
    )
    return ProductDetail(
        id=product_id,
        slug=row["slug"],
        name=text.name,
        description=text.description,
        seo_title=text.seo_title,
        seo_description=text.seo_description,
        brand=row["brand"],
        product_type=row["product_type__slug"],
        category=CategoryRef(
            id=row["category_id"],
            slug=row["category__slug"],
            name=row.get("ctr__name") or row["category__name"],
        ),
        price=None if price_from is None else Money(price_from, currency),
        attributes=product_attributes,
        variants=variants,
        images=images,
        documents=documents,
        model_3d_url=media_url(row["model_3d"]),
        model_3d_usdz_url=media_url(row["model_3d_usdz"]),
        tax_class_id=row["tclass"],
        allow_backorders=row["allow_backorders"],
    )
