"""API of quotes: the buyer's quotes on `router` (mounted at /api/v1/) and the staff's on
`admin_router` (/api/v1/admin/). Handlers check access, call one selector or service and
shape the answer (quotes.presenters). docs/quotes.md."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from comptoir.accounts.auth import session_or_bearer
from comptoir.cart.selectors.access import cart_for
from comptoir.channels.selectors import channel_for_buyer
from comptoir.companies.selectors import member_require
from comptoir.core import idempotency
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    reject_unknown_parameters,
    staff,
)
from comptoir.quotes import selectors, services
from comptoir.quotes.models import Quote
from comptoir.quotes.pdf import quote_pdf
from comptoir.quotes.presenters import (
    quote_out,
    staff_quote_out,
    summary_out,
)
from comptoir.quotes.responses import attachment_response
from comptoir.quotes.schemas import (
    QuoteAcceptedOut,
    QuoteAcceptIn,
    QuoteApprovalPendingOut,
    QuoteAttachmentOut,
    QuoteCommentIn,
    QuoteCommentOut,
    QuoteListOut,
    QuoteOut,
    QuotePatchIn,
    QuoteReasonIn,
    QuoteRequestIn,
    QuoteSendIn,
    QuoteStaffLineIn,
    QuoteStaffLinePatchIn,
    QuoteStaffOut,
)

router = Router(tags=["quotes"], auth=session_or_bearer)
admin_router = Router(tags=["admin: quotes"], auth=session_or_bearer)

PAGE = {"page", "page_size"}
MANAGE = "quotes.manage"
VIEW = "quotes.view_quote"
CHANGE = "quotes.change_quote"
ERRORS = (
    "401 UNAUTHORIZED, 404 QUOTE_NOT_FOUND / NOT_A_COMPANY_MEMBER, 403 COMPANY_PERMISSION_DENIED"
)
PROBLEM_JSON = "application/problem+json"


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _managed(request: HttpRequest, number: str) -> tuple[Any, Quote]:
    """The caller, acting for their company with `quotes.manage`, and quote `number` if
    they may read it (404 otherwise)."""
    user = _user(request)
    member_require(user, MANAGE)
    return user, selectors.access_quote(user=user, number=number)


def _fresh(user: Any, number: str) -> dict[str, Any]:
    return quote_out(selectors.access_quote(user=user, number=number))


# --- the buyer's quotes -----------------------------------------------------------------------


@router.get(
    "quotes",
    response=QuoteListOut,
    summary="The caller's quotes",
    description=(
        "Their own quotes, or every quote of their company with the quotes.view_all "
        "permission; newest first. Errors: 401, 400 INVALID_PAGINATION / UNKNOWN_PARAMETER."
    ),
)
def list_quotes(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    reject_unknown_parameters(request, PAGE)
    page_req = page_request(page, page_size)
    rows, count = selectors.quotes_for_member(user=_user(request), page=page_req)
    return paginated(request, page_req, count, [summary_out(q) for q in rows])


@router.post(
    "quotes",
    response={201: QuoteOut},
    summary="Request a quote",
    description=(
        "From the caller's cart (`cart`: its token) or from `lines` by SKU, as a draft "
        "(submit it next). Errors: 400 QUOTE_LINES_INVALID (per line: unknown SKU, not for "
        "sale, quantity rule) / INVALID_PRICE / ADDRESS_INVALID / INVALID_COMMENT, "
        f"{ERRORS}; 400 CART_NOT_FOUND / CHANNEL_NOT_FOUND for a `cart` or `channel` "
        "that is not the caller's."
    ),
)
def request_quote(request: HttpRequest, payload: QuoteRequestIn) -> Status[dict[str, Any]]:
    user = _user(request)
    company = member_require(user, MANAGE)
    language = translation.get_language() or "fr"
    if payload.cart is not None:
        if payload.lines is not None:
            message = "Give a cart or lines, not both."
            raise InvalidInput(message, code="INVALID_INPUT", errors={"lines": [message]})
        try:
            cart = cart_for(token=payload.cart, user=user)
        except NotFound as exc:
            raise as_bad_reference(exc, "cart") from None
        quote = services.quote_request_from_cart(
            user=user, company=company, cart=cart, comment=payload.comment, language=language
        )
    else:
        body = payload.model_dump(exclude_unset=True)
        try:
            channel = channel_for_buyer(code=payload.channel, business=True)
        except NotFound as exc:
            raise as_bad_reference(exc, "channel") from None
        quote = services.quote_request(
            user=user,
            company=company,
            channel=channel,
            lines=body.get("lines"),
            comment=payload.comment,
            shipping_address=payload.shipping_address,
            language=language[:2],
        )
    return Status(201, _fresh(user, quote.number))


@router.get(
    "quotes/{number}.pdf",
    summary="The quote as a PDF",
    description=f"In the language of Accept-Language (fr, en). Errors: 401, {ERRORS}.",
    response={200: None},
)
def quote_pdf_get(request: HttpRequest, number: str) -> HttpResponse:
    quote = selectors.access_quote(user=_user(request), number=number)
    pdf = quote_pdf(quote=quote, language=(translation.get_language() or "fr")[:2])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@router.get(
    "quotes/{number}", response=QuoteOut, summary="A quote", description=f"Errors: 401, {ERRORS}."
)
def get_quote(request: HttpRequest, number: str) -> dict[str, Any]:
    return quote_out(selectors.access_quote(user=_user(request), number=number))


@router.post(
    "quotes/{number}/submit",
    response=QuoteOut,
    summary="Submit a draft quote to the seller",
    description=f"draft -> requested. Errors: 409 INVALID_QUOTE_TRANSITION, {ERRORS}.",
)
def submit_quote(request: HttpRequest, number: str) -> dict[str, Any]:
    user, quote = _managed(request, number)
    services.quote_submit(quote=quote, user=user)
    return _fresh(user, number)


@router.post(
    "quotes/{number}/accept",
    response={201: QuoteAcceptedOut, 202: QuoteApprovalPendingOut},
    summary="Accept a sent quote: the order at the quoted prices",
    description=(
        "Needs an Idempotency-Key. 202 APPROVAL_REQUIRED when the company's approval rules "
        "or the buyer's budget apply: the quote stays accepted and the last approval places "
        "the order (a rejection cancels the quote). Errors: 400 IDEMPOTENCY_KEY_REQUIRED / INVALID_INPUT / "
        "PAYMENT_METHOD_UNAVAILABLE, 409 QUOTE_EXPIRED / INVALID_QUOTE_TRANSITION / "
        "QUOTE_PRODUCT_GONE / INSUFFICIENT_STOCK / "
        f"CREDIT_LIMIT_EXCEEDED / IDEMPOTENCY_KEY_REUSED, {ERRORS}."
    ),
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
def accept_quote(request: HttpRequest, number: str, payload: QuoteAcceptIn) -> HttpResponse:
    user, quote = _managed(request, number)
    status, body = services.quote_accept(
        quote=quote,
        user=user,
        idempotency_key=request.headers.get("Idempotency-Key"),
        body=payload.model_dump(exclude_unset=True),
    )
    response = JsonResponse(body, status=status)
    if status >= 400:
        response["Content-Type"] = PROBLEM_JSON
    return response


@router.post(
    "quotes/{number}/decline",
    response=QuoteOut,
    summary="Decline a sent quote",
    description=f"sent -> declined. Errors: 409 INVALID_QUOTE_TRANSITION, {ERRORS}.",
)
def decline_quote(request: HttpRequest, number: str, payload: QuoteReasonIn) -> dict[str, Any]:
    user, quote = _managed(request, number)
    services.quote_decline(quote=quote, user=user, comment=payload.comment)
    return _fresh(user, number)


@router.post(
    "quotes/{number}/renegotiate",
    response=QuoteOut,
    summary="Send a quote back to the seller with a comment",
    description=(
        "sent -> renegotiation_requested. Errors: 400 COMMENT_REQUIRED, "
        f"409 INVALID_QUOTE_TRANSITION, {ERRORS}."
    ),
)
def renegotiate_quote(request: HttpRequest, number: str, payload: QuoteReasonIn) -> dict[str, Any]:
    user, quote = _managed(request, number)
    services.quote_renegotiate(quote=quote, user=user, comment=payload.comment)
    return _fresh(user, number)


@router.post(
    "quotes/{number}/cancel",
    response=QuoteOut,
    summary="Withdraw a quote request",
    description=(
        f"Any open state but accepted -> cancelled. Errors: 409 INVALID_QUOTE_TRANSITION, {ERRORS}."
    ),
)
def cancel_quote(request: HttpRequest, number: str, payload: QuoteReasonIn) -> dict[str, Any]:
    user, quote = _managed(request, number)
    services.quote_withdraw(quote=quote, user=user, comment=payload.comment)
    return _fresh(user, number)


@router.post(
    "quotes/{number}/comments",
    response={201: QuoteCommentOut},
    summary="Comment on a quote",
    description=f"Errors: 400 COMMENT_REQUIRED / INVALID_COMMENT, 409 QUOTE_CLOSED, {ERRORS}.",
)
def comment_quote(
    request: HttpRequest, number: str, payload: QuoteCommentIn
) -> Status[dict[str, Any]]:
    user, quote = _managed(request, number)
    comment = services.quote_comment_add(quote=quote, user=user, body=payload.body)
    return Status(
        201,
        {
            "id": comment.pk,
            "author": user.email,
            "by_staff": False,
            "body": comment.body,
            "created_at": comment.created_at,
        },
    )


@router.post(
    "quotes/{number}/attachments",
    response={201: QuoteAttachmentOut},
    summary="Attach a file to a quote",
    description=(
        "multipart/form-data, field `file`: PDF, PNG, JPEG, CSV or XLSX, at most 10 MB. "
        "Errors: 400 ATTACHMENT_TYPE / ATTACHMENT_TOO_LARGE / ATTACHMENT_INVALID, "
        f"409 QUOTE_CLOSED / TOO_MANY_ATTACHMENTS, {ERRORS}."
    ),
)
def attach_quote(
    request: HttpRequest, number: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    user, quote = _managed(request, number)
    attachment = services.quote_attachment_add(quote=quote, user=user, upload=file)
    return Status(
        201,
        {
            "id": attachment.pk,
            "name": attachment.name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "created_at": attachment.created_at,
        },
    )


@router.get(
    "quotes/{number}/attachments/{attachment_id}",
    response={200: None},
    summary="Download a file attached to a quote",
    description=f"Errors: 401, {ERRORS}, 404 ATTACHMENT_NOT_FOUND.",
)
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    quote = selectors.access_quote(user=_user(request), number=number)
    return attachment_response(selectors.quote_attachment(quote=quote, attachment_id=attachment_id))


# --- staff ------------------------------------------------------------------------------------

STAFF = "401 UNAUTHORIZED, 403 PERMISSION_DENIED, 404 QUOTE_NOT_FOUND"


@admin_router.get(
    "quotes",
    response=QuoteListOut,
    summary="Every quote",
    description=f"Filters: state, company (id). Needs {VIEW}. Errors: {STAFF}, 400 INVALID_FILTER.",
)
def admin_list_quotes(
    request: HttpRequest,
    state: str | None = Query(None),
    company: int | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, VIEW)
    reject_unknown_parameters(request, PAGE | {"state", "company"})
    page_req = page_request(page, page_size)
    rows, count = selectors.quote_admin_list(page=page_req, state=state, company_id=company)
    return paginated(request, page_req, count, [summary_out(q) for q in rows])


def _staff_quote(number: str) -> dict[str, Any]:
    return staff_quote_out(selectors.quote_admin_get(number=number))


@admin_router.get(
    "quotes/{number}",
    response=QuoteStaffOut,
    summary="A quote with its history",
    description=f"Lines, revisions, comments and the audit trail (events). Needs {VIEW}. Errors: {STAFF}.",
)
def admin_get_quote(request: HttpRequest, number: str) -> dict[str, Any]:
    staff(request, VIEW)
    return _staff_quote(number)


@admin_router.get(
    "quotes/{number}/attachments/{attachment_id}",
    response={200: None},
    summary="Download a file the buyer attached",
    description=f"Needs {VIEW}. Errors: {STAFF}, 404 ATTACHMENT_NOT_FOUND.",
)
def admin_download_attachment(
    request: HttpRequest, number: str, attachment_id: int
) -> FileResponse:
    staff(request, VIEW)
    quote = selectors.quote_admin_get(number=number)
    return attachment_response(selectors.quote_attachment(quote=quote, attachment_id=attachment_id))


@admin_router.patch(
    "quotes/{number}",
    response=QuoteStaffOut,
    summary="Negotiate: discount, shipping, expiry, addresses",
    description=(
        f"Needs {CHANGE}. Errors: {STAFF}, 400 INVALID_PRICE / INVALID_DISCOUNT / "
        "SHIPPING_METHOD_UNAVAILABLE / INVALID_EXPIRY / ADDRESS_INVALID / INVALID_INPUT, "
        "409 INVALID_QUOTE_TRANSITION."
    ),
)
def admin_patch_quote(request: HttpRequest, number: str, payload: QuotePatchIn) -> dict[str, Any]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    changes = patch_changes(payload, nullable=frozenset())
    services.quote_update(quote=quote, actor=actor, changes=changes)
    return _staff_quote(number)


@admin_router.post(
    "quotes/{number}/lines",
    response={201: QuoteStaffOut},
    summary="Add a line",
    description=(
        f"Needs {CHANGE}. Errors: {STAFF}, 400 QUOTE_LINES_INVALID / INVALID_QUANTITY / "
        "INVALID_PRICE, 409 INVALID_QUOTE_TRANSITION."
    ),
)
def admin_add_line(
    request: HttpRequest, number: str, payload: QuoteStaffLineIn
) -> Status[dict[str, Any]]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    services.quote_line_add(
        quote=quote,
        actor=actor,
        sku=payload.sku,
        quantity=payload.quantity,
        unit_price=payload.unit_price,
    )
    return Status(201, _staff_quote(number))


@admin_router.patch(
    "quotes/{number}/lines/{line_id}",
    response=QuoteStaffOut,
    summary="Change a line's quantity or negotiated unit price",
    description=(
        f"Needs {CHANGE}. Errors: {STAFF}, 404 QUOTE_LINE_NOT_FOUND, 400 INVALID_QUANTITY / "
        "INVALID_PRICE, 409 INVALID_QUOTE_TRANSITION."
    ),
)
def admin_patch_line(
    request: HttpRequest, number: str, line_id: int, payload: QuoteStaffLinePatchIn
) -> dict[str, Any]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    services.quote_line_update(
        quote=quote, actor=actor, line_id=line_id, changes=patch_changes(payload)
    )
    return _staff_quote(number)


@admin_router.delete(
    "quotes/{number}/lines/{line_id}",
    response=QuoteStaffOut,
    summary="Remove a line",
    description=(
        f"Needs {CHANGE}. Errors: {STAFF}, 404 QUOTE_LINE_NOT_FOUND, 409 QUOTE_NEEDS_A_LINE / "
        "INVALID_QUOTE_TRANSITION."
    ),
)
def admin_delete_line(request: HttpRequest, number: str, line_id: int) -> dict[str, Any]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    services.quote_line_delete(quote=quote, actor=actor, line_id=line_id)
    return _staff_quote(number)


@admin_router.post(
    "quotes/{number}/send",
    response=QuoteStaffOut,
    summary="Send the quote to the buyer",
    description=(
        f"A new revision; the buyer is emailed. Needs {CHANGE}. Errors: {STAFF}, "
        "400 QUOTE_EXPIRY_PAST / QUOTE_ADDRESS_REQUIRED, 409 INVALID_QUOTE_TRANSITION."
    ),
)
def admin_send_quote(request: HttpRequest, number: str, payload: QuoteSendIn) -> dict[str, Any]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    services.quote_send(quote=quote, actor=actor, comment=payload.comment)
    return _staff_quote(number)


@admin_router.post(
    "quotes/{number}/cancel",
    response=QuoteStaffOut,
    summary="Reject or withdraw a quote",
    description=f"Needs {CHANGE}. Errors: {STAFF}, 409 INVALID_QUOTE_TRANSITION.",
)
def admin_cancel_quote(request: HttpRequest, number: str, payload: QuoteSendIn) -> dict[str, Any]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    services.quote_cancel(quote=quote, actor=actor, comment=payload.comment)
    return _staff_quote(number)


@admin_router.post(
    "quotes/{number}/comments",
    response={201: QuoteCommentOut},
    summary="Comment on a quote as staff",
    description=f"Needs {CHANGE}. Errors: {STAFF}, 400 COMMENT_REQUIRED, 409 QUOTE_CLOSED.",
)
def admin_comment_quote(
    request: HttpRequest, number: str, payload: QuoteCommentIn
) -> Status[dict[str, Any]]:
    actor = staff(request, CHANGE)
    quote = selectors.quote_admin_get(number=number)
    comment = services.quote_comment_add(quote=quote, user=actor, body=payload.body, by_staff=True)
    return Status(
        201,
        {
            "id": comment.pk,
            "author": "",
            "by_staff": True,
            "body": comment.body,
            "created_at": comment.created_at,
        },
    )
