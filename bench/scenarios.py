"""The bench scenarios: which API requests they send, how many SQL queries one request
runs (in-process, Django test Client), and the raw SQL baseline that reads the same rows.

The raw baseline is what a hand-written data access layer would have to do for the same
response: the same tables, filters, order and page, fetched with a plain DB-API cursor
(no ORM, no serialisation). It is portable SQL so that the test suite can run it on SQLite.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.loadgen import HttpRequest
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    Product,
    ProductAttributeValue,
    ProductChannelListing,
    ProductDocument,
    ProductImage,
    ProductTranslation,
    ProductType,
    ProductVariant,
    VariantAttributeValue,
    VariantChannelPrice,
)
from comptoir.channels.models import Channel

API = "/api/v1"
CHANNELS = ("boutique-france", "comptoir-pro")
LANGUAGES = ("fr", "en")
BASE_LANGUAGE = "fr"


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One API request of a scenario, with what the raw SQL baseline needs to read the same."""

    channel: str
    language: str
    page: int = 1
    page_size: int = 48
    category: str | None = None
    slug: str | None = None
    # A bearer token: the request is sent for its user (a company buyer).
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    @property
    def path(self) -> str:
        if self.slug is not None:
            return f"{API}/products/{self.slug}?{urlencode({'channel': self.channel})}"
        params: dict[str, Any] = {"page_size": self.page_size, "channel": self.channel}
        if self.category:
            params["category"] = self.category
        if self.page != 1:
            params["page"] = self.page
        return f"{API}/products?{urlencode(params)}"

    @property
    def http(self) -> HttpRequest:
        return HttpRequest(self.path, self.headers)


# -- raw SQL ---------------------------------------------------------------------------------


