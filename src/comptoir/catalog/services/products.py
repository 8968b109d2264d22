"""Writes for products: create/update (description sanitised on save), translations and
product-level attribute values."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify

from comptoir.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductTranslation,
    ProductType,
    ProductVariant,
    VariantAttributeValue,
)
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    ensure_unique,
    given,
    in_use,
    product_changed,
    save_changes,
    slug_moved,
    text_checked,
    translation_save,
    validate,
)
from comptoir.catalog.services.attributes import AttributeValue, attribute_value_columns
from comptoir.catalog.services.media import image_files, remove_files
from comptoir.core.errors import InvalidInput
from comptoir.core.html import sanitize_html


@text_checked
@transaction.atomic
def product_create(
    *,
    product_type: ProductType,
    category: Category,
    name: str,
    slug: str = "",
    description: str = "",
    brand: str = "",
    seo_title: str = "",
    seo_description: str = "",
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Product:
    """Create a product. The slug defaults to the slugified name and must be free
    (Conflict SLUG_TAKEN); the description is sanitised HTML."""
    slug = slug or slugify(name)[:160]
    ensure_unique(Product, field="slug", value=slug, code="SLUG_TAKEN")
    ensure_unique(Product, field="external_ref", value=external_ref, code="EXTERNAL_REF_TAKEN")
    product = Product(
        product_type=product_type,
        category=category,
        name=name,
        slug=slug,
        description=sanitize_html(description),
        brand=brand,
        seo_title=seo_title,
        seo_description=seo_description,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    validate(product, exclude=["model_3d", "model_3d_usdz"])
    product.save()
    product_changed(product.pk)
    return product


@text_checked
@transaction.atomic
def product_update(
    *,
    product: Product,
    product_type: ProductType | Unset = UNSET,
    category: Category | Unset = UNSET,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    description: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    seo_title: str | Unset = UNSET,
    seo_description: str | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
) -> Product:
    """Change the given fields. A new product type drops the attribute values the new type
    does not have."""
    changes = given(
        product_type=product_type,
        category=category,
        name=name,
        slug=slug,
        description=description,
        brand=brand,
        seo_title=seo_title,
        seo_description=seo_description,
        external_ref=external_ref,
        metadata=metadata,
    )
    if "slug" in changes:
        ensure_unique(
            Product, field="slug", value=changes["slug"], code="SLUG_TAKEN", exclude_pk=product.pk
        )
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
        ensure_unique(
            Product,
            field="external_ref",
            value=changes["external_ref"],
            code="EXTERNAL_REF_TAKEN",
            exclude_pk=product.pk,
        )
    if "description" in changes:
        changes["description"] = sanitize_html(changes["description"])
    type_changed = (
        "product_type" in changes and changes["product_type"].pk != product.product_type_id
    )
    old_slug = product.slug
    save_changes(product, changes, exclude=["model_3d", "model_3d_usdz"])
    if "slug" in changes:
        slug_moved(old_slug=old_slug, new_slug=product.slug, product=product)
    if type_changed:
        new_type = product.product_type
        ProductAttributeValue.objects.filter(product=product).exclude(
            attribute__in=new_type.product_attributes.all()
        ).delete()
        VariantAttributeValue.objects.filter(variant__product=product).exclude(
            attribute__in=new_type.variant_attributes.all()
        ).delete()
    if changes.keys() & {"name", "description", "brand", "product_type"}:
        product_changed(product.pk)
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    """Delete a product with its variants, prices, listings and media (files removed once
    the transaction commits)."""
    files: list[FieldFile] = [product.model_3d, product.model_3d_usdz]
    files += [document.file for document in product.documents.all()]
    names = [(f.storage, f.name) for f in files if f and f.name]
    for image in product.images.all():
        names += image_files(image)
    product_changed(product.pk)
    try:
        product.delete()
    except ProtectedError as exc:  # a variant has stock and its movement ledger
        raise in_use("PRODUCT_IN_USE") from exc
    if names:
        transaction.on_commit(lambda: remove_files(names), robust=True)


@text_checked
@transaction.atomic
def product_translation_set(
    *,
    product: Product,
    language: str,
    name: str,
    description: str = "",
    seo_title: str = "",
    seo_description: str = "",
) -> ProductTranslation:
    """Create or replace the `language` translation of a product (description sanitised)."""
    product_changed(product.pk)
    return translation_save(
        ProductTranslation,
        owner={"product": product},
        language=language,
        name=name,
        description=sanitize_html(description),
        seo_title=seo_title,
        seo_description=seo_description,
    )


@text_checked
@transaction.atomic
def product_translation_delete(*, product: Product, language: str) -> None:
    if ProductTranslation.objects.filter(product=product, language=language).delete()[0]:
        product_changed(product.pk)


def _not_in_type(attribute: Attribute, level: str) -> InvalidInput:
    return InvalidInput(
        f"{attribute.name} is not a {level} attribute of this product type.",
        code="ATTRIBUTE_NOT_IN_TYPE",
        errors={attribute.slug: ["ATTRIBUTE_NOT_IN_TYPE"]},
    )


@text_checked
@transaction.atomic
def product_attribute_set(
    *, product: Product, attribute: Attribute, value: AttributeValue | None
) -> ProductAttributeValue | None:
    """Set (or with None, remove) a product-level attribute value, type-checked against the
    attribute's kind (ATTRIBUTE_VALUE_INVALID) and its product type (ATTRIBUTE_NOT_IN_TYPE)."""
    if not product.product_type.product_attributes.filter(pk=attribute.pk).exists():
        raise _not_in_type(attribute, "product")
    product_changed(product.pk)
    if value is None:
        ProductAttributeValue.objects.filter(product=product, attribute=attribute).delete()
        return None
    columns = attribute_value_columns(attribute=attribute, value=value)
    row, _created = ProductAttributeValue.objects.update_or_create(
        product=product, attribute=attribute, defaults=columns
    )
    return row


@text_checked
@transaction.atomic
def variant_attribute_set(
    *, variant: ProductVariant, attribute: Attribute, value: AttributeValue | None
) -> VariantAttributeValue | None:
    """Set (or with None, remove) a variant-level attribute value (same checks)."""
    product_type = variant.product.product_type
    if not product_type.variant_attributes.filter(pk=attribute.pk).exists():
        raise _not_in_type(attribute, "variant")
    if value is None:
        VariantAttributeValue.objects.filter(variant=variant, attribute=attribute).delete()
        return None
    columns = attribute_value_columns(attribute=attribute, value=value)
    row, _created = VariantAttributeValue.objects.update_or_create(
        variant=variant, attribute=attribute, defaults=columns
    )
    return row
