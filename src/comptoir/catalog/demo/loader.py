"""Load the demo store: `demo_load(limit=None)`.

Idempotent: channels, accounts, attributes, product types and categories are looked up
by code / email / slug and created through the services only when missing; products are
keyed by `external_ref` ("demo:<slug>") and skipped when present, so a second run makes a
handful of queries. New products are inserted with bulk_create (validated with
full_clean first), then `price_from` is computed by the pricing service, and thumbnails and
renditions by comptoir.catalog.images, the same code the admin and the API use."""

# ruff: noqa: RUF001 - typographic signs (multiplication sign, en dash) are intended in French text

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from comptoir.catalog import services
from comptoir.catalog.demo import media
from comptoir.catalog.demo.build import ProductSpec, selection
from comptoir.catalog.demo.reference import (
    ACCOUNTS,
    ATTRIBUTES,
    CATEGORIES,
    CHANNELS,
    PRODUCT_TYPES,
)
from comptoir.catalog.images import renditions_make, thumbnail_webp
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeKind,
    Category,
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
from comptoir.catalog.selectors.staff import images_for_renditions
from comptoir.channels.models import Channel
from comptoir.channels.services import channel_create
from comptoir.core.errors import InvalidInput

B2C, B2B = "boutique-france", "comptoir-pro"
BATCH = 500
Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoSummary:
    created: int
    skipped: int
    seconds: float


def _quiet(message: str) -> None:
    """Default logger: say nothing."""


def _prepare[M: models.Model](instance: M, *, exclude: Sequence[str] = ()) -> M:
    """Field validation before a bulk insert (relations and uniqueness are ensured by
    construction, so their queries are skipped)."""
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    return instance


def ensure_channels() -> dict[str, Channel]:
    channels = {c.code: c for c in Channel.objects.filter(code__in=[s["code"] for s in CHANNELS])}
    for spec in CHANNELS:
        if spec["code"] not in channels:
            channels[spec["code"]] = channel_create(**spec)
    return channels


def ensure_accounts() -> int:
    user_model = get_user_model()
    existing = set(
        user_model.objects.filter(email__in=[a[0] for a in ACCOUNTS]).values_list(
            "email", flat=True
        )
    )
    created = 0
    for email, password, first_name, last_name, _role, staff in ACCOUNTS:
        if email in existing:
            continue
        user_model.objects.create_user(
            email,
            password,
            first_name=first_name,
            last_name=last_name,
            is_staff=staff,
            is_superuser=staff,
        )
        created += 1
    return created


def ensure_attributes() -> tuple[dict[str, Attribute], dict[tuple[str, str], AttributeChoice]]:
    attributes = {a.slug: a for a in Attribute.objects.filter(slug__in=list(ATTRIBUTES))}
    for slug, (name, name_en, kind, unit, choices) in ATTRIBUTES.items():
        if slug not in attributes:
            attributes[slug] = services.attribute_create(
                name=name,
                name_en=name_en,
                kind=kind,
                slug=slug,
                unit=unit,
                choices=[
                    services.ChoiceSpec(value=fr, value_en=en, slug=c) for c, fr, en in choices
                ],
            )
    choices_by_key = {
        (choice.attribute.slug, choice.slug): choice
        for choice in AttributeChoice.objects.filter(
            attribute__in=attributes.values()
        ).select_related("attribute")
    }
    for slug, (_name, _en, _kind, _unit, choices) in ATTRIBUTES.items():
        for choice_slug, fr, en in choices:
            if (slug, choice_slug) not in choices_by_key:
                choices_by_key[slug, choice_slug] = services.attribute_choice_add(
                    attribute=attributes[slug], value=fr, value_en=en, slug=choice_slug
                )
    return attributes, choices_by_key


def ensure_product_types(attributes: dict[str, Attribute]) -> dict[str, ProductType]:
    types = {t.slug: t for t in ProductType.objects.filter(slug__in=list(PRODUCT_TYPES))}
    for slug, (name, has_variants, product_attrs, variant_attrs, _shape) in PRODUCT_TYPES.items():
        if slug not in types:
            types[slug] = services.product_type_create(
                name=name,
                slug=slug,
                has_variants=has_variants,
                product_attributes=[attributes[a] for a in product_attrs],
                variant_attributes=[attributes[a] for a in variant_attrs],
            )
    return types


def ensure_categories() -> dict[str, Category]:
    wanted = [(top, None) for top in CATEGORIES] + [
        (child, top.slug) for top in CATEGORIES for child in top.children
    ]
    categories = {c.slug: c for c in Category.objects.filter(slug__in=[c.slug for c, _ in wanted])}
    for position, (spec, parent) in enumerate(wanted):
        if spec.slug in categories:
            continue
        category = services.category_create(
            name=spec.fr,
            slug=spec.slug,
            parent=categories[parent] if parent else None,
            position=position,
            seo_title=spec.fr,
        )
        services.category_translation_set(
            category=category, language="en", name=spec.en, seo_title=spec.en
        )
        categories[spec.slug] = category
    return categories


