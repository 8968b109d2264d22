"""Staff catalog API (2/2): products, their translations and attribute values, variants,
base prices per channel and publication in channels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Status

from comptoir.catalog import services
from comptoir.catalog.api.common import (
    admin_router,
    as_bad_reference,
    channel_of,
    page_request,
    paginated,
    staff,
)
from comptoir.catalog.api.staff_catalog import changes, translation_out
from comptoir.catalog.models import Product, ProductChannelListing, ProductVariant
from comptoir.catalog.schemas import (
    AttributeValueIn,
    ListingIn,
    ListingOut,
    PriceIn,
    ProductAdminListOut,
    ProductAdminOut,
    ProductIn,
    ProductPatch,
    TranslationIn,
    TranslationOut,
    VariantAdminOut,
    VariantIn,
    VariantPatch,
)
from comptoir.catalog.selectors import staff as reads
from comptoir.core.errors import NotFound
from comptoir.inventory import services as inventory


def stored_attribute_out(row: Any) -> dict[str, Any]:
    attribute = row.attribute
    value: str | None
    if row.choice_id is not None:
        value = row.choice.slug
    elif row.value_number is not None:
        value = format(Decimal(row.value_number).normalize(), "f")
    elif row.value_boolean is not None:
        value = "true" if row.value_boolean else "false"
    else:
        value = row.value_text
    return {
        "attribute": attribute.slug,
        "kind": attribute.kind,
        "value": value,
        "choice": row.choice.slug if row.choice_id is not None else None,
    }


def variant_out(variant: ProductVariant) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "gtin": variant.gtin,
        "name": variant.name,
        "name_en": variant.name_en,
        "position": variant.position,
        "weight_grams": variant.weight_grams,
        "length_mm": variant.length_mm,
        "width_mm": variant.width_mm,
        "height_mm": variant.height_mm,
        "external_ref": variant.external_ref,
        "metadata": variant.metadata,
        "prices": [
            {
                "channel": p.channel.code,
                "amount": f"{p.amount:.2f}",
                "currency": p.channel.currency,
            }
            for p in sorted(variant.channel_prices.all(), key=lambda p: p.channel_id)
        ],
        "attributes": [stored_attribute_out(v) for v in variant.attribute_values.all()],
    }


def listing_out(listing: Any) -> dict[str, Any]:
    return {
        "channel": listing.channel.code,
        "is_published": listing.is_published,
        "published_at": listing.published_at,
        "price_from": None if listing.price_from is None else f"{listing.price_from:.2f}",
    }


def product_out(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "product_type": product.product_type.slug,
        "category": product.category.slug,
        "description": product.description,
        "brand": product.brand,
        "seo_title": product.seo_title,
        "seo_description": product.seo_description,
        "external_ref": product.external_ref,
        "metadata": product.metadata,
        "allow_backorders": product.allow_backorders,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
        "translations": [
            translation_out(t) for t in sorted(product.translations.all(), key=lambda t: t.language)
        ],
        "attributes": [stored_attribute_out(v) for v in product.attribute_values.all()],
        "variants": [variant_out(v) for v in product.variants.all()],
        "listings": [
            listing_out(listing)
            for listing in sorted(product.channel_listings.all(), key=lambda x: x.channel_id)
        ],
    }


def _references(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the `category` and `product_type` slugs of a body with the objects."""
    try:
        if data.get("category") is not None:
            data["category"] = reads.category_by_slug(slug=data["category"])
    except NotFound as exc:
        raise as_bad_reference(exc, "category") from None
    try:
        if data.get("product_type") is not None:
            data["product_type"] = reads.product_type_by_slug(slug=data["product_type"])
    except NotFound as exc:
        raise as_bad_reference(exc, "product_type") from None
    return data


# --- products -----------------------------------------------------------------------------


@admin_router.get(
    "products", response=ProductAdminListOut, summary="All products, published or not"
)
def admin_list_products(
    request: HttpRequest,
    search: str | None = Query(None),
    category: str | None = Query(None, description="Category slug (that category only)."),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "catalog.view_product")
    page_req = page_request(page, page_size)
    products, count = reads.product_admin_list(page=page_req, search=search, category_slug=category)
    return paginated(request, page_req, count, [product_out(p) for p in products])


