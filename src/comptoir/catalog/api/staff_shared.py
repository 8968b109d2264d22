"""Staff catalog API: shared catalogs (which categories and products a set of companies
may see and buy). Every handler checks the caller's Django model permission, then calls
one service or selector."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field, StringConstraints

from comptoir.catalog.api.common import admin_router
from comptoir.catalog.models import SharedCatalog
from comptoir.catalog.schemas import PageOut
from comptoir.catalog.selectors import shared as reads
from comptoir.catalog.services import shared as services
from comptoir.core.staff_api import page_request, paginated, patch_changes, staff

Code = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=150)]
Ref = int | Annotated[str, StringConstraints(min_length=1, max_length=160)]

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"
BAD = (
    "400 INVALID_INPUT / INVALID_TEXT / CATEGORY_NOT_FOUND / PRODUCT_NOT_FOUND / "
    "COMPANY_NOT_FOUND, 409 CODE_TAKEN, 422 VALIDATION_ERROR"
)


class SharedCatalogIn(Schema):
    code: Code = Field(description="A slug, unique.")
    name: Name
    description: str = ""
    is_active: bool = True
    categories: list[Ref] = Field(
        default_factory=list, max_length=10_000, description="Category ids or slugs."
    )
    products: list[Ref] = Field(
        default_factory=list, max_length=10_000, description="Product ids or slugs."
    )
    companies: list[int] = Field(default_factory=list, max_length=10_000)


class SharedCatalogPatch(Schema):
    code: Code | None = None
    name: Name | None = None
    description: str | None = None
    is_active: bool | None = None
    categories: list[Ref] | None = Field(None, max_length=10_000)
    products: list[Ref] | None = Field(None, max_length=10_000)
    companies: list[int] | None = Field(None, max_length=10_000)


class SharedCatalogOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool
    categories: list[str] = Field(description="Slugs of the categories, sorted.")
    products: list[str] = Field(description="Slugs of the products, sorted.")
    companies: list[int] = Field(description="Ids of the companies, sorted.")


class SharedCatalogListOut(PageOut):
    results: list[SharedCatalogOut]


def shared_catalog_out(catalog: SharedCatalog) -> dict[str, Any]:
    return {
        "id": catalog.pk,
        "code": catalog.code,
        "name": catalog.name,
        "description": catalog.description,
        "is_active": catalog.is_active,
        "categories": sorted(c.slug for c in catalog.categories.all()),
        "products": sorted(p.slug for p in catalog.products.all()),
        "companies": sorted(c.pk for c in catalog.companies.all()),
    }


@admin_router.get(
    "shared-catalogs",
    response=SharedCatalogListOut,
    summary="Shared catalogs",
    description=f"Paginated, by name. Errors: {ACCESS}, 400 INVALID_PAGINATION.",
)
def admin_list_shared_catalogs(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "catalog.view_sharedcatalog")
    page_req = page_request(page, page_size)
    rows, count = reads.shared_catalog_admin_list(page=page_req)
    return paginated(request, page_req, count, [shared_catalog_out(c) for c in rows])


@admin_router.post(
    "shared-catalogs",
    response={201: SharedCatalogOut},
    summary="Create a shared catalog",
    description=(
        "The companies named see only the products of its categories (with their "
        "subcategories) and its products, with those of their other shared catalogs. "
        f"Errors: {ACCESS}, {BAD}."
    ),
)
def admin_create_shared_catalog(
    request: HttpRequest, payload: SharedCatalogIn
) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_sharedcatalog")
    catalog = services.shared_catalog_create(**payload.model_dump())
    return Status(201, shared_catalog_out(reads.shared_catalog_admin_get(catalog_id=catalog.pk)))


@admin_router.get(
    "shared-catalogs/{catalog_id}",
    response=SharedCatalogOut,
    summary="A shared catalog",
    description=f"Errors: {ACCESS}, 404 SHARED_CATALOG_NOT_FOUND.",
)
def admin_get_shared_catalog(request: HttpRequest, catalog_id: int) -> dict[str, Any]:
    staff(request, "catalog.view_sharedcatalog")
    return shared_catalog_out(reads.shared_catalog_admin_get(catalog_id=catalog_id))


@admin_router.patch(
    "shared-catalogs/{catalog_id}",
    response=SharedCatalogOut,
    summary="Change a shared catalog",
    description=(
        "Only the fields sent change; `categories`, `products` and `companies` replace "
        f"theirs. Errors: {ACCESS}, 404 SHARED_CATALOG_NOT_FOUND, {BAD}."
    ),
)
def admin_update_shared_catalog(
    request: HttpRequest, catalog_id: int, payload: SharedCatalogPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_sharedcatalog")
    catalog = reads.shared_catalog_admin_get(catalog_id=catalog_id)
    services.shared_catalog_update(catalog=catalog, **patch_changes(payload))
    return shared_catalog_out(reads.shared_catalog_admin_get(catalog_id=catalog_id))


@admin_router.delete(
    "shared-catalogs/{catalog_id}",
    response={204: None},
    summary="Delete a shared catalog",
    description=f"Errors: {ACCESS}, 404 SHARED_CATALOG_NOT_FOUND.",
)
def admin_delete_shared_catalog(request: HttpRequest, catalog_id: int) -> Status[None]:
    staff(request, "catalog.delete_sharedcatalog")
    services.shared_catalog_delete(catalog=reads.shared_catalog_admin_get(catalog_id=catalog_id))
    return Status(204, None)
