"""Money recorded on an order: payments received and refunds. The money itself moves in
`comptoir.payments`, which calls these to keep the order's books."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound
from comptoir.orders.models import Order, OrderLine, OrderStatus, PaymentStatus
from comptoir.orders.services._common import (
    amount_check,
    emit,
    event_add,
    line_quantities,
    money_str,
    order_lock,
    reference_check,
)
from comptoir.orders.services._stock import stock_prelock, stock_release
from comptoir.orders.transitions import transition_check

# No payment is taken any more once an order is cancelled or refunded.
NO_PAYMENT = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


def order_mark_paid(
    *, order: Order, amount: Decimal, actor: Any = None, reference: str = ""
) -> Order:
    """Record `amount` received for `order` (under its row lock). When the order is then
    paid in full: payment status `paid`, status `placed` -> `paid` (an order already
    shipping keeps its status), timeline `paid`, outbox `order.paid`; a part payment
    writes `payment_received` only.

    400 INVALID_AMOUNT, 400 OVERPAYMENT (more than what is left to pay), 409
    INVALID_TRANSITION (cancelled or refunded order), 404 ORDER_NOT_FOUND. No savepoint
    inside the caller's transaction: a refusal, which has written nothing, is raised once
    the block is left, so that it does not doom the caller's transaction."""
    reference = reference_check(reference)
    with transaction.atomic(savepoint=False):
        try:
            locked = order_lock(order)
            amount = _payable(locked, amount)
        except DomainError as exc:
            refusal: DomainError | None = exc
        else:
            refusal = None
            _paid(locked, amount, actor=actor, reference=reference)
    if refusal is not None:
        raise refusal
    return locked


def _payable(locked: Order, amount: Decimal) -> Decimal:
    """`amount` checked against the locked order (what order_mark_paid refuses)."""
    amount = amount_check(amount, currency=locked.currency)
    if locked.status in NO_PAYMENT:
        raise Conflict(
            _("A %(status)s order takes no payment.") % {"status": locked.get_status_display()},
            code="INVALID_TRANSITION",
            errors={"status": [locked.status]},
        )
    due = locked.total_gross - locked.amount_paid
    if amount > due:
        raise InvalidInput(
            _("Only %(due)s %(currency)s is left to pay.")
            % {"due": money_str(due), "currency": locked.currency},
            code="OVERPAYMENT",
            errors={"amount": [money_str(due)]},
        )
    if locked.amount_paid + amount == locked.total_gross and locked.status == OrderStatus.PLACED:
        transition_check(locked.status, OrderStatus.PAID)
    return amount


def _paid(locked: Order, amount: Decimal, *, actor: Any, reference: str) -> None:
    locked.amount_paid += amount
    fields = ["amount_paid", "updated_at"]
    data = {"amount": money_str(amount), "reference": reference}
    if locked.amount_paid == locked.total_gross:
        locked.payment_status = PaymentStatus.PAID
        fields.append("payment_status")
        if locked.status == OrderStatus.PLACED:
            locked.status = OrderStatus.PAID
            fields.append("status")
        locked.save(update_fields=fields)
        event_add(locked, "paid", actor=actor, data=data)
        emit("order.paid", locked)
    else:
        locked.save(update_fields=fields)
        event_add(locked, "payment_received", actor=actor, data=data)


def _check_line_refunds(order: Order, wanted: dict[int, int]) -> dict[int, OrderLine]:
    """The order's lines named in `wanted`, each with enough units left to refund."""
    rows = {line.pk: line for line in OrderLine.objects.filter(order=order, pk__in=list(wanted))}
    if missing := set(wanted) - set(rows):
        raise InvalidInput(
            _("Unknown order line."),
            code="LINE_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    for line_id, quantity in wanted.items():
        line = rows[line_id]
        if line.quantity_refunded + quantity > line.quantity:
            raise InvalidInput(
                _("Only %(n)d units of %(sku)s can still be refunded.")
                % {"n": line.quantity - line.quantity_refunded, "sku": line.sku},
                code="INVALID_QUANTITY",
                errors={"lines": [str(line_id)]},
            )
    return rows


def _check_refund(
    order: Order, amount: object, wanted: dict[int, int]
) -> tuple[Decimal, dict[int, OrderLine]]:
    amount = amount_check(amount, currency=order.currency, allow_zero=bool(wanted))
    refundable = order.amount_paid - order.amount_refunded
    if amount > refundable:
        raise InvalidInput(
            _("Only %(n)s %(currency)s can still be refunded.")
            % {"n": money_str(refundable), "currency": order.currency},
            code="REFUND_EXCEEDS_PAID",
            errors={"amount": [money_str(refundable)]},
        )
    return amount, _check_line_refunds(order, wanted)


def order_refund_check(
    *, order: Order, amount: Decimal, lines: Sequence[tuple[int, int]] = ()
) -> Decimal:
    """The checks of `order_record_refund`, without writing: call it before asking a
    payment provider for the money, so that the refund it then records cannot be refused.
    Returns the amount as recorded (quantized)."""
    current = Order.objects.filter(pk=order.pk).first() if order.pk else None
    if current is None:
        raise NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")
    checked, _rows = _check_refund(current, amount, line_quantities(lines, required=False))
    return checked


@transaction.atomic
def order_record_refund(
    *,
    order: Order,
    amount: Decimal,
    lines: Sequence[tuple[int, int]] = (),
    actor: Any = None,
    reference: str = "",
) -> Order:
    """Record `amount` given back for `order` (and, optionally, the units it covers:
    `lines` as (order line id, quantity), which raise `quantity_refunded`). `amount` may
    be 0 only when lines are given (goods returned without money back).

    Payment status becomes `partially_refunded`, or `refunded` when all that was paid is
    refunded; the status then becomes `refunded` (a cancelled order stays cancelled) and
    the stock still allocated to it is released. Timeline `refunded`, outbox
    `order.refunded` (when money moved).

    400 INVALID_AMOUNT / REFUND_EXCEEDS_PAID / LINE_NOT_FOUND / INVALID_QUANTITY."""
    reference = reference_check(reference)
    wanted = line_quantities(lines, required=False)
    if order.pk:
        stock_prelock(order.pk)
    locked = order_lock(order)
    amount, rows = _check_refund(locked, amount, wanted)
    for line_id, quantity in sorted(wanted.items()):
        OrderLine.objects.filter(pk=line_id).update(
            quantity_refunded=F("quantity_refunded") + quantity
        )
    refunded_lines = [
        {"line_id": pk, "sku": rows[pk].sku, "quantity": q} for pk, q in sorted(wanted.items())
    ]
    data: dict[str, Any] = {
        "amount": money_str(amount),
        "reference": reference,
        "lines": refunded_lines,
    }
    if amount:
        locked.amount_refunded += amount
        full = locked.amount_refunded == locked.amount_paid
        locked.payment_status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
        if full and locked.status != OrderStatus.CANCELLED:
            transition_check(locked.status, OrderStatus.REFUNDED)
            locked.status = OrderStatus.REFUNDED
            data["released"] = stock_release(locked)
        locked.save(update_fields=["amount_refunded", "payment_status", "status", "updated_at"])
    event_add(locked, "refunded", actor=actor, data=data)
    if amount:
        emit("order.refunded", locked, amount=money_str(amount))
    return locked
