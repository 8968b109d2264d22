"""Accepting a sent quote: the order at the quoted prices, once.

`quote_accept` is the buyer's call (retry-safe with an `Idempotency-Key`): it locks the
quote row, refuses an expired quote (409 QUOTE_EXPIRED, nothing changed) or any state
but sent (409 INVALID_QUOTE_TRANSITION: two concurrent accepts make one order, the
second waits for the lock and finds the quote ordered), then hands the accepted quote to
`quote_order_place`, the one function that turns a quote into an order. The approvals
flow plugs in between (`quotes.approving`): when the order needs approval it keeps the
quote `accepted` and calls `quote_order_place` once approved.

The order is made by `orders.services.order_create` from an order snapshot in the same
JSON shape checkout freezes (`orders.drafts.order_draft_from_snapshot`): every line at
its negotiated price, its rule `quote:<number>`, the quote's tax treatment and legal
mention. Stock is reserved and committed through the inventory services, the payment
(bank transfer or on account) recorded through the payments services, and on account the
company's credit is checked (`payments.providers.on_account.credit_check`) inside the
same transaction. Lock order: quote, stock rows, company (credit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.approvals.presenters import approval_pending_body
from comptoir.core import idempotency, outbox
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.validation import text_check
from comptoir.inventory import services as inventory
from comptoir.orders import services as orders
from comptoir.orders.drafts import order_draft_from_snapshot
from comptoir.orders.models import Order, PaymentStatus
from comptoir.payments import services as payments
from comptoir.payments.models import PaymentMethod
from comptoir.payments.providers import on_account
from comptoir.quotes.models import Quote, QuoteLine, QuoteState
from comptoir.quotes.services._common import HUNDRED, event, lines_of, q2, quote_locked
from comptoir.quotes.transitions import transition_check

S = QuoteState
METHODS = (PaymentMethod.ON_ACCOUNT, PaymentMethod.BANK_TRANSFER)
MAX_PO_NUMBER = 64


def order_ref(quote: Quote) -> str:
    """The checkout reference of a quote's order (stock reservation, payment, order): one
    per quote, so the order table's unique reference also makes one order per quote."""
    return f"quote-{quote.number}"


