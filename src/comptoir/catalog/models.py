"""Catalog: category tree, product types with typed attributes, products and variants,
translations, media, documents, 3D models and per-channel publication."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.companies.models import Company
from comptoir.taxes.models import TaxClass

LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


class SeoFields(models.Model):
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)

    class Meta:
        abstract = True


class IntegrationFields(models.Model):
    """Every object an ERP syncs has a unique external_ref and free metadata."""

    external_ref = models.CharField(
        _("external reference"), max_length=100, unique=True, null=True, blank=True
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    class Meta:
        abstract = True


class Category(SeoFields, IntegrationFields):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class CategoryTranslation(SeoFields):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category translation")
        verbose_name_plural = _("category translations")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="catalog_categorytr_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class Attribute(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AttributeKind.choices)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("For numbers: mm, W, kg, L...")
    )
    filterable = models.BooleanField(_("filterable"), default=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit="") | Q(kind="number"),
                name="catalog_attribute_unit_only_for_numbers",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AttributeTranslation(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "language"], name="catalog_attributetr_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class AttributeChoice(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="choices")
    slug = models.SlugField(_("slug"), max_length=80)
    value = models.CharField(_("value"), max_length=100)
    value_en = models.CharField(_("value (English)"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute choice")
        verbose_name_plural = _("attribute choices")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_attrchoice_unique"),
        ]

    def __str__(self) -> str:
        return self.value

    def label(self, language: str) -> str:
        return self.value_en if language == "en" and self.value_en else self.value


class ProductType(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    has_variants = models.BooleanField(_("has variants"), default=True)
    product_attributes = models.ManyToManyField(
        Attribute, blank=True, related_name="product_types", verbose_name=_("product attributes")
    )
    variant_attributes = models.ManyToManyField(
        Attribute,
        blank=True,
        related_name="variant_product_types",
        verbose_name=_("variant attributes"),
    )
    # The tax class of its products unless a product names its own; "standard" when neither.
    tax_class = models.ForeignKey(
        TaxClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tax class"),
    )

    class Meta:
        verbose_name = _("product type")
        verbose_name_plural = _("product types")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


def model_3d_path(instance: Product, filename: str) -> str:
    return f"products/{instance.slug}/3d/{filename}"


class Product(SeoFields, IntegrationFields):
    product_type = models.ForeignKey(
        ProductType,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("product type"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitised HTML."))
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    tax_class = models.ForeignKey(
        TaxClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tax class"),
        help_text=_("Leave empty to use the product type's."),
    )
    model_3d = models.FileField(
        _("3D model (glTF/GLB)"),
        upload_to=model_3d_path,
        max_length=255,
        blank=True,
        validators=[FileExtensionValidator(["glb", "gltf"])],
    )
    model_3d_usdz = models.FileField(
        _("3D model for iOS AR (USDZ)"),
        upload_to=model_3d_path,
        max_length=255,
        blank=True,
        validators=[FileExtensionValidator(["usdz"])],
    )
    allow_backorders = models.BooleanField(
        _("allow backorders"),
        default=False,
        help_text=_("Accept orders beyond the stock on hand; they ship when stock arrives."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["id"]
        indexes = [models.Index(fields=["category", "id"], name="catalog_product_cat_idx")]

    def __str__(self) -> str:
        return self.name


class Collection(models.Model):
    """A hand-picked set of products (a season, a brand selection, "back to school"),
    across categories; promotions and pages can target it."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="collections", verbose_name=_("products")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class ProductTranslation(SeoFields):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product translation")
        verbose_name_plural = _("product translations")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language"], name="catalog_producttr_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class ProductAttributeValue(models.Model):
    """A product-level attribute value. Exactly one of the value columns is used, per kind."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="+")
    value_text = models.CharField(max_length=255, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)
    choice = models.ForeignKey(
        AttributeChoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "attribute"], name="catalog_pav_unique"),
        ]
        indexes = [
            models.Index(fields=["attribute", "choice"], name="catalog_pav_choice_idx"),
            models.Index(fields=["attribute", "value_number"], name="catalog_pav_number_idx"),
        ]

    def __str__(self) -> str:
        return str(self.attribute)


class ProductVariant(IntegrationFields):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    gtin = models.CharField(_("GTIN/EAN"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class VariantAttributeValue(models.Model):
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="attribute_values"
    )
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="+")
    value_text = models.CharField(max_length=255, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)
    choice = models.ForeignKey(
        AttributeChoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "attribute"], name="catalog_vav_unique"),
        ]
        indexes = [models.Index(fields=["attribute", "choice"], name="catalog_vav_choice_idx")]

    def __str__(self) -> str:
        return str(self.attribute)


def image_path(instance: ProductImage, filename: str) -> str:
    return f"products/{instance.product.slug}/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to=image_path, max_length=255)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=image_path, blank=True, editable=False, max_length=255
    )
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    alt_en = models.CharField(_("alternative text (English)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # The picture as shown (EXIF orientation applied); None for images stored before
    # renditions existed, until `comptoir image_renditions` runs.
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    # The responsive renditions (catalog.images.renditions_make), smallest first:
    # [{"format": "avif"|"webp"|"jpeg"|"png", "width": 640, "height": 480, "name": "..."}].
    # Their files go with the image (catalog.services.media).
    renditions = models.JSONField(_("renditions"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class DocumentKind(models.TextChoices):
    TECHNICAL_SHEET = "technical_sheet", _("Technical data sheet")
    SAFETY_DATA_SHEET = "safety_data_sheet", _("Safety data sheet")
    CERTIFICATE = "certificate", _("Certificate")
    MANUAL = "manual", _("User manual")
    OTHER = "other", _("Other")


def document_path(instance: ProductDocument, filename: str) -> str:
    return f"products/{instance.product.slug}/docs/{filename}"


class ProductDocument(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    file = models.FileField(
        _("file"),
        upload_to=document_path,
        max_length=255,
        validators=[FileExtensionValidator(["pdf", "txt", "csv", "xlsx", "docx", "zip"])],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ProductChannelListing(models.Model):
    """Publication of a product in a channel, with the lowest variant base price denormalised
    so that a listing page needs no aggregate."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="channel_listings")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="product_listings")
    is_published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    price_from = models.DecimalField(
        _("lowest price"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("channel listing")
        verbose_name_plural = _("channel listings")
        constraints = [
            models.UniqueConstraint(fields=["product", "channel"], name="catalog_pcl_unique"),
        ]
        indexes = [
            models.Index(fields=["channel", "is_published", "product"], name="catalog_pcl_pub_idx"),
            # Sort by price: a channel's published listings in price order, product id last.
            models.Index(
                fields=["channel", "is_published", "price_from", "product"],
                name="catalog_pcl_price_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.channel_id}"


class VariantChannelPrice(models.Model):
    """The base price of a variant in a channel, entered as the channel displays prices
    (tax-included for B2C channels, tax-excluded for B2B). Price lists come later."""

    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="channel_prices"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="variant_prices")
    amount = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("channel price")
        verbose_name_plural = _("channel prices")
        constraints = [
            models.UniqueConstraint(fields=["variant", "channel"], name="catalog_vcp_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="catalog_vcp_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.channel_id}: {self.amount}"


class SlugRedirect(models.Model):
    """A slug a product or category had: its old URLs move permanently (301) to the new
    one, so links and search engines follow a renamed product."""

    old_slug = models.SlugField(_("old slug"), max_length=160)
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("slug redirect")
        verbose_name_plural = _("slug redirects")
        constraints = [
            models.UniqueConstraint(
                fields=["old_slug"],
                condition=models.Q(product__isnull=False),
                name="catalog_slugredirect_product_unique",
            ),
            models.UniqueConstraint(
                fields=["old_slug"],
                condition=models.Q(category__isnull=False),
                name="catalog_slugredirect_category_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(product__isnull=True) ^ models.Q(category__isnull=True),
                name="catalog_slugredirect_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.old_slug


class SharedCatalog(models.Model):
    """What a set of companies may see and buy (Adobe Commerce B2B's custom shared catalog):
    the products of its categories (with their descendants) and its hand-picked products.
    A company assigned to active shared catalogs sees the union of them and nothing else;
    a company assigned to none, like a consumer, sees the public catalog."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="shared_catalogs", verbose_name=_("categories")
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="shared_catalogs", verbose_name=_("products")
    )
    companies = models.ManyToManyField(
        Company, blank=True, related_name="shared_catalogs", verbose_name=_("companies")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shared catalog")
        verbose_name_plural = _("shared catalogs")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
