"""The buyer's quotes in the account area (issue 6, docs/quotes.md "Pages"): the list, a
request by SKU lines or from the cart, and a quote's page with its lines, revisions,
comments, files, PDF and the moves its state allows (submit, accept into an order,
decline, ask to renegotiate, withdraw).

Every write goes through `comptoir.quotes.services`, exactly as the API does; a refusal
(DomainError) is shown on the page with its message and status, and nothing changes.
Plain forms (POST, then a redirect), so everything works without JavaScript. The accept
form carries an idempotency key rendered with it: a double submit places one order.
Members of the company only: a consumer, another company's member or a quote that is not
theirs gets a 404; a visitor is sent to sign in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.cart.services import lines_from_text
from comptoir.companies.models import CompanyMember
from comptoir.companies.selectors import member_can, member_require, member_require_membership
from comptoir.core.errors import DomainError
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest
from comptoir.payments.models import PaymentMethod
from comptoir.payments.services import methods_available
from comptoir.quotes import selectors, services
from comptoir.quotes.models import Quote, QuoteState
from comptoir.quotes.pdf import quote_pdf
from comptoir.quotes.responses import attachment_response
from comptoir.quotes.transitions import OPEN, transition_allowed
from comptoir.storefront.shop import current_channel, current_language
from comptoir.storefront.views import page_number
from comptoir.storefront.views_account import not_found_is_404, render_private
from comptoir.storefront.web_cart import web_cart, with_cart_cookie

MANAGE = "quotes.manage"
LIST_SIZE = 25  # quotes per page of the list, newest first
ACCEPT_METHODS = (PaymentMethod.ON_ACCOUNT, PaymentMethod.BANK_TRANSFER)
_PRICE_SPLIT = re.compile(r"[\s;]+")


def _fresh_key() -> str:
    return uuid.uuid4().hex


def _member(request: HttpRequest) -> CompanyMember:
    """The user's membership; 404 unless they act for a company (consumers never see
    quotes)."""
    with not_found_is_404():
        return member_require_membership(request.user)


# --- the list -----------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def quotes_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    number = page_number(request)
    rows, count = selectors.quotes_for_member(
        user=request.user, page=PageRequest(page=number, page_size=LIST_SIZE)
    )
    pages = max(1, -(-count // LIST_SIZE))
    if number > pages:
        raise Http404("No such page.")
    context = {
        "quotes": [
            {
                "quote": q,
                "total_net": Money(q.total_net, q.currency),
                "lines": getattr(q, "line_count", 0),
            }
            for q in rows
        ],
        "count": count,
        "page": number,
        "pages": pages,
        "can_request": MANAGE in member.role.permissions,
        "current_page": "quotes",
    }
    return render_private(request, "storefront/account/quotes.html", context)


# --- requesting a quote -------------------------------------------------------------------


class QuoteRequestForm(forms.Form):
    lines = forms.CharField(
        label=gettext_lazy("Products"),
        help_text=gettext_lazy(
            "One product per line: the SKU, the quantity and, if you wish, your target unit "
            "price excl. tax, separated by spaces (e.g. “VIS-4X40 200 0.35”)."
        ),
        max_length=20_000,
        widget=forms.Textarea(
            attrs={"rows": 8, "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        help_text=gettext_lazy(
            "Delivery dates, volumes over the year, anything the seller should know."
        ),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of the request box: its number in the box, what was typed, and the line the
    service receives."""

    number: int
    value: str
    item: dict[str, Any]


def request_lines(text: str) -> list[TextLine]:
    """The box's lines: the quick order's parsing (SKU, then the rest), the rest split into
    the quantity and an optional target price (a decimal comma is accepted). What cannot be
    read is passed as given, so that the service names the line's error."""
    found = []
    for line in lines_from_text(text):
        item: dict[str, Any] = {"sku": line.sku, "quantity": line.quantity}
        if isinstance(line.quantity, str):
            parts = [p for p in _PRICE_SPLIT.split(line.quantity) if p]
            if len(parts) == 1 and parts[0].count(",") >= 1:  # "200,0.35" from a CSV copy
                parts = parts[0].split(",", 1)
            quantity = parts[0] if parts else ""
            item["quantity"] = (
                int(quantity) if quantity.isdigit() and len(quantity) < 7 else quantity
            )
            if len(parts) > 1:
                item["target_unit_price"] = parts[1].replace(",", ".")
            if len(parts) > 2:  # too many values: refused as a bad quantity, on its line
                item = {"sku": line.sku, "quantity": line.quantity}
        found.append(TextLine(number=line.line, value=line.value, item=item))
    return found


