"""Money given back for an order through its payments (the staff API's and the admin's
refund and cancel): a refund spread over the order's captured payments, oldest first, and
what a cancelled order's payments still hold. Call them outside any transaction (the
payments' provider calls refuse to run inside one); each payment's refund records itself
on the order (`payment_refund`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, DomainError
from comptoir.orders import services as order_services
from comptoir.orders.models import Order
from comptoir.payments.models import Payment
from comptoir.payments.services._common import REASON_MAX_LENGTH, text_limit
from comptoir.payments.services.operations import payment_refund, payment_void


def _payments_of(order: Order) -> list[Payment]:
    return list(Payment.objects.filter(order_id=order.pk).order_by("pk"))


def order_refund(
    *,
    order: Order,
    amount: Decimal,
    lines: Sequence[tuple[int, int]] = (),
    actor: Any = None,
    reason: str = "",
) -> None:
    """Give `amount` back for `order` through its captured payments (oldest first) and
    record it on the order once, with the `lines` ((order line id, quantity) pairs) it
    covers: each payment's refund records its part (`payment_refund`), the lines go with
    the first. An `amount` of 0 with lines records returned units only (no money moves).

    Checked before any provider call (`order_refund_check`): 400 INVALID_AMOUNT /
    REFUND_EXCEEDS_PAID / LINE_NOT_FOUND / INVALID_QUANTITY / INVALID_INPUT /
    INVALID_TEXT; 409 NO_CAPTURED_PAYMENT when the payments hold less than `amount`; then
    the payments' errors (502 / 503 from the provider)."""
    reason = text_limit(reason, field="reason", limit=REASON_MAX_LENGTH)
    amount = order_services.order_refund_check(order=order, amount=amount, lines=lines)
    if amount == 0:
        order_services.order_record_refund(order=order, amount=amount, lines=lines, actor=actor)
        return
    refundable = [(p, p.amount_refundable) for p in _payments_of(order) if p.amount_refundable > 0]
    if sum((left for _p, left in refundable), Decimal(0)) < amount:
        raise Conflict(
            _("The order's payments hold less than this amount."),
            code="NO_CAPTURED_PAYMENT",
            errors={"amount": [_("Not enough captured.")]},
        )
    remaining = amount
    for payment, left in refundable:
        if remaining <= 0:
            break
        take = min(left, remaining)
        payment_refund(payment=payment, amount=take, lines=lines, actor=actor, reason=reason)
        lines = ()  # recorded with the first refund
        remaining -= take


def order_pay_back(*, order: Order, actor: Any = None, reason: str = "") -> list[dict[str, str]]:
    """After `order` was cancelled: refund what each captured payment still holds and void
    the payments that hold no money yet. Returns the payments that could not be handled
    (`{reference, code, detail}`; the order stays cancelled, staff retry through the
    refunds route or the payment's own page)."""
    errors = []
    for payment in _payments_of(order):
        if payment.amount == 0:
            continue  # an order paid in full by coupons: nothing was taken
        try:
            left = payment.amount_refundable
            if left > 0:
                payment_refund(payment=payment, amount=left, actor=actor, reason=reason)
            elif payment.amount_captured == 0 and not payment.is_failed:
                payment_void(payment=payment, actor=actor)
        except DomainError as exc:
            errors.append(
                {"reference": str(payment.reference), "code": exc.code, "detail": exc.detail}
            )
    return errors
