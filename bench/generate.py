"""The bench data generator: channels, a category tree, product types with attributes, and
`products` products with 1-3 variants, English translations, channel listings, variant
prices in both channels, attribute values, images and documents.

Rows are written in bulk: COPY (psycopg 3 `cursor.copy()`) on PostgreSQL, `bulk_create`
elsewhere (SQLite in tests). Primary keys are assigned here, so rows of one chunk can
reference each other without a round trip; sequences are reset afterwards.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from bench.vocabulary import (
    ATTRIBUTES,
    BRANDS,
    CATEGORIES,
    NORMS,
    PRODUCT_TYPES,
    QUALIFIERS,
    SENTENCES_EN,
    SENTENCES_FR,
)
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeKind,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    DocumentKind,
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
from comptoir.channels.models import Channel, PriceDisplay

CHUNK = 5000
CENT = Decimal("0.01")
VAT = Decimal("1.20")
PLACEHOLDERS = 12


@dataclass
class Leaf:
    category_id: int
    product_type_id: int
    noun_fr: str
    noun_en: str
    product_attributes: list[Attribute]
    variant_attribute: Attribute


@dataclass
class Reference:
    channels: list[Channel]
    leaves: list[Leaf]
    choices: dict[int, list[AttributeChoice]]


@dataclass
class GenerateResult:
    products: int
    created: int
    seconds: float
    skipped: bool
    counts: dict[str, int] = field(default_factory=dict)


def catalog_counts() -> dict[str, int]:
    models_: list[type[models.Model]] = [
        Channel,
        Category,
        ProductType,
        Attribute,
        Product,
        ProductTranslation,
        ProductVariant,
        ProductChannelListing,
        VariantChannelPrice,
        ProductAttributeValue,
        VariantAttributeValue,
        ProductImage,
        ProductDocument,
    ]
    return {m._meta.model_name or m.__name__: m._default_manager.count() for m in models_}


# -- reference data ------------------------------------------------------------------------


def ensure_channels() -> list[Channel]:
    """The two demo channels: a B2C shop showing tax-included prices and a B2B one."""
    specs: list[dict[str, Any]] = [
        {
            "code": "boutique-france",
            "name": "Boutique France",
            "languages": ["fr", "en"],
            "price_display": PriceDisplay.GROSS,
            "is_b2b": False,
        },
        {
            "code": "comptoir-pro",
            "name": "Comptoir Pro",
            "languages": ["fr", "en"],
            "price_display": PriceDisplay.NET,
            "is_b2b": True,
        },
    ]
    channels = []
    for spec in specs:
        channel, _ = Channel.objects.get_or_create(
            code=spec.pop("code"),
            defaults={**spec, "currency": "EUR", "default_language": "fr"},
        )
        channels.append(channel)
    return channels


def ensure_reference_data() -> Reference:
    channels = ensure_channels()
    attributes: dict[str, Attribute] = {}
    choices: dict[int, list[AttributeChoice]] = {}
    for slug, name, name_en, unit, kind, options in ATTRIBUTES:
        attribute, _ = Attribute.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "unit": unit}
        )
        AttributeTranslation.objects.get_or_create(
            attribute=attribute, language="en", defaults={"name": name_en}
        )
        attributes[slug] = attribute
        choices[attribute.pk] = [
            AttributeChoice.objects.get_or_create(
                attribute=attribute,
                slug=choice_slug,
                defaults={"value": value, "value_en": value_en, "position": position},
            )[0]
            for position, (choice_slug, value, value_en) in enumerate(options)
        ]
    product_types: dict[str, tuple[ProductType, list[Attribute], Attribute]] = {}
    for slug, name, product_attrs, variant_attr in PRODUCT_TYPES:
        product_type, created = ProductType.objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
        own = [attributes[a] for a in product_attrs]
        if created:
            product_type.product_attributes.set(own)
            product_type.variant_attributes.set([attributes[variant_attr]])
        product_types[slug] = (product_type, own, attributes[variant_attr])
    leaves: list[Leaf] = []
    for top_position, (name, name_en, type_slug, children) in enumerate(CATEGORIES):
        top = _category(name, name_en, None, top_position)
        product_type, own, variant_attribute = product_types[type_slug]
        for position, (leaf_name, leaf_en, noun_fr, noun_en) in enumerate(children):
            leaf = _category(leaf_name, leaf_en, top, position)
            leaves.append(Leaf(leaf.pk, product_type.pk, noun_fr, noun_en, own, variant_attribute))
    return Reference(channels=channels, leaves=leaves, choices=choices)


def _category(name: str, name_en: str, parent: Category | None, position: int) -> Category:
    category, _ = Category.objects.get_or_create(
        slug=slugify(name),
        defaults={
            "name": name,
            "parent": parent,
            "position": position,
            "description": f"Tout pour {name.lower()}.",
        },
    )
    CategoryTranslation.objects.get_or_create(
        category=category, language="en", defaults={"name": name_en}
    )
    return category


def ensure_placeholder_media() -> None:
    """Small real files for the image and document rows, so that code reading them works."""
    from PIL import Image

    folder = Path(settings.MEDIA_ROOT) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    for i in range(PLACEHOLDERS):
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        for suffix, size in (("", 600), ("-thumb", 240)):
            path = folder / f"placeholder-{i:02d}{suffix}.jpg"
            if not path.exists():
                Image.new("RGB", (size, size), colour).save(path, "JPEG", quality=70)
    sheet = folder / "fiche-technique.pdf"
    if not sheet.exists():
        sheet.write_bytes(b"%PDF-1.4\n% Comptoir bench placeholder\n%%EOF\n")


# -- products --------------------------------------------------------------------------------


def ean13(number: int) -> str:
    """A valid EAN-13 in the 20-29 in-store range, built from `number`."""
    body = f"20{number:010d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class Rows:
    """Rows of one chunk, per model, as tuples in the order of `COLUMNS[model]`."""

    by_model: dict[type[models.Model], list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: tuple[Any, ...]) -> None:
        self.by_model.setdefault(model, []).append(row)


COLUMNS: dict[type[models.Model], list[str]] = {
    Product: ["id", "product_type_id", "category_id", "slug", "name", "description", "brand",
              "seo_title", "seo_description", "created_at", "updated_at"],
    ProductTranslation: ["id", "product_id", "language", "name", "description", "seo_title",
                         "seo_description"],
    ProductVariant: ["id", "product_id", "sku", "gtin", "name", "name_en", "position",
                     "weight_grams", "length_mm", "width_mm", "height_mm"],
    ProductAttributeValue: ["id", "product_id", "attribute_id", "value_text", "value_number",
                            "value_boolean", "choice_id"],
    VariantAttributeValue: ["id", "variant_id", "attribute_id", "value_text", "value_number",
                            "value_boolean", "choice_id"],
    ProductChannelListing: ["id", "product_id", "channel_id", "is_published", "published_at",
                            "price_from"],
    VariantChannelPrice: ["id", "variant_id", "channel_id", "amount"],
    ProductImage: ["id", "product_id", "variant_id", "image", "thumbnail", "alt", "alt_en",
                   "position"],
    ProductDocument: ["id", "product_id", "kind", "title", "language", "file", "position"],
}  # fmt: skip
ORDER = list(COLUMNS)  # parents before children


class Ids:
    """Next primary key per model, starting after what the table already holds."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}
        for model in ORDER:
            top = model._default_manager.aggregate(top=models.Max("id"))["top"]
            self.next[model] = (top or 0) + 1

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def build_chunk(*, ref: Reference, ids: Ids, rng: random.Random, count: int, now: datetime) -> Rows:
    rows = Rows()
    b2c, b2b = ref.channels[0].pk, ref.channels[1].pk
    for _ in range(count):
        leaf = rng.choice(ref.leaves)
        pid = ids.take(Product)
        model_code = f"{chr(65 + pid % 26)}{chr(65 + pid // 26 % 26)}-{pid % 9000 + 1000}"
        qualifier = rng.choice(QUALIFIERS)
        name = f"{leaf.noun_fr} {qualifier} {model_code}"
        name_en = f"{leaf.noun_en} {qualifier} {model_code}"
        slug = f"{slugify(name)}-{pid}"
        sentence = rng.randrange(len(SENTENCES_FR))
        description = f"<p>{name} : {SENTENCES_FR[sentence]}</p>"
        rows.add(
            Product,
            (pid, leaf.product_type_id, leaf.category_id, slug, name, description,
             rng.choice(BRANDS), name[:70], SENTENCES_FR[sentence], now, now),
        )  # fmt: skip
        rows.add(
            ProductTranslation,
            (ids.take(ProductTranslation), pid, "en", name_en,
             f"<p>{name_en}: {SENTENCES_EN[sentence]}</p>", name_en[:70], SENTENCES_EN[sentence]),
        )  # fmt: skip
        for attribute in leaf.product_attributes:
            rows.add(ProductAttributeValue, _attribute_row(ids.take(ProductAttributeValue), pid,
                                                           attribute, ref, rng))  # fmt: skip
        n_variants = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        options = ref.choices[leaf.variant_attribute.pk]
        picked = rng.sample(options, min(n_variants, len(options)))
        base = Decimal(rng.randrange(290, 60000)) / 100
        gross_prices: list[Decimal] = []
        net_prices: list[Decimal] = []
        first_variant = 0
        for position, choice in enumerate(picked):
            vid = ids.take(ProductVariant)
            first_variant = first_variant or vid
            rows.add(
                ProductVariant,
                (vid, pid, f"BN{pid:07d}-{position + 1}", ean13(vid), choice.value,
                 choice.value_en, position, rng.randrange(50, 25000), rng.randrange(10, 900),
                 rng.randrange(10, 600), rng.randrange(5, 400)),
            )  # fmt: skip
            rows.add(
                VariantAttributeValue,
                (ids.take(VariantAttributeValue), vid, leaf.variant_attribute.pk, "", None, None,
                 choice.pk),
            )  # fmt: skip
            gross = (base * (1 + Decimal("0.15") * position)).quantize(CENT, ROUND_HALF_UP)
            net = (gross / VAT * Decimal("0.9")).quantize(CENT, ROUND_HALF_UP)
            gross_prices.append(gross)
            net_prices.append(net)
            rows.add(VariantChannelPrice, (ids.take(VariantChannelPrice), vid, b2c, gross))
            rows.add(VariantChannelPrice, (ids.take(VariantChannelPrice), vid, b2b, net))
        for channel_id, prices, published in (
            (b2c, gross_prices, rng.random() < 0.98),
            (b2b, net_prices, rng.random() < 0.95),
        ):
            rows.add(
                ProductChannelListing,
                (ids.take(ProductChannelListing), pid, channel_id, published,
                 now if published else None, min(prices)),
            )  # fmt: skip
        for position in range(1 + (rng.random() < 0.3)):
            k = rng.randrange(PLACEHOLDERS)
            rows.add(
                ProductImage,
                (ids.take(ProductImage), pid, first_variant if position else None,
                 f"bench/placeholder-{k:02d}.jpg", f"bench/placeholder-{k:02d}-thumb.jpg",
                 name, name_en, position),
            )  # fmt: skip
        if rng.random() < 0.2:
            rows.add(
                ProductDocument,
                (ids.take(ProductDocument), pid, DocumentKind.TECHNICAL_SHEET, "Fiche technique",
                 "fr", "bench/fiche-technique.pdf", 0),
            )  # fmt: skip
    return rows