def _request(body: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    for name in body:
        if name not in ("payment_method", "po_number"):
            errors[str(name)[:50]] = [_("Unknown field.")]
    method = body.get("payment_method")
    if method not in METHODS:
        errors["payment_method"] = [_("Pay on account or by bank transfer.")]
    po_number = body.get("po_number") or ""
    if not isinstance(po_number, str) or len(po_number) > MAX_PO_NUMBER:
        errors["po_number"] = [_("At most %(n)d characters.") % {"n": MAX_PO_NUMBER}]
    if errors:
        raise InvalidInput(_("The acceptance is not valid."), code="INVALID_INPUT", errors=errors)
    text_check(po_number=po_number)
    return {"payment_method": str(method), "po_number": po_number.strip()}


def _rate_text(rate: Decimal) -> str:
    """A percent as checkout writes it in order snapshots: "20", "5.5", "0"."""
    return format(rate.normalize(), "f")


def _unit_gross(line: QuoteLine) -> Decimal:
    return line.unit_net + q2(line.unit_net * line.tax_rate / HUNDRED)


def quote_snapshot_for_order(
    quote: Quote, lines: list[QuoteLine], *, user: Any, po_number: str
) -> dict[str, Any]:
    """The order as quoted, in the JSON shape of `orders.drafts` (amounts as strings)."""
    rule = f"quote:{quote.number}"[:100]
    breakdown: dict[Decimal, list[Decimal]] = {}
    out_lines = []
    subtotal_tax = Decimal("0.00")
    for line in lines:
        unit_gross = _unit_gross(line)
        subtotal_gross = line.subtotal_net + q2(line.subtotal_net * line.tax_rate / HUNDRED)
        out_lines.append(
            {
                "variant_id": line.variant_id,
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "tax_rate": _rate_text(line.tax_rate),
                "undiscounted_unit_gross": str(unit_gross),
                "unit_net": str(line.unit_net),
                "unit_gross": str(unit_gross),
                "discount_gross": str(subtotal_gross - line.total_gross),
                "total_net": str(line.total_net),
                "total_tax": str(line.total_tax),
                "total_gross": str(line.total_gross),
                "rule": rule,
            }
        )
        subtotal_tax += line.total_tax
        bucket = breakdown.setdefault(line.tax_rate, [Decimal("0.00"), Decimal("0.00")])
        bucket[0] += line.total_net
        bucket[1] += line.total_tax
    if quote.shipping_net or quote.shipping_method_code:
        bucket = breakdown.setdefault(quote.shipping_tax_rate, [Decimal("0.00"), Decimal("0.00")])
        bucket[0] += quote.shipping_net
        bucket[1] += quote.shipping_tax
    goods_net = quote.total_net - quote.shipping_net
    discount_gross = sum(
        (Decimal(str(line["discount_gross"])) for line in out_lines), Decimal("0.00")
    )
    address = quote.shipping_address
    return {
        "channel_id": quote.channel_id,
        "user_id": getattr(user, "pk", None),
        "company_id": quote.company_id,
        "email": getattr(user, "email", "") or quote.requested_by.email,
        "language": quote.language,
        "currency": quote.currency,
        "prices_include_tax": False,
        "subtotal_net": str(goods_net),
        "subtotal_tax": str(subtotal_tax),
        "subtotal_gross": str(goods_net + subtotal_tax),
        "discount_gross": str(discount_gross),
        "shipping_net": str(quote.shipping_net),
        "shipping_tax": str(quote.shipping_tax),
        "shipping_gross": str(quote.shipping_net + quote.shipping_tax),
        "total_net": str(quote.total_net),
        "total_tax": str(quote.total_tax),
        "total_gross": str(quote.total_gross),
        "tax_breakdown": [
            {"rate": _rate_text(rate), "net": str(net), "tax": str(tax)}
            for rate, (net, tax) in sorted(breakdown.items())
        ],
        "tax_treatment": quote.tax_treatment,
        "legal_mention": quote.legal_mention,
        "shipping_method_code": quote.shipping_method_code,
        "shipping_method_name": quote.shipping_method_name,
        "pickup_warehouse_id": None,
        "shipping_address": address,
        "billing_address": quote.billing_address or address,
        "discounts": (
            [
                {
                    "code": rule,
                    "coupon": "",
                    "name": _("Quote discount %(pct)s %%") % {"pct": quote.discount_percent},
                    "amount": str(discount_gross),
                }
            ]
            if discount_gross
            else []
        ),
        "coupon_codes": [],
        "customer_note": "",
        "po_number": po_number,
        "lines": out_lines,
    }


def payment_check(quote: Quote, payment_method: str) -> None:
    """400 PAYMENT_METHOD_UNAVAILABLE unless the company may pay the quote's order so."""
    if payment_method not in payments.methods_available(
        channel=quote.channel, company_id=quote.company_id
    ):
        message = _("This payment method is not available for this order.")
        raise InvalidInput(
            message, code="PAYMENT_METHOD_UNAVAILABLE", errors={"payment_method": [message]}
        )


def quote_order_place(*, quote: Quote, user: Any, payment_method: str, po_number: str) -> Order:
    """The order of an accepted quote, at its prices (call inside a transaction holding
    the quote's row lock: `quote_accept` does, the approvals flow will). Reserves and
    commits the stock (409 INSUFFICIENT_STOCK), checks the company's credit on account,
    records the payment, places the order, and marks the quote ordered."""
    transition_check(quote.state, S.ORDERED)  # accepted quotes only
    payment_check(quote, payment_method)
    lines = lines_of(quote)
    gone = [line.sku for line in lines if line.variant_id is None]
    if gone:
        raise Conflict(
            _("Some products of this quote are no longer sold; ask for a new quote."),
            code="QUOTE_PRODUCT_GONE",
            errors={sku: [_("No longer sold.")] for sku in gone},
        )
    ref = order_ref(quote)
    data = quote_snapshot_for_order(quote, lines, user=user, po_number=po_number)
    reserved = inventory.stock_reserve(
        token=ref,
        lines=[(line.variant_id, line.quantity) for line in lines if line.variant_id],
        channel=quote.channel,
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    allocations = inventory.reservation_commit(token=ref)
    total = Decimal(data["total_gross"])
    if payment_method == PaymentMethod.ON_ACCOUNT:
        on_account.credit_check(quote.company_id, total)
    payment = payments.payment_start(
        checkout_ref=ref,
        method=payment_method,
        amount=total,
        currency=quote.currency,
        email=data["email"],
        metadata={"quote": quote.number},
    )
    status = (
        PaymentStatus.ON_ACCOUNT
        if payment_method == PaymentMethod.ON_ACCOUNT
        else PaymentStatus.PENDING
    )
    draft = order_draft_from_snapshot(
        data,
        checkout_ref=ref,
        method=payment_method,
        allocations=allocations,
        backordered=reserved.backordered,
        paid=Decimal("0"),
        payment_status=status,
    )
    order = orders.order_create(draft=draft)
    payments.payment_attach(payment=payment, order=order)
    quote.state = S.ORDERED
    quote.order = order
    quote.save(update_fields=["state", "order", "updated_at"])
    event(quote, actor=user, kind="ordered", order=order.number)
    return order


def _accepted_body(quote: Quote, order: Order) -> dict[str, Any]:
    return {
        "quote": quote.number,
        "state": quote.state,
        "order": {
            "number": order.number,
            "status": order.status,
            "payment_status": order.payment_status,
            "currency": order.currency,
            "total": {
                "net": str(order.total_net),
                "tax": str(order.total_tax),
                "gross": str(order.total_gross),
                "currency": order.currency,
            },
        },
    }


def quote_accept(
    *, quote: Quote, user: Any, idempotency_key: str | None, body: Mapping[str, Any]
) -> tuple[int, dict[str, Any]]:
    """The buyer accepts a sent, unexpired quote: 201 with the order, or, when the
    company's approval rules or the buyer's budget apply, 202 APPROVAL_REQUIRED with the
    pending approval (the quote stays accepted; the final approval places the order,
    `quotes.approving`). A replay with the
    same key and body returns the first answer. Errors: 400 IDEMPOTENCY_KEY_REQUIRED /
    INVALID_INPUT, 409 QUOTE_EXPIRED / INVALID_QUOTE_TRANSITION / INSUFFICIENT_STOCK /
    CREDIT_LIMIT_EXCEEDED (nothing changed)."""
    key = idempotency.key_check(idempotency_key)
    request = _request(body)
    claim = idempotency.claim(
        scope=f"quote-accept:{quote.pk}", key=key, request_hash=idempotency.request_hash(request)
    )
    if claim.replay is not None:
        return claim.replay
    try:
        with transaction.atomic():
            locked = quote_locked(quote_id=quote.pk)
            if locked.state == S.EXPIRED or (
                locked.state == S.SENT and locked.expires_at <= timezone.now()
            ):
                raise Conflict(
                    _("This quote expired on %(date)s; ask for a new one.")
                    % {"date": locked.expires_at.date().isoformat()},
                    code="QUOTE_EXPIRED",
                )
            transition_check(locked.state, S.ACCEPTED)
            locked.state = S.ACCEPTED
            locked.accepted_at = timezone.now()
            locked.save(update_fields=["state", "accepted_at", "updated_at"])
            event(locked, actor=user, kind="accepted", version=locked.version)
            # Imported here: quotes.approving builds on this module.
            from comptoir.quotes.approving import quote_approval_start

            payment_check(locked, request["payment_method"])
            approval = quote_approval_start(
                quote=locked,
                user=user,
                payment_method=request["payment_method"],
                po_number=request["po_number"],
            )
            if approval is not None:
                answer = {
                    "quote": locked.number,
                    "state": locked.state,
                    **approval_pending_body(approval, user=user),
                }
                assert claim.record is not None
                idempotency.complete(record=claim.record, status=202, body=answer)
                return 202, answer
            order = quote_order_place(
                quote=locked,
                user=user,
                payment_method=request["payment_method"],
                po_number=request["po_number"],
            )
            outbox.emit(
                "quote.accepted",
                aggregate="quote",
                aggregate_id=locked.pk,
                payload={"order_id": order.pk},
            )
            answer = _accepted_body(locked, order)
            assert claim.record is not None
            idempotency.complete(record=claim.record, status=201, body=answer)
    except BaseException:
        if claim.record is not None:
            idempotency.release(record=claim.record)
        raise
    return 201, answer