@admin_router.post("products", response={201: ProductAdminOut}, summary="Create a product")
def admin_create_product(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_product")
    data = _references(payload.model_dump())
    allow_backorders = data.pop("allow_backorders")
    with transaction.atomic():
        product = services.product_create(**data)
        if allow_backorders:
            inventory.product_backorders_set(product=product, allow=True)
    return Status(201, product_out(reads.product_admin_get(product_id=product.pk)))


@admin_router.get("products/{product_id}", response=ProductAdminOut, summary="A product")
def admin_get_product(request: HttpRequest, product_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_product")
    return product_out(reads.product_admin_get(product_id=product_id))


@admin_router.patch("products/{product_id}", response=ProductAdminOut, summary="Change a product")
def admin_update_product(
    request: HttpRequest, product_id: int, payload: ProductPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    data = _references(changes(payload, nullable=frozenset({"external_ref"})))
    allow_backorders = data.pop("allow_backorders", None)
    with transaction.atomic():
        services.product_update(product=product, **data)
        if allow_backorders is not None:
            inventory.product_backorders_set(product=product, allow=allow_backorders)
    return product_out(reads.product_admin_get(product_id=product_id))


@admin_router.delete("products/{product_id}", response={204: None}, summary="Delete a product")
def admin_delete_product(request: HttpRequest, product_id: int) -> Status[None]:
    staff(request, "catalog.delete_product")
    services.product_delete(product=reads.product_admin_get(product_id=product_id))
    return Status(204, None)


@admin_router.put(
    "products/{product_id}/translations/{language}",
    response=TranslationOut,
    summary="Set a product translation",
)
def admin_set_product_translation(
    request: HttpRequest, product_id: int, language: str, payload: TranslationIn
) -> dict[str, Any]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    tr = services.product_translation_set(
        product=product, language=language, **payload.model_dump()
    )
    return translation_out(tr)


@admin_router.delete(
    "products/{product_id}/translations/{language}",
    response={204: None},
    summary="Remove a product translation",
)
def admin_delete_product_translation(
    request: HttpRequest, product_id: int, language: str
) -> Status[None]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    services.product_translation_delete(product=product, language=language)
    return Status(204, None)


def _attribute(slug: str) -> Any:
    return reads.attribute_by_slug(slug=slug)


@admin_router.put(
    "products/{product_id}/attributes/{attribute}",
    response=ProductAdminOut,
    summary="Set a product attribute value",
)
def admin_set_product_attribute(
    request: HttpRequest, product_id: int, attribute: str, payload: AttributeValueIn
) -> dict[str, Any]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    services.product_attribute_set(
        product=product, attribute=_attribute(attribute), value=payload.value
    )
    return product_out(reads.product_admin_get(product_id=product_id))


@admin_router.delete(
    "products/{product_id}/attributes/{attribute}",
    response={204: None},
    summary="Remove a product attribute value",
)
def admin_delete_product_attribute(
    request: HttpRequest, product_id: int, attribute: str
) -> Status[None]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    services.product_attribute_set(product=product, attribute=_attribute(attribute), value=None)
    return Status(204, None)


@admin_router.put(
    "products/{product_id}/channels/{channel}",
    response=ListingOut,
    summary="Publish or hide a product in a channel",
)
def admin_set_listing(
    request: HttpRequest, product_id: int, channel: str, payload: ListingIn
) -> dict[str, Any]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    sales_channel = channel_of(channel)
    listing: ProductChannelListing | None
    if payload.is_published:
        listing = services.product_publish(
            product=product, channel=sales_channel, published_at=payload.published_at
        )
    else:
        listing = services.product_unpublish(product=product, channel=sales_channel)
    if listing is None:  # hiding a product that was never listed
        return {
            "channel": sales_channel.code,
            "is_published": False,
            "published_at": None,
            "price_from": None,
        }
    listing.channel = sales_channel
    return listing_out(listing)


# --- variants -----------------------------------------------------------------------------


@admin_router.post(
    "products/{product_id}/variants",
    response={201: VariantAdminOut},
    summary="Add a variant to a product",
)
def admin_create_variant(
    request: HttpRequest, product_id: int, payload: VariantIn
) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_productvariant")
    product = reads.product_admin_get(product_id=product_id)
    variant = services.variant_create(product=product, **payload.model_dump())
    return Status(201, variant_out(reads.variant_admin_get(variant_id=variant.pk)))


@admin_router.get("variants/{variant_id}", response=VariantAdminOut, summary="A variant")
def admin_get_variant(request: HttpRequest, variant_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_productvariant")
    return variant_out(reads.variant_admin_get(variant_id=variant_id))


@admin_router.patch("variants/{variant_id}", response=VariantAdminOut, summary="Change a variant")
def admin_update_variant(
    request: HttpRequest, variant_id: int, payload: VariantPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_productvariant")
    variant = reads.variant_admin_get(variant_id=variant_id)
    data = changes(
        payload,
        nullable=frozenset({"external_ref", "weight_grams", "length_mm", "width_mm", "height_mm"}),
    )
    services.variant_update(variant=variant, **data)
    return variant_out(reads.variant_admin_get(variant_id=variant_id))


@admin_router.delete("variants/{variant_id}", response={204: None}, summary="Delete a variant")
def admin_delete_variant(request: HttpRequest, variant_id: int) -> Status[None]:
    staff(request, "catalog.delete_productvariant")
    services.variant_delete(variant=reads.variant_admin_get(variant_id=variant_id))
    return Status(204, None)


@admin_router.put(
    "variants/{variant_id}/prices/{channel}",
    response=VariantAdminOut,
    summary="Set a variant's base price in a channel",
    description="The amount is entered as the channel displays prices (TTC for B2C "
    "channels, HT for B2B). 400 `PRICE_INVALID` for a negative amount or too many decimals.",
)
def admin_set_price(
    request: HttpRequest, variant_id: int, channel: str, payload: PriceIn
) -> dict[str, Any]:
    staff(request, "catalog.change_productvariant")
    variant = reads.variant_admin_get(variant_id=variant_id)
    services.variant_price_set(variant=variant, channel=channel_of(channel), amount=payload.amount)
    return variant_out(reads.variant_admin_get(variant_id=variant_id))


@admin_router.delete(
    "variants/{variant_id}/prices/{channel}",
    response={204: None},
    summary="Remove a variant's price in a channel",
)
def admin_delete_price(request: HttpRequest, variant_id: int, channel: str) -> Status[None]:
    staff(request, "catalog.change_productvariant")
    variant = reads.variant_admin_get(variant_id=variant_id)
    services.variant_price_remove(variant=variant, channel=channel_of(channel))
    return Status(204, None)


@admin_router.put(
    "variants/{variant_id}/attributes/{attribute}",
    response=VariantAdminOut,
    summary="Set a variant attribute value",
)
def admin_set_variant_attribute(
    request: HttpRequest, variant_id: int, attribute: str, payload: AttributeValueIn
) -> dict[str, Any]:
    staff(request, "catalog.change_productvariant")
    variant = reads.variant_admin_get(variant_id=variant_id)
    services.variant_attribute_set(
        variant=variant, attribute=_attribute(attribute), value=payload.value
    )
    return variant_out(reads.variant_admin_get(variant_id=variant_id))


@admin_router.delete(
    "variants/{variant_id}/attributes/{attribute}",
    response={204: None},
    summary="Remove a variant attribute value",
)
def admin_delete_variant_attribute(
    request: HttpRequest, variant_id: int, attribute: str
) -> Status[None]:
    staff(request, "catalog.change_productvariant")
    variant = reads.variant_admin_get(variant_id=variant_id)
    services.variant_attribute_set(variant=variant, attribute=_attribute(attribute), value=None)
    return Status(204, None)
