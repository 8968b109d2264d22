"""The B2B portal's pages for company members. This module holds the document library:
technical sheets, certificates, training material and contracts shared with every business
customer or with the member's company, downloaded through a view that checks the company
(the files are in the private storage, never under MEDIA_URL). Another company's document,
or a user who acts for no company, is a 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from comptoir.companies.models import Company
from comptoir.companies.selectors import company_for_user
from comptoir.core.errors import InvalidInput
from comptoir.core.pagination import PageRequest
from comptoir.documents import selectors as library
from comptoir.documents.models import LibraryKind
from comptoir.documents.responses import document_file_response
from comptoir.storefront.views import page_number
from comptoir.storefront.views_account import not_found_is_404, render_private

LIBRARY_PAGE_SIZE = 20


def _company(request: HttpRequest) -> Company:
    company = company_for_user(request.user)
    if company is None:
        raise Http404("Not a company member.")
    return company


@login_required
@never_cache
@require_safe
def portal_documents(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "")
    number = page_number(request)
    status = 200
    try:
        rows, count = library.library_for_company(
            company=company,
            kind=kind or None,
            query=query or None,
            page=PageRequest(page=number, page_size=LIBRARY_PAGE_SIZE),
        )
        error = ""
    except InvalidInput as exc:
        rows, count, error, status = [], 0, exc.detail, 400
    pages = max(1, -(-count // LIBRARY_PAGE_SIZE))
    if number > pages:
        raise Http404("No such page.")
    context = {
        "company": company,
        "documents": rows,
        "count": count,
        "kinds": LibraryKind.choices,
        "kind": kind,
        "query": query,
        "error": error,
        "page": number,
        "pages": pages,
        "page_params": urlencode({k: v for k, v in (("q", query), ("kind", kind)) if v}),
        "current_page": "library",
    }
    return render_private(request, "storefront/account/library.html", context, status=status)


@login_required
@never_cache
@require_safe
def portal_document_file(request: HttpRequest, document_id: int) -> FileResponse:
    with not_found_is_404():
        document = library.library_document_for_company(
            company=_company(request), document_id=document_id
        )
    return document_file_response(document)
