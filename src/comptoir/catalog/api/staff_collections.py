"""Staff catalog API: collections (hand-picked sets of products that promotions target).

Every handler checks the caller's Django model permission, then calls one service."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field, StringConstraints

from comptoir.catalog.api.common import admin_router
from comptoir.catalog.models import Collection
from comptoir.catalog.schemas import PageOut
from comptoir.catalog.services import collections as services
from comptoir.core.staff_api import page_request, paginated, patch_changes, staff

CollectionName = Annotated[str, StringConstraints(min_length=1, max_length=150)]
CollectionNameEn = Annotated[str, StringConstraints(max_length=150)]
CollectionSlug = Annotated[str, StringConstraints(max_length=80)]
ProductRef = int | Annotated[str, StringConstraints(min_length=1, max_length=160)]
Position = Annotated[int, Field(ge=0, le=2_147_483_647)]

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"


class CollectionIn(Schema):
    name: CollectionName
    slug: CollectionSlug = Field("", description="Defaults to the slugified name.")
    name_en: CollectionNameEn = ""
    is_active: bool = True
    position: Position = 0
    products: list[ProductRef] = Field(
        default_factory=list, max_length=10_000, description="Product ids or slugs."
    )


class CollectionPatch(Schema):
    name: CollectionName | None = None
    slug: CollectionSlug | None = None
    name_en: CollectionNameEn | None = None
    is_active: bool | None = None
    position: Position | None = None
    products: list[ProductRef] | None = Field(
        None, max_length=10_000, description="Replaces the products (ids or slugs)."
    )


class CollectionOut(Schema):
    id: int
    slug: str
    name: str
    name_en: str
    is_active: bool
    position: int
    products: list[str] = Field(description="Slugs of the products, sorted.")


class CollectionListOut(PageOut):
    results: list[CollectionOut]


def collection_out(collection: Collection) -> dict[str, Any]:
    return {
        "id": collection.pk,
        "slug": collection.slug,
        "name": collection.name,
        "name_en": collection.name_en,
        "is_active": collection.is_active,
        "position": collection.position,
        "products": sorted(p.slug for p in collection.products.all()),
    }


@admin_router.get(
    "collections",
    response=CollectionListOut,
    summary="All collections",
    description=f"Paginated, by position. Errors: {ACCESS}, 400 INVALID_PAGINATION.",
)
def admin_list_collections(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "catalog.view_collection")
    page_req = page_request(page, page_size)
    rows, count = services.collection_admin_list(page=page_req)
    return paginated(request, page_req, count, [collection_out(c) for c in rows])


@admin_router.post(
    "collections",
    response={201: CollectionOut},
    summary="Create a collection",
    description=(
        f"Errors: {ACCESS}, 400 INVALID_INPUT / INVALID_TEXT / PRODUCT_NOT_FOUND, "
        "409 SLUG_TAKEN, 422 VALIDATION_ERROR."
    ),
)
def admin_create_collection(request: HttpRequest, payload: CollectionIn) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_collection")
    collection = services.collection_create(**payload.model_dump())
    return Status(201, collection_out(services.collection_admin_get(collection_id=collection.pk)))


@admin_router.get(
    "collections/{collection_id}",
    response=CollectionOut,
    summary="A collection",
    description=f"Errors: {ACCESS}, 404 COLLECTION_NOT_FOUND.",
)
def admin_get_collection(request: HttpRequest, collection_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_collection")
    return collection_out(services.collection_admin_get(collection_id=collection_id))


@admin_router.patch(
    "collections/{collection_id}",
    response=CollectionOut,
    summary="Change a collection",
    description=(
        f"Only the fields sent change; `products` replaces the products. Errors: {ACCESS}, "
        "404 COLLECTION_NOT_FOUND, 400 INVALID_INPUT / INVALID_TEXT / PRODUCT_NOT_FOUND, "
        "409 SLUG_TAKEN, 422 VALIDATION_ERROR."
    ),
)
def admin_update_collection(
    request: HttpRequest, collection_id: int, payload: CollectionPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_collection")
    collection = services.collection_admin_get(collection_id=collection_id)
    services.collection_update(collection=collection, **patch_changes(payload))
    return collection_out(services.collection_admin_get(collection_id=collection_id))


@admin_router.delete(
    "collections/{collection_id}",
    response={204: None},
    summary="Delete a collection",
    description=f"Errors: {ACCESS}, 404 COLLECTION_NOT_FOUND, 409 COLLECTION_IN_USE.",
)
def admin_delete_collection(request: HttpRequest, collection_id: int) -> Status[None]:
    staff(request, "catalog.delete_collection")
    services.collection_delete(
        collection=services.collection_admin_get(collection_id=collection_id)
    )
    return Status(204, None)
