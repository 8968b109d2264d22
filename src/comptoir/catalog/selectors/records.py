"""Read models of the catalog: frozen dataclasses that pages and the API render.

Selectors load these in a constant number of queries; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from comptoir.core.money import Money

# The language the catalog's own columns (Product.name, Category.name...) are written in;
# other languages come from the *Translation tables and the *_en columns.
BASE_LANGUAGE = "fr"


def normalize_language(language: str | None) -> str:
    """'en-GB' -> 'en'; anything the shop does not speak -> the base language."""
    code = (language or "").split("-")[0].lower()
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else BASE_LANGUAGE


@dataclass(frozen=True, slots=True)
class CategoryNode:
    id: int
    slug: str
    name: str
    description: str
    seo_title: str
    seo_description: str
    parent_id: int | None
    position: int
    children: list[CategoryNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class RenditionInfo:
    format: str  # avif, webp, jpeg or png
    mime: str
    width: int
    height: int
    url: str


@dataclass(frozen=True, slots=True)
class PictureSource:
    """A `<source>` of a `<picture>`: one modern format, every width."""

    mime: str
    srcset: str


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as a `<picture>` shows it (built by selectors.pictures.picture_of).

    `sources`: AVIF then WebP `srcset`s; `src`/`srcset`: the `<img>` fallback (JPEG, or PNG
    for transparent images; the thumbnail or original for an image without renditions);
    `width`/`height`: the image's size for the `<img>` attributes (a square when it was
    never recorded: `known_size` is then False); `full_url`: the original upload;
    `largest_url`: the widest fallback rendition (the original without renditions);
    `thumbnail_src`: the thumbnail, or `src` (for small boxes when there is no `srcset`)."""

    src: str
    srcset: str
    width: int
    height: int
    known_size: bool
    sources: tuple[PictureSource, ...]
    renditions: tuple[RenditionInfo, ...]  # narrowest first
    full_url: str
    largest_url: str
    thumbnail_src: str


@dataclass(frozen=True, slots=True)
class ProductCard:
    id: int
    slug: str
    name: str
    brand: str
    category_slug: str
    # The channel base price "from": the lowest variant price (None when no variant is priced).
    price: Money | None
    thumbnail_url: str | None
    variant_count: int
    # The first image (None without any): responsive renditions for the storefront.
    picture: Picture | None = None
    # What the price engine needs to price the card without loading its variants.
    category_id: int = 0
    tax_class_id: int | None = None
    # Free stock in a warehouse serving the channel (None: not asked, see product_cards).
    in_stock: bool | None = None


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """One attribute of a product or variant.

    `value` is the machine value, the one `attr=slug:value` filters take (choice slug,
    "true"/"false", a plain decimal number, or the text); `display` is localized for people
    ("2,5 kg", "Oui", the translated choice label).
    """

    slug: str
    name: str
    kind: str
    value: str
    display: str
    unit: str


@dataclass(frozen=True, slots=True)
class VariantDetail:
    id: int
    sku: str
    gtin: str
    name: str
    price: Money | None
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    attributes: list[AttributeValue]


@dataclass(frozen=True, slots=True)
class ImageInfo:
    id: int
    url: str
    thumbnail_url: str
    alt: str
    variant_id: int | None
    # The size as shown (None for an image stored before sizes were recorded).
    width: int | None = None
    height: int | None = None
    picture: Picture | None = None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    kind: str
    kind_label: str
    title: str
    language: str
    url: str


@dataclass(frozen=True, slots=True)
class ProductDetail:
    id: int
    slug: str
    name: str
    # Sanitised HTML.
    description: str
    seo_title: str
    seo_description: str
    brand: str
    product_type: str
    category: CategoryRef
    price: Money | None
    attributes: list[AttributeValue]
    variants: list[VariantDetail]
    images: list[ImageInfo]
    documents: list[DocumentInfo]
    model_3d_url: str | None
    model_3d_usdz_url: str | None
    tax_class_id: int | None = None
    # Orders beyond the stock are taken (they ship when stock arrives).
    allow_backorders: bool = False


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    """A parsed `attr=slug:value` filter; several values of one attribute are OR-ed."""

    slug: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProductSubset:
    """Products a listing may keep to, defined by another app: in stock (inventory), rated
    four stars and up (reviews). `product_ids` is a queryset of one column of product ids,
    used as an `IN (subquery)`; `group` gathers the exclusive choices of one filter (the
    rating thresholds), whose counts leave out the group's own chosen subset; `key` is
    stable text that names the subset in caches."""

    group: str
    key: str
    product_ids: Any = field(compare=False, hash=False)