def _line_errors(errors: dict[str, list[str]], lines: list[TextLine]) -> list[str]:
    """The service's errors (`lines.<i>.<field>`) said with the line of the box."""
    said = []
    for key, texts in errors.items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(lines):
                line = lines[index]
                said += [
                    _("Line %(n)d (“%(value)s”): %(error)s")
                    % {"n": line.number, "value": line.value, "error": text}
                    for text in texts
                ]
                continue
        said += texts
    return said


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def quote_new(request: HttpRequest) -> HttpResponse:
    _member(request)
    form = QuoteRequestForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "current_page": "quotes", "line_errors": []}
    if request.method != "POST":
        return render_private(request, "storefront/account/quote_new.html", context)
    status = 400
    if form.is_valid():
        lines: list[TextLine] = []
        try:
            company = member_require(request.user, MANAGE)
            lines = request_lines(form.cleaned_data["lines"])
            channel = current_channel(request)
            if channel is None:
                raise DomainError(_("Nothing is sold here yet."))
            quote = services.quote_request(
                user=request.user,
                company=company,
                channel=channel,
                lines=[line.item for line in lines],
                comment=form.cleaned_data["comment"],
                language=current_language(),
            )
        except DomainError as exc:
            status = exc.status
            form.add_error(None, exc.detail)
            context["line_errors"] = _line_errors(exc.errors or {}, lines)
        else:
            messages.success(
                request,
                _("Quote %(number)s saved as a draft: check it, then send it to us.")
                % {"number": quote.number},
            )
            return redirect("storefront:quote", quote.number)
    return render_private(request, "storefront/account/quote_new.html", context, status=status)


@login_required
@with_cart_cookie
@require_POST
def quote_from_cart(request: HttpRequest) -> HttpResponse:
    """A draft quote of the cart's lines (the cart stays as it is)."""
    _member(request)
    cart = web_cart(request)
    try:
        company = member_require(request.user, MANAGE)
        if cart is None:
            raise DomainError(_("Your cart is empty."))
        quote = services.quote_request_from_cart(
            user=request.user,
            company=company,
            cart=cart,
            comment=request.POST.get("comment", "")[:5000] or None,
            language=current_language(),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("storefront:cart")
    messages.success(
        request,
        _("Quote %(number)s saved as a draft from your cart: check it, then send it to us.")
        % {"number": quote.number},
    )
    return redirect("storefront:quote", quote.number)


# --- a quote ------------------------------------------------------------------------------


def _quote(request: HttpRequest, number: str) -> Quote:
    _member(request)
    with not_found_is_404():
        return selectors.access_quote(user=request.user, number=number)


def _revisions(quote: Quote) -> list[dict[str, Any]]:
    rows = []
    for revision in sorted(quote.revisions.all(), key=lambda r: r.version, reverse=True):
        total = revision.snapshot.get("total_net")
        rows.append(
            {
                "version": revision.version,
                "created_at": revision.created_at,
                "comment": revision.comment,
                "total_net": None if total is None else Money(Decimal(total), quote.currency),
            }
        )
    return rows


def _page(
    request: HttpRequest, quote: Quote, *, status: int = 200, error: str = "", **extra: Any
) -> HttpResponse:
    def money(amount: Decimal | None) -> Money | None:
        return None if amount is None else Money(amount, quote.currency)

    can_manage = member_can(request.user, MANAGE)
    state = quote.state
    expired = state == QuoteState.SENT and quote.expires_at <= timezone.now()
    methods = [
        (code, PaymentMethod(code).label)
        for code in methods_available(channel=quote.channel, company_id=quote.company_id)
        if code in ACCEPT_METHODS
    ]
    context = {
        "quote": quote,
        "lines": [
            {
                "line": line,
                "list_unit": money(line.list_unit_net),
                "target_unit": money(line.target_unit_net),
                "unit": money(line.unit_net),
                "total_net": money(line.total_net),
            }
            for line in quote.lines.all()
        ],
        "totals": {
            name: money(getattr(quote, name))
            for name in ("subtotal_net", "discount_net", "shipping_net", "total_net", "total_tax")
        }
        | {"total_gross": money(quote.total_gross)},
        "revisions": _revisions(quote),
        "comments": list(quote.comments.all()),
        "attachments": list(quote.attachments.all()),
        "can_manage": can_manage,
        "expired": expired,
        "can_submit": can_manage and state == QuoteState.DRAFT,
        "can_answer": can_manage and state == QuoteState.SENT and not expired,
        "can_withdraw": can_manage
        and state != QuoteState.ACCEPTED
        and transition_allowed(state, QuoteState.CANCELLED),
        "is_open": state in OPEN,
        "methods": methods,
        "idempotency_key": _fresh_key(),
        "error": error,
        "current_page": "quotes",
        **extra,
    }
    return render_private(request, "storefront/account/quote.html", context, status=status)


@login_required
@never_cache
@require_safe
def quote_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, _quote(request, number))


