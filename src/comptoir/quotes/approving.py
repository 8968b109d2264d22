"""Accepted quotes that need the company's approval (docs/approvals.md, docs/quotes.md).

Quotes sit on top of the buying path (checkout and approvals never import quotes), so the
entry points that decide an approval live here and serve both kinds of approval:

- `quote_approval_start`, called by `quote_accept` under the quote's row lock: when the
  company's rules or the buyer's budget apply to the quoted order (the approvals app's
  own evaluation, on the snapshot `quote_snapshot_for_order` builds, the shape checkout
  freezes), a pending approval of that snapshot; the quote stays `accepted`, nothing is
  reserved or paid.
- `approval_approve`: the checkout's `approval_approve` (one decision per level under the
  approval's row lock, idempotent) with a placement that, for a quote's approval, locks
  the quote and places its order through `quote_order_place` (lock order: approval,
  quote, stock rows, company).
- `approval_reject`: records the rejection and cancels the quote (accepted -> cancelled,
  in the same transaction): the negotiated prices were refused; the buyer asks for a new
  quote. A quote staff cancelled while its approval waited cannot be approved (409
  INVALID_QUOTE_TRANSITION, nothing changed); rejecting that approval ends it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.approvals import selectors as approval_selectors
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.checkout import approving as checkout_approving
from comptoir.companies.models import CompanyMember
from comptoir.orders.models import Order
from comptoir.quotes.models import Quote, QuoteState
from comptoir.quotes.services._common import event, lines_of, quote_locked
from comptoir.quotes.services.placement import (
    order_ref,
    quote_order_place,
    quote_snapshot_for_order,
)
from comptoir.quotes.transitions import transition_check

S = QuoteState


def quote_approval_start(
    *, quote: Quote, user: Any, payment_method: str, po_number: str
) -> OrderApproval | None:
    """Inside `quote_accept`'s transaction, the quote locked and `accepted`: a pending
    approval of the quoted order when the company's rules or the buyer's budget apply,
    else None (the order is placed at once). A quote with a product no longer sold is
    left to `quote_order_place` (409 QUOTE_PRODUCT_GONE)."""
    member = (
        CompanyMember.objects.select_related("company")
        .filter(company_id=quote.company_id, user_id=user.pk, is_active=True)
        .first()
    )
    lines = lines_of(quote)
    if member is None or any(line.variant_id is None for line in lines):
        return None
    data = quote_snapshot_for_order(quote, lines, user=user, po_number=po_number)
    levels, reasons = approval_selectors.approval_levels_for(
        member=member, facts=approval_selectors.facts_from_draft(data)
    )
    if not levels:
        return None
    approval = approval_services.approval_create(
        company_id=quote.company_id,
        buyer=user,
        checkout_ref=order_ref(quote),
        draft=data,
        request={"payment_method": payment_method, "po_number": po_number, "quote": quote.number},
        levels=levels,
        reasons=reasons,
    )
    event(quote, actor=user, kind="approval_requested", approval=approval.pk)
    return approval


def _quote_of(approval: OrderApproval) -> Quote | None:
    number = approval.request.get("quote")
    if not number:
        return None
    pk = Quote.objects.filter(number=number, company_id=approval.company_id).values_list(
        "pk", flat=True
    )
    return quote_locked(quote_id=pk.get())


def _place(approval: OrderApproval) -> Order:
    """The order of a just approved approval: a quote's at its quoted prices, or the
    checkout's from its frozen snapshot."""
    quote = _quote_of(approval)
    if quote is None:
        return checkout_approving.approval_order_place(approval)
    return quote_order_place(
        quote=quote,
        user=approval.buyer,
        payment_method=approval.request["payment_method"],
        po_number=approval.request.get("po_number", ""),
    )


def approval_approve(
    *, approval_id: int, user: Any, comment: str = "", idempotency_key: str | None = None
) -> tuple[int, dict[str, Any]]:
    """Approve the current level (see `checkout.approving.approval_approve`); at the last
    level the order is placed: a quote's through `quote_order_place` (quote -> ordered)."""
    return checkout_approving.approval_approve(
        approval_id=approval_id,
        user=user,
        comment=comment,
        idempotency_key=idempotency_key,
        place=_place,
    )


@transaction.atomic
def approval_reject(*, approval_id: int, user: Any, comment: str = "") -> OrderApproval:
    """Reject the approval (see `approvals.services.approval_decide`); a quote's approval
    cancels the quote (accepted -> cancelled) in the same transaction."""
    approval, _final = approval_services.approval_decide(
        approval_id=approval_id, user=user, decision="reject", comment=comment
    )
    quote = _quote_of(approval)
    if quote is not None and quote.state != S.CANCELLED:  # staff may have cancelled it
        transition_check(quote.state, S.CANCELLED)
        quote.state = S.CANCELLED
        quote.save(update_fields=["state", "updated_at"])
        event(
            quote,
            actor=user,
            kind="cancelled",
            comment=comment or _("The order was not approved."),
        )
    return approval