def _attribute_row(
    row_id: int, product_id: int, attribute: Attribute, ref: Reference, rng: random.Random
) -> tuple[Any, ...]:
    text, number, boolean, choice = "", None, None, None
    if attribute.kind == AttributeKind.NUMBER:
        number = Decimal(rng.randrange(1, 3000))
    elif attribute.kind == AttributeKind.BOOLEAN:
        boolean = rng.random() < 0.5
    elif attribute.kind == AttributeKind.CHOICE:
        choice = rng.choice(ref.choices[attribute.pk]).pk
    else:
        text = rng.choice(NORMS)
    return (row_id, product_id, attribute.pk, text, number, boolean, choice)


# -- writing ---------------------------------------------------------------------------------


def _copy_columns(
    model: type[models.Model], names: Sequence[str], now: datetime
) -> tuple[list[str], tuple[Any, ...]]:
    """Columns to COPY: ours, plus constant defaults for NOT NULL fields we don't set (fields
    added to the models later), as COPY does not apply Django-side defaults."""
    extra_columns: list[str] = []
    extra_values: list[Any] = []
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    for f in model._meta.concrete_fields:
        if f.attname in names or f.primary_key:
            continue
        if f.has_default():
            value = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.null:
            continue
        elif f.blank and isinstance(f, models.CharField | models.TextField | models.FileField):
            value = ""
        else:
            raise RuntimeError(f"bench: no value for {model.__name__}.{f.name}; update COLUMNS")
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        extra_columns.append(str(f.column))
        extra_values.append(value)
    return [column_of[n] for n in names] + extra_columns, tuple(extra_values)