class RawDb:
    """A DB-API cursor and its parameter style; SQL is written with %s placeholders."""

    def __init__(self, cursor: Any, vendor: str) -> None:
        self.cursor = cursor
        self.vendor = vendor

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.vendor == "sqlite" else sql

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self._sql(sql), list(params))
        return list(self.cursor.fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.cursor.execute(self._sql(sql), list(params))
        row = self.cursor.fetchone()
        return None if row is None else tuple(row)

    def now(self) -> Any:
        now = datetime.now(UTC)
        # Django stores SQLite datetimes as naive UTC text.
        return str(now.replace(tzinfo=None)) if self.vendor == "sqlite" else now


def _t(model: Any) -> str:
    return str(model._meta.db_table)


def _in(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def raw_channel(db: RawDb, code: str) -> int:
    row = db.one(
        f"SELECT id, code, name, currency, default_language, languages, price_display, "
        f"default_country, is_active, is_b2b FROM {_t(Channel)} WHERE code = %s AND is_active",
        [code],
    )
    if row is None:
        raise LookupError(code)
    return int(row[0])


def raw_category_ids(db: RawDb, slug: str) -> list[int]:
    cat = _t(Category)
    return [
        int(r[0])
        for r in db.rows(
            f"WITH RECURSIVE sub(id) AS ("
            f"SELECT id FROM {cat} WHERE slug = %s AND is_active "
            f"UNION ALL SELECT c.id FROM {cat} c JOIN sub ON c.parent_id = sub.id "
            f"WHERE c.is_active) SELECT id FROM sub",
            [slug],
        )
    ]


def raw_product_list(
    db: RawDb, request: ApiRequest, *, with_count: bool = True
) -> list[tuple[Any, ...]]:
    """Channel, category subtree, count, and the page of cards (thumbnail, variant count,
    translated name), as a hand-written query would read them. Returns the rows of the page.
    Without the count, the page is read whatever its offset (what a server that has the
    count in a cache reads)."""
    channel_id = raw_channel(db, request.channel)
    where = (
        "l.channel_id = %s AND l.is_published AND (l.published_at IS NULL OR l.published_at <= %s)"
    )
    params: list[Any] = [channel_id, db.now()]
    join_product = ""
    if request.category:
        ids = raw_category_ids(db, request.category)
        where += f" AND p.category_id IN ({_in(ids)})"
        params += ids
        join_product = f"JOIN {_t(Product)} p ON p.id = l.product_id"
    offset = (request.page - 1) * request.page_size
    if with_count:
        count_row = db.one(
            f"SELECT COUNT(*) FROM {_t(ProductChannelListing)} l {join_product} WHERE {where}",
            params,
        )
        if offset >= (int(count_row[0]) if count_row else 0):
            return []
    translated, join_translation, tr_params = "NULL", "", []
    if request.language != BASE_LANGUAGE:
        translated = "t.name"
        join_translation = (
            f"LEFT JOIN {_t(ProductTranslation)} t ON t.product_id = l.product_id "
            f"AND t.language = %s"
        )
        tr_params = [request.language]
    # The page of listings first (index order, OFFSET over narrow rows), then the card
    # columns and the per-row subqueries for those rows only.
    return db.rows(
        f"SELECT l.product_id, p.slug, p.name, p.brand, c.slug, l.price_from, "
        f"(SELECT COALESCE(NULLIF(i.thumbnail, ''), i.image) FROM {_t(ProductImage)} i "
        f" WHERE i.product_id = l.product_id ORDER BY i.position, i.id LIMIT 1), "
        f"(SELECT COUNT(*) FROM {_t(ProductVariant)} v WHERE v.product_id = l.product_id), "
        f"{translated} "
        f"FROM (SELECT l.product_id, l.price_from FROM {_t(ProductChannelListing)} l "
        f"{join_product} WHERE {where} ORDER BY l.product_id LIMIT %s OFFSET %s) l "
        f"JOIN {_t(Product)} p ON p.id = l.product_id "
        f"JOIN {_t(Category)} c ON c.id = p.category_id {join_translation} "
        f"ORDER BY l.product_id",
        [*params, request.page_size, offset, *tr_params],
    )


def raw_product_list_without_count(db: RawDb, request: ApiRequest) -> list[tuple[Any, ...]]:
    return raw_product_list(db, request, with_count=False)


def raw_product_detail(db: RawDb, request: ApiRequest) -> list[tuple[Any, ...]]:
    """Channel, product (listing, translation, category, type), its attribute values, its
    variants with their price and attribute values, images and documents. Returns the
    rows read: the product first, then attribute values, variant attribute values,
    documents, variants and images."""
    channel_id = raw_channel(db, request.channel)
    lang = request.language
    p, pcl, t = _t(Product), _t(ProductChannelListing), _t(ProductTranslation)
    c, ct, pt = _t(Category), _t(CategoryTranslation), _t(ProductType)
    product = db.one(
        f"SELECT p.id, p.slug, p.name, p.description, p.seo_title, p.seo_description, p.brand, "
        f"p.model_3d, p.model_3d_usdz, pt.slug, p.category_id, c.slug, c.name, l.price_from, "
        f"t.name, t.description, t.seo_title, t.seo_description, ct.name "
        f"FROM {p} p JOIN {pcl} l ON l.product_id = p.id AND l.channel_id = %s "
        f"JOIN {pt} pt ON pt.id = p.product_type_id JOIN {c} c ON c.id = p.category_id "
        f"LEFT JOIN {t} t ON t.product_id = p.id AND t.language = %s "
        f"LEFT JOIN {ct} ct ON ct.category_id = c.id AND ct.language = %s "
        f"WHERE p.slug = %s AND l.is_published "
        f"AND (l.published_at IS NULL OR l.published_at <= %s)",
        [channel_id, lang, lang, request.slug, db.now()],
    )
    if product is None:
        raise LookupError(request.slug)
    product_id = product[0]
    a, at, ch = _t(Attribute), _t(AttributeTranslation), _t(AttributeChoice)
    values = (
        "a.slug, a.name, a.kind, a.unit, x.value_text, x.value_number, x.value_boolean, "
        "ch.slug, ch.value, ch.value_en, at.name"
    )
    joins = (
        f"JOIN {a} a ON a.id = x.attribute_id LEFT JOIN {ch} ch ON ch.id = x.choice_id "
        f"LEFT JOIN {at} at ON at.attribute_id = a.id AND at.language = %s"
    )
    rows = [product]
    rows += db.rows(
        f"SELECT x.product_id, {values} FROM {_t(ProductAttributeValue)} x {joins} "
        f"WHERE x.product_id = %s ORDER BY x.product_id, x.attribute_id",
        [lang, product_id],
    )
    rows += db.rows(
        f"SELECT x.variant_id, {values} FROM {_t(VariantAttributeValue)} x "
        f"JOIN {_t(ProductVariant)} v ON v.id = x.variant_id {joins} "
        f"WHERE v.product_id = %s ORDER BY x.variant_id, x.attribute_id",
        [lang, product_id],
    )
    rows += db.rows(
        f"SELECT id, kind, title, language, file FROM {_t(ProductDocument)} "
        f"WHERE product_id = %s ORDER BY position, id",
        [product_id],
    )
    rows += db.rows(
        f"SELECT v.id, v.sku, v.gtin, v.name, v.name_en, v.weight_grams, v.length_mm, "
        f"v.width_mm, v.height_mm, cp.amount FROM {_t(ProductVariant)} v "
        f"LEFT JOIN {_t(VariantChannelPrice)} cp ON cp.variant_id = v.id "
        f"AND cp.channel_id = %s WHERE v.product_id = %s ORDER BY v.position, v.id",
        [channel_id, product_id],
    )
    rows += db.rows(
        f"SELECT id, image, thumbnail, alt, alt_en, variant_id FROM {_t(ProductImage)} "
        f"WHERE product_id = %s ORDER BY position, id",
        [product_id],
    )
    return rows


RawReader = Callable[[RawDb, ApiRequest], list[tuple[Any, ...]]]


def time_raw(db: RawDb, raw: RawReader, requests: Sequence[ApiRequest]) -> list[float]:
    """Seconds taken by the raw SQL of each request."""
    timings = []
    for request in requests:
        t0 = time.perf_counter()
        raw(db, request)
        timings.append(time.perf_counter() - t0)
    return timings


# -- query counts ----------------------------------------------------------------------------


@dataclass
class QueryCount:
    path: str
    status: int
    queries: int
    statements: list[str] = field(default_factory=list)


def count_queries(request: ApiRequest, *, cold: bool = False) -> QueryCount:
    """SQL queries run by one request, through the Django test Client (in-process).

    The request is sent twice and the second one is counted, so that one-off work (the
    first connection) does not count; `cold` empties the cache before the counted request
    (what a request pays when nothing it uses is cached, e.g. the list's count)."""
    client = Client()
    headers = request.headers
    client.get(request.path, headers=headers)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(request.path, headers=headers)
    return QueryCount(
        path=request.path,
        status=response.status_code,
        queries=len(captured.captured_queries),
        statements=[q["sql"][:400] for q in captured.captured_queries],
    )


# -- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    requests: list[ApiRequest]
    raw: RawReader
    # Other baselines, reported for information: name -> reader.
    other_raw: dict[str, RawReader] = field(default_factory=dict)


def _published_counts() -> dict[tuple[str, str], int]:
    """(channel code, category slug) -> published products, tops including their leaves."""
    counts: dict[tuple[str, str], int] = {}
    parents = dict(Category.objects.values_list("id", "parent_id"))
    slugs = dict(Category.objects.values_list("id", "slug"))
    rows = (
        ProductChannelListing.objects.filter(is_published=True)
        .values_list("channel__code", "product__category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for code, category_id, n in rows:
        node: int | None = category_id
        while node is not None:
            key = (code, slugs[node])
            counts[key] = counts.get(key, 0) + n
            node = parents.get(node)
    return counts


def list_requests(*, n: int, seed: int = 1, page_size: int = 48) -> list[ApiRequest]:
    """Product list pages: the whole channel (first 50 pages) and categories (top or leaf,
    first 3 pages), in both channels and both languages."""
    rng = random.Random(seed)
    counts = _published_counts()
    totals = dict(
        ProductChannelListing.objects.filter(is_published=True)
        .values_list("channel__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    categories = sorted({slug for _code, slug in counts})
    requests = []
    for i in range(n):
        channel = CHANNELS[i % 2]
        language = LANGUAGES[(i // 2) % 2]
        if rng.random() < 0.4 or not categories:
            pages = max(1, min(50, -(-totals.get(channel, 0) // page_size)))
            requests.append(ApiRequest(channel, language, rng.randint(1, pages), page_size))
        else:
            category = rng.choice(categories)
            pages = max(1, min(3, -(-counts.get((channel, category), 0) // page_size)))
            requests.append(
                ApiRequest(channel, language, rng.randint(1, pages), page_size, category=category)
            )
    return requests


def detail_requests(*, n: int, seed: int = 2) -> list[ApiRequest]:
    """Product details over `n` random products published in each channel (alternating)."""
    rng = random.Random(seed)
    requests = []
    for index, channel in enumerate(CHANNELS):
        ids = list(
            ProductChannelListing.objects.filter(channel__code=channel, is_published=True)
            .order_by("product_id")
            .values_list("product_id", flat=True)
        )
        picked = rng.sample(ids, min(len(ids), (n + 1 - index) // 2))
        slugs = dict(Product.objects.filter(id__in=picked).values_list("id", "slug"))
        requests += [
            ApiRequest(channel, LANGUAGES[(i // 2) % 2], slug=slugs[pid])
            for i, pid in enumerate(picked)
        ]
    rng.shuffle(requests)
    return requests


def scenarios(*, n: int, seed: int = 1) -> list[Scenario]:
    return [
        Scenario(
            "product_list",
            "Product list, page of 48 (API)",
            list_requests(n=n, seed=seed),
            raw_product_list,
            {"without_count": raw_product_list_without_count},
        ),
        Scenario(
            "product_detail",
            "Product detail (API)",
            detail_requests(n=n, seed=seed + 1),
            raw_product_detail,
        ),
    ]
