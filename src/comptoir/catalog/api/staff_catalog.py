"""Staff catalog API (1/2): categories, attributes and their choices, product types.

Every handler checks the caller's Django model permission, then calls one service (writes)
or a staff selector (reads)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status

from comptoir.catalog import services
from comptoir.catalog.api.common import (
    admin_router,
    as_bad_reference,
    page_request,
    paginated,
    staff,
)
from comptoir.catalog.models import Attribute, AttributeChoice, Category, ProductType
from comptoir.catalog.schemas import (
    AttributeIn,
    AttributeListOut,
    AttributeOut,
    AttributePatch,
    AttributeTranslationIn,
    CategoryAdminListOut,
    CategoryAdminOut,
    CategoryIn,
    CategoryPatch,
    ChoiceIn,
    ChoiceOut,
    ChoicePatch,
    ProductTypeIn,
    ProductTypeListOut,
    ProductTypeOut,
    ProductTypePatch,
    TranslationIn,
    TranslationOut,
)
from comptoir.catalog.selectors import staff as reads
from comptoir.core.errors import NotFound
from comptoir.core.staff_api import patch_changes

# The one PATCH helper (translated messages), under the name the catalog API uses.
changes = patch_changes


def translation_out(tr: Any) -> dict[str, Any]:
    return {
        "language": tr.language,
        "name": tr.name,
        "description": getattr(tr, "description", ""),
        "seo_title": getattr(tr, "seo_title", ""),
        "seo_description": getattr(tr, "seo_description", ""),
    }


# --- categories ---------------------------------------------------------------------------


def category_out(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "slug": category.slug,
        "name": category.name,
        "parent": category.parent.slug if category.parent else None,
        "description": category.description,
        "position": category.position,
        "is_active": category.is_active,
        "seo_title": category.seo_title,
        "seo_description": category.seo_description,
        "external_ref": category.external_ref,
        "metadata": category.metadata,
        "translations": [
            translation_out(t)
            for t in sorted(category.translations.all(), key=lambda t: t.language)
        ],
    }


def _parent(slug: str | None) -> Category | None:
    if slug is None:
        return None
    try:
        return reads.category_by_slug(slug=slug)
    except NotFound as exc:
        raise as_bad_reference(exc, "parent") from None


@admin_router.get("categories", response=CategoryAdminListOut, summary="All categories")
def admin_list_categories(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "catalog.view_category")
    page_req = page_request(page, page_size)
    categories, count = reads.category_admin_list(page=page_req)
    return paginated(request, page_req, count, [category_out(c) for c in categories])


@admin_router.post("categories", response={201: CategoryAdminOut}, summary="Create a category")
def admin_create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_category")
    data = payload.model_dump()
    data["parent"] = _parent(payload.parent)
    category = services.category_create(**data)
    return Status(201, category_out(reads.category_admin_get(category_id=category.pk)))


@admin_router.get("categories/{category_id}", response=CategoryAdminOut, summary="A category")
def admin_get_category(request: HttpRequest, category_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_category")
    return category_out(reads.category_admin_get(category_id=category_id))


@admin_router.patch(
    "categories/{category_id}", response=CategoryAdminOut, summary="Change a category"
)
def admin_update_category(
    request: HttpRequest, category_id: int, payload: CategoryPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_category")
    category = reads.category_admin_get(category_id=category_id)
    data = changes(payload, nullable=frozenset({"parent", "external_ref"}))
    if "parent" in data:
        data["parent"] = _parent(data["parent"])
    services.category_update(category=category, **data)
    return category_out(reads.category_admin_get(category_id=category_id))


@admin_router.put(
    "categories/{category_id}/translations/{language}",
    response=TranslationOut,
    summary="Set a category translation",
)
def admin_set_category_translation(
    request: HttpRequest, category_id: int, language: str, payload: TranslationIn
) -> dict[str, Any]:
    staff(request, "catalog.change_category")
    category = reads.category_admin_get(category_id=category_id)
    tr = services.category_translation_set(
        category=category, language=language, **payload.model_dump()
    )
    return translation_out(tr)


@admin_router.delete(
    "categories/{category_id}/translations/{language}",
    response={204: None},
    summary="Remove a category translation",
)
def admin_delete_category_translation(
    request: HttpRequest, category_id: int, language: str
) -> Status[None]:
    staff(request, "catalog.change_category")
    category = reads.category_admin_get(category_id=category_id)
    services.category_translation_delete(category=category, language=language)
    return Status(204, None)


# --- attributes ---------------------------------------------------------------------------


def choice_out(choice: AttributeChoice) -> dict[str, Any]:
    return {
        "id": choice.pk,
        "slug": choice.slug,
        "value": choice.value,
        "value_en": choice.value_en,
        "position": choice.position,
    }


def attribute_out(attribute: Attribute) -> dict[str, Any]:
    return {
        "id": attribute.pk,
        "slug": attribute.slug,
        "name": attribute.name,
        "kind": attribute.kind,
        "unit": attribute.unit,
        "filterable": attribute.filterable,
        "translations": {t.language: t.name for t in attribute.translations.all()},
        "choices": [
            choice_out(c) for c in sorted(attribute.choices.all(), key=lambda c: (c.position, c.pk))
        ],
    }


@admin_router.get("attributes", response=AttributeListOut, summary="All attributes")
def admin_list_attributes(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "catalog.view_attribute")
    page_req = page_request(page, page_size)
    attributes, count = reads.attribute_admin_list(page=page_req)
    return paginated(request, page_req, count, [attribute_out(a) for a in attributes])


@admin_router.post("attributes", response={201: AttributeOut}, summary="Create an attribute")
def admin_create_attribute(request: HttpRequest, payload: AttributeIn) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_attribute")
    data = payload.model_dump(exclude={"choices"})
    choices = [services.ChoiceSpec(**c.model_dump()) for c in payload.choices]
    attribute = services.attribute_create(**data, choices=choices)
    return Status(201, attribute_out(reads.attribute_admin_get(attribute_id=attribute.pk)))


@admin_router.get("attributes/{attribute_id}", response=AttributeOut, summary="An attribute")
def admin_get_attribute(request: HttpRequest, attribute_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_attribute")
    return attribute_out(reads.attribute_admin_get(attribute_id=attribute_id))


@admin_router.patch(
    "attributes/{attribute_id}", response=AttributeOut, summary="Change an attribute"
)
def admin_update_attribute(
    request: HttpRequest, attribute_id: int, payload: AttributePatch
) -> dict[str, Any]:
    staff(request, "catalog.change_attribute")
    attribute = reads.attribute_admin_get(attribute_id=attribute_id)
    services.attribute_update(attribute=attribute, **changes(payload))
    return attribute_out(reads.attribute_admin_get(attribute_id=attribute_id))


@admin_router.put(
    "attributes/{attribute_id}/translations/{language}",
    response=AttributeOut,
    summary="Set an attribute's translated name",
)
def admin_set_attribute_translation(
    request: HttpRequest, attribute_id: int, language: str, payload: AttributeTranslationIn
) -> dict[str, Any]:
    staff(request, "catalog.change_attribute")
    attribute = reads.attribute_admin_get(attribute_id=attribute_id)
    services.attribute_translation_set(attribute=attribute, language=language, name=payload.name)
    return attribute_out(reads.attribute_admin_get(attribute_id=attribute_id))


@admin_router.post(
    "attributes/{attribute_id}/choices",
    response={201: ChoiceOut},
    summary="Add a choice to a choice attribute",
)
def admin_add_choice(
    request: HttpRequest, attribute_id: int, payload: ChoiceIn
) -> Status[dict[str, Any]]:
    staff(request, "catalog.change_attribute")
    attribute = reads.attribute_admin_get(attribute_id=attribute_id)
    choice = services.attribute_choice_add(attribute=attribute, **payload.model_dump())
    return Status(201, choice_out(choice))


@admin_router.patch(
    "attributes/{attribute_id}/choices/{choice_id}",
    response=ChoiceOut,
    summary="Change a choice",
)
def admin_update_choice(
    request: HttpRequest, attribute_id: int, choice_id: int, payload: ChoicePatch
) -> dict[str, Any]:
    staff(request, "catalog.change_attribute")
    attribute = reads.attribute_admin_get(attribute_id=attribute_id)
    choice = next((c for c in attribute.choices.all() if c.pk == choice_id), None)
    if choice is None:
        raise NotFound(f"Unknown choice: {choice_id}", code="ATTRIBUTE_CHOICE_NOT_FOUND")
    services.attribute_choice_update(choice=choice, **changes(payload))
    return choice_out(choice)


# --- product types ------------------------------------------------------------------------


def product_type_out(product_type: ProductType) -> dict[str, Any]:
    return {
        "id": product_type.pk,
        "slug": product_type.slug,
        "name": product_type.name,
        "has_variants": product_type.has_variants,
        "product_attributes": sorted(a.slug for a in product_type.product_attributes.all()),
        "variant_attributes": sorted(a.slug for a in product_type.variant_attributes.all()),
    }


def _attributes(slugs: list[str], field: str) -> list[Attribute]:
    try:
        return reads.attributes_by_slugs(slugs=slugs)
    except NotFound as exc:
        raise as_bad_reference(exc, field) from None


@admin_router.get("product-types", response=ProductTypeListOut, summary="All product types")
def admin_list_product_types(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "catalog.view_producttype")
    page_req = page_request(page, page_size)
    types, count = reads.product_type_admin_list(page=page_req)
    return paginated(request, page_req, count, [product_type_out(t) for t in types])


@admin_router.post("product-types", response={201: ProductTypeOut}, summary="Create a product type")
def admin_create_product_type(
    request: HttpRequest, payload: ProductTypeIn
) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_producttype")
    product_type = services.product_type_create(
        name=payload.name,
        slug=payload.slug,
        has_variants=payload.has_variants,
        product_attributes=_attributes(payload.product_attributes, "product_attributes"),
        variant_attributes=_attributes(payload.variant_attributes, "variant_attributes"),
    )
    return Status(
        201, product_type_out(reads.product_type_admin_get(product_type_id=product_type.pk))
    )


@admin_router.get(
    "product-types/{product_type_id}", response=ProductTypeOut, summary="A product type"
)
def admin_get_product_type(request: HttpRequest, product_type_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_producttype")
    return product_type_out(reads.product_type_admin_get(product_type_id=product_type_id))


@admin_router.patch(
    "product-types/{product_type_id}", response=ProductTypeOut, summary="Change a product type"
)
def admin_update_product_type(
    request: HttpRequest, product_type_id: int, payload: ProductTypePatch
) -> dict[str, Any]:
    staff(request, "catalog.change_producttype")
    product_type = reads.product_type_admin_get(product_type_id=product_type_id)
    data = changes(payload)
    for field in ("product_attributes", "variant_attributes"):
        if field in data:
            data[field] = _attributes(data[field], field)
    services.product_type_update(product_type=product_type, **data)
    return product_type_out(reads.product_type_admin_get(product_type_id=product_type_id))