class _Loader:
    """Bulk insertion of the missing products, with their media."""

    def __init__(self, *, log: Log) -> None:
        self.log = log
        self.channels = ensure_channels()
        ensure_accounts()
        self.attributes, self.choices = ensure_attributes()
        self.types = ensure_product_types(self.attributes)
        self.categories = ensure_categories()
        self.colors = {top.slug: top.color for top in CATEGORIES}

    def value(self, slug: str, raw: object) -> dict[str, Any]:
        attribute = self.attributes[slug]
        value = self.choices[slug, str(raw)] if attribute.kind == AttributeKind.CHOICE else raw
        return services.attribute_value_columns(attribute=attribute, value=value)  # type: ignore[arg-type]

    def missing(self, specs: list[ProductSpec]) -> list[ProductSpec]:
        refs = [s.ref for s in specs]
        present = set(
            Product.objects.filter(external_ref__in=refs).values_list("external_ref", flat=True)
        )
        present |= {
            f"demo:{slug}"
            for slug in Product.objects.filter(slug__in=[s.slug for s in specs]).values_list(
                "slug", flat=True
            )
        }
        skus = {v.sku for s in specs if s.ref not in present for v in s.variants}
        taken = set(ProductVariant.objects.filter(sku__in=skus).values_list("sku", flat=True))
        return [
            s for s in specs if s.ref not in present and not any(v.sku in taken for v in s.variants)
        ]

    def insert(self, specs: list[ProductSpec]) -> None:
        products = Product.objects.bulk_create(
            [
                _prepare(
                    Product(
                        product_type=self.types[s.type],
                        category=self.categories[s.category],
                        slug=s.slug,
                        name=s.name,
                        description=s.description,
                        brand=s.brand,
                        seo_title=s.name[:70],
                        external_ref=s.ref,
                        metadata={"demo": True},
                    ),
                    exclude=["product_type", "category"],
                )
                for s in specs
            ],
            batch_size=BATCH,
        )
        self.log(f"  {len(products)} products")
        pairs = list(zip(specs, products, strict=True))
        ProductTranslation.objects.bulk_create(
            [
                ProductTranslation(
                    product=p,
                    language="en",
                    name=s.name_en,
                    description=s.description_en,
                    seo_title=s.name_en[:70],
                )
                for s, p in pairs
            ],
            batch_size=BATCH,
        )
        ProductAttributeValue.objects.bulk_create(
            [
                ProductAttributeValue(
                    product=p, attribute=self.attributes[slug], **self.value(slug, raw)
                )
                for s, p in pairs
                for slug, raw in s.attrs.items()
            ],
            batch_size=BATCH,
        )
        variants = self.insert_variants(pairs)
        self.log(f"  {len(variants)} variants with prices")
        now = timezone.now()
        ProductChannelListing.objects.bulk_create(
            [
                ProductChannelListing(product=p, channel=c, is_published=True, published_at=now)
                for _s, p in pairs
                for c in self.channels.values()
            ],
            batch_size=BATCH,
        )
        services.product_listing_refresh_prices(product_ids=[p.pk for p in products])
        self.insert_media(pairs)

    def insert_variants(self, pairs: list[tuple[ProductSpec, Product]]) -> list[ProductVariant]:
        rows = [
            (
                v,
                _prepare(
                    ProductVariant(
                        product=p,
                        sku=v.sku,
                        gtin=services.gtin_normalize(v.gtin),
                        name=v.name,
                        name_en=v.name_en,
                        position=v.position,
                        weight_grams=v.weight_grams,
                        length_mm=v.dims[0],
                        width_mm=v.dims[1],
                        height_mm=v.dims[2],
                        external_ref=f"demo:{v.sku}",
                    ),
                    exclude=["product"],
                ),
            )
            for s, p in pairs
            for v in s.variants
        ]
        variants = ProductVariant.objects.bulk_create([row for _v, row in rows], batch_size=BATCH)
        VariantAttributeValue.objects.bulk_create(
            [
                VariantAttributeValue(
                    variant=row, attribute=self.attributes[slug], **self.value(slug, raw)
                )
                for v, row in rows
                for slug, raw in v.attrs.items()
            ],
            batch_size=BATCH,
        )
        b2c, b2b = self.channels[B2C], self.channels[B2B]
        prices = [
            VariantChannelPrice(
                variant=row, channel=b2b, amount=services.price_check(v.net, currency=b2b.currency)
            )
            for v, row in rows
        ] + [
            VariantChannelPrice(
                variant=row,
                channel=b2c,
                amount=services.price_check(v.gross, currency=b2c.currency),
            )
            for v, row in rows
            if v.gross is not None
        ]
        VariantChannelPrice.objects.bulk_create(prices, batch_size=BATCH)
        return variants

    def insert_media(self, pairs: list[tuple[ProductSpec, Product]]) -> None:
        storage = ProductImage._meta.get_field("image").storage
        images, documents = [], []
        for s, p in pairs:
            shape = PRODUCT_TYPES[s.type][4]
            data = media.tile_jpeg(s.name, color=self.colors[s.top_category], shape=shape)
            folder = f"products/{s.slug}"
            # File fields hold 100 characters: short names under the product's folder.
            image = storage.save(f"{folder}/photo.jpg", ContentFile(data), max_length=100)
            thumbnail = storage.save(
                f"{folder}/photo-thumb.webp", ContentFile(thumbnail_webp(data)), max_length=100
            )
            made = renditions_make(data)
            renditions = services.renditions_save(
                storage=storage, image_name=image, made=made, stored=[]
            )
            images.append(
                ProductImage(
                    product=p,
                    image=image,
                    thumbnail=thumbnail,
                    alt=s.name,
                    alt_en=s.name_en,
                    width=made.width,
                    height=made.height,
                    renditions=renditions,
                )
            )
            for position, (kind, language, title, pdf) in enumerate(self.documents(s)):
                name = storage.save(
                    f"{folder}/docs/{kind}-{language}.pdf", ContentFile(pdf), max_length=100
                )
                documents.append(
                    ProductDocument(
                        product=p,
                        kind=kind,
                        title=title,
                        language=language,
                        file=name,
                        position=position,
                    )
                )
            if s.model_3d:
                width, depth, height = (d / 1000 for d in s.variants[0].dims)
                glb = media.cube_glb((width, height, depth), name=s.slug)
                services.model_3d_set(product=p, file=glb, filename="model.glb")
        ProductImage.objects.bulk_create(images, batch_size=BATCH)
        ProductDocument.objects.bulk_create(documents, batch_size=BATCH)
        self.log(
            f"  {len(images)} images with thumbnails and renditions, {len(documents)} documents"
        )

    def documents(self, spec: ProductSpec) -> list[tuple[str, str, str, bytes]]:
        if not spec.document:
            return []
        details = [f"Marque : {spec.brand}", ""]
        details += [f"{v.sku}  EAN {v.gtin}  {v.name}".rstrip() for v in spec.variants]
        details += ["", *(self.describe(slug, raw) for slug, raw in spec.attrs.items())]
        first = spec.variants[0]
        details += [
            f"Poids : {first.weight_grams} g",
            "Dimensions : {} × {} × {} mm".format(*first.dims),
        ]
        footer = "Document de démonstration généré par Comptoir, sans valeur contractuelle."
        titles = {
            DocumentKind.TECHNICAL_SHEET: "Fiche technique",
            DocumentKind.SAFETY_DATA_SHEET: "Fiche de données de sécurité",
            DocumentKind.CERTIFICATE: "Déclaration UE de conformité",
        }
        kind = DocumentKind(spec.document)
        title = f"{titles[kind]} – {spec.name}"
        docs = [
            (kind.value, "fr", title, media.pdf_sheet(title, spec.name, details, footer=footer))
        ]
        if kind == DocumentKind.SAFETY_DATA_SHEET:
            title_en = f"Safety data sheet – {spec.name_en}"
            lines = [
                f"Brand: {spec.brand}",
                "Sections 1 to 16 according to Regulation (EC) No 1907/2006 (REACH).",
            ]
            pdf = media.pdf_sheet(title_en, spec.name_en, lines, footer="Comptoir demo document.")
            docs.append((kind.value, "en", title_en, pdf))
        return docs

    def describe(self, slug: str, raw: object) -> str:
        name, _en, kind, unit, choices = ATTRIBUTES[slug]
        if kind == AttributeKind.CHOICE:
            text = next(fr for c, fr, _ in choices if c == raw)
        elif kind == AttributeKind.BOOLEAN:
            text = "oui" if raw else "non"
        else:
            text = f"{str(raw).replace('.', ',')} {unit}".strip()
        return f"{name} : {text}"


def _renditions_missing() -> int:
    """Build the renditions of images stored before they existed (a demo store loaded by an
    earlier version); an image whose file is gone is left as it is."""
    built = 0
    for image in images_for_renditions(missing_only=True).iterator(chunk_size=200):
        try:
            services.image_renditions_refresh(image=image)
        except (InvalidInput, OSError):
            continue
        built += 1
    return built


def demo_load(*, limit: int | None = None, log: Log = _quiet) -> DemoSummary:
    """Create what is missing of the demo store (all of it on an empty database)."""
    started = time.monotonic()
    specs = selection(limit)
    with transaction.atomic():
        loader = _Loader(log=log)
        todo = loader.missing(specs)
        if todo:
            log(f"Loading {len(todo)} demo products...")
            loader.insert(todo)
    built = _renditions_missing()
    if built:
        log(f"  renditions built for {built} earlier images")
    return DemoSummary(
        created=len(todo),
        skipped=len(specs) - len(todo),
        seconds=time.monotonic() - started,
    )
