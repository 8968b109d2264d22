"""Staff reads of the catalog (the admin API): every object, published or not, fetched by id
with what its representation needs prefetched, in a constant number of queries."""

from __future__ import annotations

from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductDocument,
    ProductImage,
    ProductType,
    ProductVariant,
    VariantAttributeValue,
)
from comptoir.catalog.selectors.filters import clean_search, search_condition
from comptoir.core.errors import NotFound
from comptoir.core.pagination import PageRequest

MAX_ID = 2**63 - 1


def _not_found(kind: str, key: object, code: str) -> NotFound:
    # `kind` is a model's verbose name ("category", "product type"...), already in the catalogs.
    return NotFound(_("Unknown %(kind)s: %(key)s") % {"kind": _(kind), "key": key}, code=code)


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _valid_slug(value: str) -> bool:
    return bool(value) and len(value) <= 160 and "\x00" not in value


def _page[M: Model](queryset: QuerySet[M], page: PageRequest) -> tuple[list[M], int]:
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


# --- categories ---


def _categories() -> QuerySet[Category]:
    return Category.objects.select_related("parent").prefetch_related("translations")


def category_admin_list(*, page: PageRequest) -> tuple[list[Category], int]:
    return _page(_categories().order_by("id"), page)


def category_admin_get(*, category_id: int) -> Category:
    category = _categories().filter(pk=category_id).first() if _valid_id(category_id) else None
    if category is None:
        raise _not_found("category", category_id, "CATEGORY_NOT_FOUND")
    return category


def category_by_slug(*, slug: str) -> Category:
    """Any category (active or not) by slug; NotFound CATEGORY_NOT_FOUND."""
    category = Category.objects.filter(slug=slug).first() if _valid_slug(slug) else None
    if category is None:
        raise _not_found("category", slug, "CATEGORY_NOT_FOUND")
    return category


# --- attributes and product types ---


def _attributes() -> QuerySet[Attribute]:
    return Attribute.objects.prefetch_related("translations", "choices")


def attribute_admin_list(*, page: PageRequest) -> tuple[list[Attribute], int]:
    return _page(_attributes().order_by("id"), page)


def attribute_admin_get(*, attribute_id: int) -> Attribute:
    attribute = _attributes().filter(pk=attribute_id).first() if _valid_id(attribute_id) else None
    if attribute is None:
        raise _not_found("attribute", attribute_id, "ATTRIBUTE_NOT_FOUND")
    return attribute


def attributes_by_slugs(*, slugs: list[str]) -> list[Attribute]:
    """The attributes named by `slugs`, in that order; NotFound ATTRIBUTE_NOT_FOUND names
    the first unknown one."""
    found = {
        a.slug: a for a in Attribute.objects.filter(slug__in=[s for s in slugs if _valid_slug(s)])
    }
    for slug in slugs:
        if slug not in found:
            raise _not_found("attribute", slug, "ATTRIBUTE_NOT_FOUND")
    return [found[slug] for slug in slugs]


def attribute_by_slug(*, slug: str) -> Attribute:
    return attributes_by_slugs(slugs=[slug])[0]


def _product_types() -> QuerySet[ProductType]:
    return ProductType.objects.prefetch_related("product_attributes", "variant_attributes")


def product_type_admin_list(*, page: PageRequest) -> tuple[list[ProductType], int]:
    return _page(_product_types().order_by("id"), page)


def product_type_admin_get(*, product_type_id: int) -> ProductType:
    found = (
        _product_types().filter(pk=product_type_id).first() if _valid_id(product_type_id) else None
    )
    if found is None:
        raise _not_found("product type", product_type_id, "PRODUCT_TYPE_NOT_FOUND")
    return found


def product_type_by_slug(*, slug: str) -> ProductType:
    found = ProductType.objects.filter(slug=slug).first() if _valid_slug(slug) else None
    if found is None:
        raise _not_found("product type", slug, "PRODUCT_TYPE_NOT_FOUND")
    return found


# --- products and variants ---


def _values(model: type[ProductAttributeValue] | type[VariantAttributeValue]) -> Prefetch:
    return Prefetch(
        "attribute_values",
        queryset=model.objects.select_related("attribute", "choice").order_by("attribute_id"),
    )


def _variants() -> QuerySet[ProductVariant]:
    return ProductVariant.objects.prefetch_related(
        "channel_prices__channel", _values(VariantAttributeValue)
    )


def _products() -> QuerySet[Product]:
    return Product.objects.select_related("product_type", "category").prefetch_related(
        "translations",
        _values(ProductAttributeValue),
        Prefetch("variants", queryset=_variants().order_by("position", "id")),
        "channel_listings__channel",
    )


def product_admin_list(
    *, page: PageRequest, search: str | None = None, category_slug: str | None = None
) -> tuple[list[Product], int]:
    """All products (published or not), newest first, optionally searched or by category
    (that category only, not its descendants)."""
    products = _products().order_by("-id")
    if category_slug:
        products = products.filter(category=category_by_slug(slug=category_slug))
    terms = clean_search(search)
    if terms:
        products = products.filter(search_condition(terms, product_path="id"))
    return _page(products, page)


def product_admin_get(*, product_id: int) -> Product:
    product = _products().filter(pk=product_id).first() if _valid_id(product_id) else None
    if product is None:
        raise _not_found("product", product_id, "PRODUCT_NOT_FOUND")
    return product


def variant_admin_get(*, variant_id: int) -> ProductVariant:
    variant = (
        _variants().select_related("product").filter(pk=variant_id).first()
        if _valid_id(variant_id)
        else None
    )
    if variant is None:
        raise _not_found("variant", variant_id, "VARIANT_NOT_FOUND")
    return variant


# --- media ---


def image_admin_get(*, image_id: int) -> ProductImage:
    """An image by id with its product; NotFound IMAGE_NOT_FOUND."""
    found = (
        ProductImage.objects.select_related("product").filter(pk=image_id).first()
        if _valid_id(image_id)
        else None
    )
    if found is None:
        raise NotFound(_("Unknown image: %(id)s") % {"id": image_id}, code="IMAGE_NOT_FOUND")
    return found


def document_admin_get(*, document_id: int) -> ProductDocument:
    """A document by id with its product; NotFound DOCUMENT_NOT_FOUND."""
    found = (
        ProductDocument.objects.select_related("product").filter(pk=document_id).first()
        if _valid_id(document_id)
        else None
    )
    if found is None:
        raise NotFound(
            _("Unknown document: %(id)s") % {"id": document_id}, code="DOCUMENT_NOT_FOUND"
        )
    return found


def images_for_renditions(
    *, missing_only: bool = False, product_slugs: list[str] | None = None
) -> QuerySet[ProductImage]:
    """Images whose renditions `comptoir image_renditions` (re)builds, by id: every image,
    or those without renditions (`missing_only`), of every product or of `product_slugs`."""
    images = ProductImage.objects.order_by("pk")
    if missing_only:
        images = images.filter(renditions=[])
    if product_slugs:
        images = images.filter(product__slug__in=product_slugs)
    return images