_DONE = {
    "submit": gettext_lazy("Your request was sent: we will come back to you with our prices."),
    "decline": gettext_lazy("You declined the quote."),
    "renegotiate": gettext_lazy("Your request to renegotiate was sent."),
    "cancel": gettext_lazy("The quote was withdrawn."),
    "comment": gettext_lazy("Comment added."),
}


def _act(request: HttpRequest, quote: Quote, action: str) -> None:
    """One buyer move through the services (raises their DomainError)."""
    user, text = request.user, request.POST.get("comment", "")[:20_000]
    member_require(user, MANAGE)
    if action == "comment":
        services.quote_comment_add(quote=quote, user=user, body=text)
    elif action == "submit":
        services.quote_submit(quote=quote, user=user)
    elif action == "decline":
        services.quote_decline(quote=quote, user=user, comment=text or None)
    elif action == "renegotiate":
        services.quote_renegotiate(quote=quote, user=user, comment=text)
    elif action == "cancel":
        services.quote_withdraw(quote=quote, user=user, comment=text or None)


@login_required
@require_POST
def quote_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """POST submit, decline, renegotiate (`comment` required), cancel or comment."""
    quote = _quote(request, number)
    if action not in _DONE:
        return _page(request, quote, status=400, error=_("Choose what to do."))
    try:
        _act(request, quote, action)
    except DomainError as exc:
        quote = _quote(request, number)
        return _page(request, quote, status=exc.status, error=exc.detail, failed=action)
    messages.success(request, str(_DONE[action]))
    return redirect("storefront:quote", quote.number)


@login_required
@require_POST
def quote_accept(request: HttpRequest, number: str) -> HttpResponse:
    """Accept: the order at the quoted prices (`payment_method`, `po_number`,
    `idempotency_key` rendered in the form: a double submit replays the first answer)."""
    quote = _quote(request, number)
    body = {
        "payment_method": request.POST.get("payment_method", "")[:50],
        "po_number": request.POST.get("po_number", "")[:200],
    }
    try:
        member_require(request.user, MANAGE)
        status, answer = services.quote_accept(
            quote=quote,
            user=request.user,
            idempotency_key=request.POST.get("idempotency_key", "")[:100] or None,
            body=body,
        )
    except DomainError as exc:
        quote = _quote(request, number)
        return _page(
            request,
            quote,
            status=exc.status,
            error=exc.detail,
            details=[text for texts in (exc.errors or {}).values() for text in texts],
            failed="accept",
            accept=body,
        )
    if status >= 400:  # a replayed refusal
        return _page(
            request, quote, status=status, error=str(answer.get("detail", "")), accept=body
        )
    order = answer.get("order") or {}
    if order.get("number"):
        messages.success(
            request, _("Quote accepted: order %(order)s is placed.") % {"order": order["number"]}
        )
    elif answer.get("approval"):  # the company's rules ask an approver first
        messages.success(request, _("Quote accepted: the order waits for approval."))
        return redirect("storefront:account_approval", answer["approval"]["id"])
    else:
        messages.success(request, _("Quote accepted."))
    return redirect("storefront:quote", quote.number)


@login_required
@require_POST
def quote_attach(request: HttpRequest, number: str) -> HttpResponse:
    quote = _quote(request, number)
    upload = request.FILES.get("file")
    try:
        member_require(request.user, MANAGE)
        if upload is None:
            raise DomainError(_("Choose a file."), code="ATTACHMENT_INVALID")
        services.quote_attachment_add(quote=quote, user=request.user, upload=upload)
    except DomainError as exc:
        return _page(request, _quote(request, number), status=exc.status, error=exc.detail)
    messages.success(request, _("File attached."))
    return redirect("storefront:quote", quote.number)


@login_required
@require_safe
def quote_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    quote = _quote(request, number)
    with not_found_is_404():
        attachment = selectors.quote_attachment(quote=quote, attachment_id=attachment_id)
    return attachment_response(attachment)


@login_required
@require_safe
def quote_pdf_download(request: HttpRequest, number: str) -> HttpResponse:
    quote = _quote(request, number)
    response = HttpResponse(
        quote_pdf(quote=quote, language=current_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