def copy_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    now: datetime,
) -> None:
    """Write rows (tuples in the order of `names`, primary key included) to a model's table:
    COPY on PostgreSQL, `bulk_create` elsewhere."""
    if connection.vendor == "postgresql":
        columns, extra = _copy_columns(model, names, now)
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row + extra)
    else:
        model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500
        )


def write_rows(rows: Rows, now: datetime) -> None:
    for model in ORDER:
        batch = rows.by_model.get(model, [])
        if batch:
            copy_rows(model, COLUMNS[model], batch, now)


def reset_catalog() -> None:
    """Empty the catalog tables (channels stay)."""
    catalog_models = list(apps.get_app_config("catalog").get_models(include_auto_created=True))
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in catalog_models)
        with connection.cursor() as cursor:
            # Deferred foreign key checks of earlier writes in this transaction block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    # What TRUNCATE ... CASCADE empties too: tables referencing the catalog (price list
    # entries, promotion targets...), and those referencing them, deepest first.
    ordered = [*reversed(_referencing(catalog_models)), *reversed(ORDER), *catalog_models]
    seen: set[type[models.Model]] = set()
    with connection.cursor() as cursor:
        for model in ordered:
            if model in seen:
                continue
            seen.add(model)
            if model is Category:  # PROTECT on parent: leaves before tops
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE parent_id IS NOT NULL")
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def _referencing(targets: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models of other apps with a foreign key to `targets` or to such a model, in the
    order found (a model after those it references)."""
    found: list[type[models.Model]] = []
    seen = set(targets)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in seen:
                continue
            if any(f.is_relation and f.related_model in seen for f in model._meta.concrete_fields):
                seen.add(model)
                found.append(model)
                changed = True
    return found


def analyze() -> None:
    """Planner statistics; on PostgreSQL outside a transaction, VACUUM too, which sets the
    visibility map as autovacuum would on a live database (index-only scans need it)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def generate(
    *, products: int, reset: bool = False, seed: int = 42, progress: bool = True
) -> GenerateResult:
    """Bring the catalog to `products` products. Already there (or above): nothing is done,
    unless `reset` empties the catalog first. Below: the missing products are added."""
    from tqdm import tqdm

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        _lock()
        existing = Product.objects.count()
        if not reset and existing >= products:
            ensure_search_index()
            return GenerateResult(existing, 0, 0.0, skipped=True, counts=catalog_counts())
        if reset:
            reset_catalog()
            existing = 0
        missing = products - existing
        ref = ensure_reference_data()
        ensure_placeholder_media()
        ids = Ids()
        rng = random.Random(seed + ids.next[Product])
        with tqdm(total=missing, unit="product", disable=not progress, desc="products") as bar:
            done = 0
            while done < missing:
                size = min(CHUNK, missing - done)
                write_rows(build_chunk(ref=ref, ids=ids, rng=rng, count=size, now=now), now)
                done += size
                bar.update(size)
        _reset_sequences()
    ensure_search_index()
    analyze()
    seconds = time.perf_counter() - started
    return GenerateResult(
        Product.objects.count(), missing, seconds, skipped=False, counts=catalog_counts()
    )


def ensure_search_index() -> None:
    """Bulk rows bypass the catalog services and their outbox events: (re)build the search
    index when it does not cover every product."""
    from comptoir.search.services import search_index_ensure

    search_index_ensure()


def _lock() -> None:
    """One generator at a time per database: a second one waits, then sees the data."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x636F6D70])


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), ORDER)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def summary(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in counts)
