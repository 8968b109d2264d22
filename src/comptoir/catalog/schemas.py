"""Ninja schemas of the catalog API: public reads (`*Out`) and staff writes (`*In`/`*Patch`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

# --- public -------------------------------------------------------------------------------


class Out(BaseModel):
    """Base of the public read schemas: plain pydantic models, validated from the dicts the
    handlers build (cheaper than ninja's Schema, which wraps every object for ORM access)."""


class AmountsOut(Out):
    net: str = Field(description="Tax excluded.", examples=["16.58"])
    tax: str = Field(examples=["3.32"])
    gross: str = Field(description="Tax included.", examples=["19.90"])


class PriceOut(Out):
    """A unit price in the caller's context (channel, company, price lists, promotions,
    tax treatment). `net + tax = gross`; B2C channels show `gross`, B2B channels `net`."""

    net: str = Field(description="Tax excluded.", examples=["16.58"])
    tax: str = Field(examples=["3.32"])
    gross: str = Field(description="Tax included.", examples=["19.90"])
    currency: str = Field(examples=["EUR"])
    rule: str = Field(
        description="What set the price: `base`, `price_list:<code>`, `tier:<min_qty>`, "
        "`promotion:<code>`.",
        examples=["base", "price_list:contrat-martin", "tier:10", "promotion:printemps"],
    )
    tax_rate: str = Field(description="VAT rate applied, in percent.", examples=["20", "0"])
    undiscounted: AmountsOut | None = Field(
        description="The unit price before promotions when a promotion lowered it, else null."
    )


class TierPriceOut(Out):
    net: str
    tax: str
    gross: str
    currency: str
    rule: str


class TierOut(Out):
    min_quantity: int
    price: TierPriceOut


class QuantityRuleOut(Out):
    minimum: int
    maximum: int | None
    increment: int = Field(description="Sold by multiples of this quantity.")


class CategoryOut(Out):
    slug: str
    name: str
    description: str = Field(description="Sanitised HTML.")
    seo_title: str
    seo_description: str
    children: list[CategoryOut]


class ProductListQuery(Schema):
    channel: str | None = Field(None, description="Channel code; the default channel if absent.")
    category: str | None = Field(None, description="Category slug; includes subcategories.")
    search: str | None = Field(None, description="Words to find (200 characters at most).")
    q: str | None = Field(
        None, description="Full-text search, best matches first (200 characters at most)."
    )
    attr: list[str] | None = Field(None, description="`slug:value`, repeatable.")
    in_stock: str | None = Field(None, description="`true`: only products in stock.")
    min_rating: str | None = Field(
        None, description="1 to 5: only products whose reviews average that or more."
    )
    sort: str | None = Field(None, description="name, -name, price, -price or newest.")
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")


class ProductCardOut(Out):
    id: int
    slug: str
    name: str
    brand: str
    category: str = Field(description="Slug of the product's category.")
    price: PriceOut | None = Field(
        description="The caller's lowest variant unit price ('from', at each variant's "
        "minimum quantity); null when unpriced."
    )
    thumbnail_url: str | None
    variant_count: int
    in_stock: bool


class ProductListOut(Out):
    count: int
    next: str | None
    previous: str | None
    results: list[ProductCardOut]


class CategoryRefOut(Out):
    slug: str
    name: str


class AttributeValueOut(Out):
    slug: str
    name: str
    kind: str = Field(examples=["number"])
    value: str = Field(description="Machine value, as `attr=slug:value` filters take it.")
    display: str = Field(description="Localized value with its unit.", examples=["2,5 kg"])
    unit: str


class VariantOut(Out):
    id: int
    sku: str
    gtin: str
    name: str
    price: PriceOut | None = Field(description="Unit price at the minimum quantity.")
    tiers: list[TierOut] = Field(description="Volume tiers of the caller's price list.")
    quantity_rule: QuantityRuleOut
    in_stock: bool
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    attributes: list[AttributeValueOut]


class RenditionOut(Out):
    format: str = Field(description="avif, webp, jpeg or png.", examples=["avif"])
    width: int
    height: int
    url: str = Field(description="Absolute URL of the rendition.")


class MediaOut(Out):
    url: str
    thumbnail_url: str
    alt: str
    variant_id: int | None
    width: int | None = Field(
        description="Width of the image as shown, in pixels (null until its renditions are built)."
    )
    height: int | None
    renditions: list[RenditionOut] = Field(
        description="Responsive renditions, narrowest first: each width in AVIF, WebP and a "
        "JPEG (PNG when transparent) fallback, never wider than the image."
    )


class DocumentOut(Out):
    kind: str = Field(examples=["safety_data_sheet"])
    kind_label: str
    title: str
    language: str
    url: str


class Model3dOut(Out):
    gltf_url: str | None = Field(description="glTF/GLB model for the web.")
    usdz_url: str | None = Field(description="USDZ model for iOS AR.")


class ProductDetailOut(Out):
    id: int
    slug: str
    name: str
    description: str = Field(description="Sanitised HTML.")
    seo_title: str
    seo_description: str
    brand: str
    product_type: str
    category: CategoryRefOut
    price: PriceOut | None
    in_stock: bool
    attributes: list[AttributeValueOut]
    variants: list[VariantOut]
    media: list[MediaOut]
    documents: list[DocumentOut]
    model_3d: Model3dOut | None


# --- staff --------------------------------------------------------------------------------

Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=160)]
OptSlug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]*$", max_length=160)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=100_000)]
SeoTitle = Annotated[str, StringConstraints(max_length=70)]
SeoDescription = Annotated[str, StringConstraints(max_length=300)]
ExternalRef = Annotated[str, StringConstraints(max_length=100)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Position = Annotated[int, Field(ge=0, le=2_147_483_647)]
Measure = Annotated[int, Field(ge=0, le=2_147_483_647)]
AttributeInputValue = str | Decimal | bool


class PageOut(Schema):
    count: int
    next: str | None
    previous: str | None


class TranslationIn(Schema):
    name: Name
    description: Text = ""
    seo_title: SeoTitle = ""
    seo_description: SeoDescription = ""


class TranslationOut(Schema):
    language: str
    name: str
    description: str
    seo_title: str
    seo_description: str


class CategoryIn(Schema):
    name: Name
    slug: OptSlug = ""
    parent: Slug | None = Field(None, description="Slug of the parent category.")
    description: Text = ""
    position: Position = 0
    is_active: bool = True
    seo_title: SeoTitle = ""
    seo_description: SeoDescription = ""
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class CategoryPatch(Schema):
    name: Name | None = None
    slug: Slug | None = None
    parent: Slug | None = Field(None, description="Slug of the parent; null makes it a root.")
    description: Text | None = None
    position: Position | None = None
    is_active: bool | None = None
    seo_title: SeoTitle | None = None
    seo_description: SeoDescription | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class CategoryAdminOut(Schema):
    id: int
    slug: str
    name: str
    parent: str | None
    description: str
    position: int
    is_active: bool
    seo_title: str
    seo_description: str
    external_ref: str | None
    metadata: dict[str, Any]
    translations: list[TranslationOut]


class CategoryAdminListOut(PageOut):
    results: list[CategoryAdminOut]


class ChoiceIn(Schema):
    value: Name
    value_en: Annotated[str, StringConstraints(max_length=100)] = ""
    slug: OptSlug = ""


class ChoicePatch(Schema):
    value: Name | None = None
    value_en: Annotated[str, StringConstraints(max_length=100)] | None = None
    position: Position | None = None


class ChoiceOut(Schema):
    id: int
    slug: str
    value: str
    value_en: str
    position: int


class AttributeIn(Schema):
    name: Name
    kind: str = Field(description="text, number, choice or boolean.")
    slug: OptSlug = ""
    unit: Annotated[str, StringConstraints(max_length=20)] = ""
    filterable: bool = True
    name_en: Annotated[str, StringConstraints(max_length=100)] = ""
    choices: list[ChoiceIn] = Field(default_factory=list, max_length=500)


class AttributePatch(Schema):
    name: Name | None = None
    unit: Annotated[str, StringConstraints(max_length=20)] | None = None
    filterable: bool | None = None


class AttributeTranslationIn(Schema):
    name: Name


class AttributeOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    unit: str
    filterable: bool
    translations: dict[str, str] = Field(description="Translated names by language.")
    choices: list[ChoiceOut]


class AttributeListOut(PageOut):
    results: list[AttributeOut]


class ProductTypeIn(Schema):
    name: Name
    slug: OptSlug = ""
    has_variants: bool = True
    product_attributes: list[Slug] = Field(default_factory=list, max_length=200)
    variant_attributes: list[Slug] = Field(default_factory=list, max_length=200)


class ProductTypePatch(Schema):
    name: Name | None = None
    slug: Slug | None = None
    has_variants: bool | None = None
    product_attributes: list[Slug] | None = Field(None, max_length=200)
    variant_attributes: list[Slug] | None = Field(None, max_length=200)


class ProductTypeOut(Schema):
    id: int
    slug: str
    name: str
    has_variants: bool
    product_attributes: list[str]
    variant_attributes: list[str]


class ProductTypeListOut(PageOut):
    results: list[ProductTypeOut]


class ProductIn(Schema):
    product_type: Slug
    category: Slug
    name: Name
    slug: OptSlug = ""
    description: Text = ""
    brand: Annotated[str, StringConstraints(max_length=100)] = ""
    seo_title: SeoTitle = ""
    seo_description: SeoDescription = ""
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    allow_backorders: bool = Field(False, description="Sell beyond the stock on hand.")


class ProductPatch(Schema):
    product_type: Slug | None = None
    category: Slug | None = None
    name: Name | None = None
    slug: Slug | None = None
    description: Text | None = None
    brand: Annotated[str, StringConstraints(max_length=100)] | None = None
    seo_title: SeoTitle | None = None
    seo_description: SeoDescription | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None
    allow_backorders: bool | None = None


class AttributeValueIn(Schema):
    value: AttributeInputValue = Field(
        description="Text, number (as a string or JSON number), choice slug, or true/false."
    )


class StoredAttributeOut(Schema):
    attribute: str
    kind: str
    value: str | None
    choice: str | None


class ChannelPriceOut(Schema):
    channel: str
    amount: str
    currency: str


class VariantIn(Schema):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    gtin: Annotated[str, StringConstraints(max_length=32)] = ""
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    name_en: Annotated[str, StringConstraints(max_length=200)] = ""
    position: Position | None = None
    weight_grams: Measure | None = None
    length_mm: Measure | None = None
    width_mm: Measure | None = None
    height_mm: Measure | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class VariantPatch(Schema):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    gtin: Annotated[str, StringConstraints(max_length=32)] | None = None
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    name_en: Annotated[str, StringConstraints(max_length=200)] | None = None
    position: Position | None = None
    weight_grams: Measure | None = None
    length_mm: Measure | None = None
    width_mm: Measure | None = None
    height_mm: Measure | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class VariantAdminOut(Schema):
    id: int
    product_id: int
    sku: str
    gtin: str
    name: str
    name_en: str
    position: int
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    external_ref: str | None
    metadata: dict[str, Any]
    prices: list[ChannelPriceOut]
    attributes: list[StoredAttributeOut]


class PriceIn(Schema):
    amount: Decimal = Field(description="Base price as the channel displays prices.")


class ListingIn(Schema):
    is_published: bool
    published_at: AwareDatetime | None = Field(
        None,
        description="With its UTC offset (a naive time is refused), from 1970 to 9999; "
        "400 `PUBLISHED_AT_INVALID` outside that range.",
    )


class ListingOut(Schema):
    channel: str
    is_published: bool
    published_at: datetime | None
    price_from: str | None


class ProductAdminOut(Schema):
    id: int
    slug: str
    name: str
    product_type: str
    category: str
    description: str
    brand: str
    seo_title: str
    seo_description: str
    external_ref: str | None
    metadata: dict[str, Any]
    allow_backorders: bool
    created_at: datetime
    updated_at: datetime
    translations: list[TranslationOut]
    attributes: list[StoredAttributeOut]
    variants: list[VariantAdminOut]
    listings: list[ListingOut]


class ProductAdminListOut(PageOut):
    results: list[ProductAdminOut]


# --- staff: media -------------------------------------------------------------------------

# No NUL characters: no database column can hold them (PostgreSQL refuses them).
AltText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
DocumentKindName = Annotated[str, StringConstraints(max_length=20, pattern=r"^[^\x00]*$")]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ImageIn(Schema):
    """Form fields sent with an image file (multipart/form-data)."""

    alt: AltText = Field("", description="Alternative text (French).")
    alt_en: AltText = Field("", description="Alternative text (English).")
    variant_id: RowId | None = Field(
        None, description="A variant of this product the image shows (400 VARIANT_MISMATCH)."
    )
    position: Position | None = Field(None, description="Order among the images; last if absent.")


class ImagePatch(Schema):
    alt: AltText | None = None
    alt_en: AltText | None = None
    position: Position | None = None
    variant_id: RowId | None = Field(None, description="A variant of the product; null detaches.")


class ImageAdminOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    url: str = Field(description="Absolute URL of the stored image.")
    thumbnail_url: str | None = Field(description="Absolute URL of the WebP thumbnail.")
    alt: str
    alt_en: str
    position: int
    width: int | None = Field(description="Width as shown, in pixels (EXIF orientation applied).")
    height: int | None
    renditions: list[RenditionOut] = Field(
        description="Responsive renditions (AVIF, WebP, JPEG/PNG at up to 1280 px), narrowest "
        "first."
    )


class DocumentIn(Schema):
    """Form fields sent with a document file (multipart/form-data)."""

    kind: DocumentKindName = Field(
        description="technical_sheet, safety_data_sheet, certificate, manual or other.",
        examples=["safety_data_sheet"],
    )
    title: Title
    language: Language = Field("fr", description="fr or en.")
    position: Position | None = Field(
        None, description="Order among the documents; last if absent."
    )


class DocumentPatch(Schema):
    kind: DocumentKindName | None = None
    title: Title | None = None
    language: Language | None = None
    position: Position | None = None


class DocumentAdminOut(Schema):
    id: int
    product_id: int
    kind: str
    title: str
    language: str
    position: int
    url: str = Field(description="Absolute URL of the stored file.")


class Model3dAdminOut(Schema):
    product_id: int
    gltf_url: str | None = Field(description="Absolute URL of the glTF/GLB model for the web.")
    usdz_url: str | None = Field(description="Absolute URL of the USDZ model for iOS AR.")


CategoryOut.model_rebuild()
