"""Reads of the document library. A company member sees the active documents shared with
every business customer and those of their own company; anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.companies.models import Company
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.documents.models import LibraryDocument, LibraryKind

MAX_QUERY = 100


def _not_found() -> NotFound:
    return NotFound(_("No such document."), code="DOCUMENT_NOT_FOUND")


def _visible(company: Company) -> QuerySet[LibraryDocument]:
    return LibraryDocument.objects.filter(
        Q(company__isnull=True) | Q(company=company), is_active=True
    )


def library_for_company(
    *,
    company: Company,
    kind: str | None = None,
    product_id: int | None = None,
    query: str | None = None,
    page: PageRequest | None = None,
) -> tuple[list[LibraryDocument], int]:
    """The company's library, newest first, filtered by kind, product and words of the
    title; `(rows, count)`. Bad filters are 400 INVALID_FILTER."""
    rows = _visible(company).select_related("product")
    errors: dict[str, list[str]] = {}
    if kind:
        if kind not in LibraryKind.values:
            errors["kind"] = [_("Use one of: %(kinds)s.") % {"kinds": ", ".join(LibraryKind)}]
        rows = rows.filter(kind=kind)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if query:
        query = query.strip()
        if len(query) > MAX_QUERY or "\x00" in query:
            errors["q"] = [_("At most %(n)d characters, no NUL.") % {"n": MAX_QUERY}]
        for word in query.split()[:8]:
            rows = rows.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if errors:
        raise InvalidInput(_("Invalid filter."), code="INVALID_FILTER", errors=errors)
    if page is None:
        found = list(rows)
        return found, len(found)
    count = rows.count()
    return list(rows[page.offset : page.offset + page.page_size]), count


def library_document_for_company(*, company: Company, document_id: Any) -> LibraryDocument:
    """One document the company may read (404 DOCUMENT_NOT_FOUND otherwise)."""
    if not isinstance(document_id, int) or not 0 < document_id < 2**63:
        raise _not_found()
    found = _visible(company).filter(pk=document_id).first()
    if found is None:
        raise _not_found()
    return found


def library_admin_list(
    *, company_id: int | None = None, page: PageRequest | None = None
) -> tuple[list[LibraryDocument], int]:
    """Every document (staff), newest first, optionally one company's."""
    rows = LibraryDocument.objects.select_related("company", "product")
    if company_id is not None:
        rows = rows.filter(company_id=company_id)
    if page is None:
        found = list(rows)
        return found, len(found)
    return list(rows[page.offset : page.offset + page.page_size]), rows.count()


def library_admin_get(*, document_id: int) -> LibraryDocument:
    found = LibraryDocument.objects.select_related("company", "product").filter(pk=document_id)
    document = found.first() if 0 < document_id < 2**63 else None
    if document is None:
        raise _not_found()
    return document
