"""API of the document library: a company member's library on `router` (/api/v1/company/
documents) and the staff routes on `admin_router` (/api/v1/admin/library-documents)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from comptoir.accounts.auth import session_or_bearer
from comptoir.catalog.models import Product
from comptoir.catalog.selectors.staff import product_admin_get
from comptoir.companies.models import Company
from comptoir.companies.selectors import company_get, member_company
from comptoir.core.errors import NotFound
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    reject_unknown_parameters,
    staff,
)
from comptoir.documents import selectors, services
from comptoir.documents.models import LibraryDocument
from comptoir.documents.responses import document_file_response
from comptoir.documents.schemas import (
    LibraryAdminListOut,
    LibraryDocumentAdminOut,
    LibraryDocumentIn,
    LibraryDocumentOut,
    LibraryDocumentPatch,
    LibraryListOut,
    LibraryQuery,
)

router = Router(tags=["document library"], auth=session_or_bearer)
admin_router = Router(tags=["admin: document library"], auth=session_or_bearer)

_MEMBER = "401 `UNAUTHORIZED`; 404 `NOT_A_COMPANY_MEMBER`"
_AUTH = "401 `UNAUTHORIZED`; 403 `PERMISSION_DENIED` without the staff permission"


def document_out(request: HttpRequest, document: LibraryDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "description": document.description,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "language": document.language,
        "size": document.size,
        "product_id": document.product_id,
        "product_name": document.product.name if document.product else None,
        "shared": document.company_id is None,
        "download_url": request.build_absolute_uri(f"/api/v1/company/documents/{document.pk}/file"),
        "created_at": document.created_at,
    }


def admin_document_out(request: HttpRequest, document: LibraryDocument) -> dict[str, Any]:
    return {
        **document_out(request, document),
        "company_id": document.company_id,
        "is_active": document.is_active,
        "external_ref": document.external_ref,
        "metadata": document.metadata,
    }


def _company(request: HttpRequest) -> Company:
    return member_company(request.auth)  # type: ignore[attr-defined]


# --- a member's library -------------------------------------------------------------------


@router.get(
    "company/documents",
    response=LibraryListOut,
    summary="The company's document library",
    description="Documents shared with every business customer and those of the caller's "
    "company (technical sheets, certificates, training material, contracts), newest "
    f"first. Errors: 400 `INVALID_FILTER`, `INVALID_PAGINATION`; {_MEMBER}.",
)
def list_documents(request: HttpRequest, filters: Query[LibraryQuery]) -> dict[str, Any]:
    reject_unknown_parameters(request, {"kind", "product", "q", "page", "page_size"})
    company = member_company(request.auth)  # type: ignore[attr-defined]
    page = page_request(filters.page, filters.page_size)
    rows, count = selectors.library_for_company(
        company=company,
        kind=filters.kind,
        product_id=filters.product,
        query=filters.q,
        page=page,
    )
    return paginated(request, page, count, [document_out(request, d) for d in rows])


@router.get(
    "company/documents/{document_id}",
    response=LibraryDocumentOut,
    summary="One library document",
    description=f"Errors: 404 `DOCUMENT_NOT_FOUND` (also another company's); {_MEMBER}.",
)
def get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    document = selectors.library_document_for_company(
        company=_company(request), document_id=document_id
    )
    return document_out(request, document)


@router.get(
    "company/documents/{document_id}/file",
    response={200: None},
    summary="Download a library document",
    description=f"The file, as an attachment. Errors: 404 `DOCUMENT_NOT_FOUND`; {_MEMBER}.",
)
def download_document(request: HttpRequest, document_id: int) -> FileResponse:
    document = selectors.library_document_for_company(
        company=_company(request), document_id=document_id
    )
    return document_file_response(document)


# --- staff --------------------------------------------------------------------------------


def _company_ref(company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    try:
        return company_get(company_id=company_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "company_id") from None


def _product_ref(product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    try:
        return product_admin_get(product_id=product_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "product_id") from None


@admin_router.get(
    "library-documents",
    response=LibraryAdminListOut,
    summary="Library documents",
    description=f"Every document, newest first. Errors: 400 `INVALID_PAGINATION`; {_AUTH}.",
)
def admin_list_documents(
    request: HttpRequest,
    company_id: int | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "documents.view_librarydocument")
    page_req = page_request(page, page_size)
    rows, count = selectors.library_admin_list(company_id=company_id, page=page_req)
    return paginated(request, page_req, count, [admin_document_out(request, d) for d in rows])


@admin_router.post(
    "library-documents",
    response={201: LibraryDocumentAdminOut},
    summary="Add a library document",
    description="multipart/form-data with `file` (.pdf, .txt, .csv, .xlsx, .docx or .zip, "
    "20 MB at most, content matching the extension) and the form fields; no `company_id` "
    "shares it with every business customer. Errors: 400 `DOCUMENT_INVALID`, "
    "`DOCUMENT_KIND_INVALID`, `INVALID_INPUT`, `COMPANY_NOT_FOUND`, `PRODUCT_NOT_FOUND`; "
    f"{_AUTH}.",
)
def admin_add_document(
    request: HttpRequest, file: File[UploadedFile], payload: Form[LibraryDocumentIn]
) -> Status[dict[str, Any]]:
    user = staff(request, "documents.add_librarydocument")
    document = services.library_document_add(
        title=payload.title,
        kind=payload.kind,
        file=file,
        description=payload.description,
        language=payload.language,
        company=_company_ref(payload.company_id),
        product=_product_ref(payload.product_id),
        created_by=user,
        external_ref=payload.external_ref,
    )
    return Status(201, admin_document_out(request, document))


@admin_router.get(
    "library-documents/{document_id}",
    response=LibraryDocumentAdminOut,
    summary="A library document",
    description=f"Errors: 404 `DOCUMENT_NOT_FOUND`; {_AUTH}.",
)
def admin_get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    staff(request, "documents.view_librarydocument")
    return admin_document_out(request, selectors.library_admin_get(document_id=document_id))


@admin_router.patch(
    "library-documents/{document_id}",
    response=LibraryDocumentAdminOut,
    summary="Change a library document",
    description="Errors: 400 `DOCUMENT_KIND_INVALID`, `INVALID_INPUT`, `PRODUCT_NOT_FOUND`; "
    f"404 `DOCUMENT_NOT_FOUND`; {_AUTH}.",
)
def admin_update_document(
    request: HttpRequest, document_id: int, payload: LibraryDocumentPatch
) -> dict[str, Any]:
    staff(request, "documents.change_librarydocument")
    document = selectors.library_admin_get(document_id=document_id)
    changes = patch_changes(payload, nullable=frozenset({"product_id"}))
    if "product_id" in changes:
        changes["product"] = _product_ref(changes.pop("product_id"))
    services.library_document_update(document=document, **changes)
    return admin_document_out(request, selectors.library_admin_get(document_id=document_id))


@admin_router.get(
    "library-documents/{document_id}/file",
    response={200: None},
    summary="Download a library document (staff)",
    description=f"Errors: 404 `DOCUMENT_NOT_FOUND`; {_AUTH}.",
)
def admin_download_document(request: HttpRequest, document_id: int) -> FileResponse:
    staff(request, "documents.view_librarydocument")
    return document_file_response(selectors.library_admin_get(document_id=document_id))


@admin_router.delete(
    "library-documents/{document_id}",
    response={204: None},
    summary="Delete a library document",
    description=f"Errors: 404 `DOCUMENT_NOT_FOUND`; {_AUTH}.",
)
def admin_delete_document(request: HttpRequest, document_id: int) -> Status[None]:
    staff(request, "documents.delete_librarydocument")
    services.library_document_delete(document=selectors.library_admin_get(document_id=document_id))
    return Status(204, None)
