"""Cancelling an order before anything shipped: the stock and the coupons go back. The
money goes back through `comptoir.payments` (the caller's job)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict
from comptoir.orders.models import FulfilmentStatus, Order, OrderStatus, PaymentStatus
from comptoir.orders.services._common import (
    REASON_MAX_LENGTH,
    emit,
    event_add,
    order_lock,
    text_limit,
)
from comptoir.orders.services._stock import stock_prelock, stock_release
from comptoir.orders.transitions import NOT_SHIPPED, transition_check
from comptoir.promotions.models import Coupon
from comptoir.promotions.services import coupons


def _coupons_prelock(codes: list[str]) -> None:
    """Lock the order's coupons in primary-key order (after the stock, before the order)."""
    normalized = sorted({coupons.code_normalize(code) for code in codes if isinstance(code, str)})
    if normalized:
        list(
            Coupon.objects.select_for_update(of=("self",))
            .filter(code__in=normalized)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _coupons_release(order: Order) -> list[str]:
    """Give back the use the order made of each of its coupons. Redemptions are recorded
    under the checkout reference (docs/checkout.md) or, for orders placed otherwise, the
    order number: both are released (coupon_release is idempotent)."""
    released = []
    references = [ref for ref in (order.checkout_ref, order.number) if ref]
    for code in order.coupon_codes:
        if not isinstance(code, str):
            continue
        done = [coupons.coupon_release(code=code, order_reference=ref) for ref in references]
        if any(done):
            released.append(code)
    return released


@transaction.atomic
def order_cancel(*, order: Order, actor: Any = None, reason: str = "") -> Order:
    """Cancel `order` before anything shipped: its allocated stock is released
    (stock_deallocate), the coupons it used are given back (coupon_release), status
    `cancelled`; an order nothing was paid for gets payment status `voided`. Timeline
    `cancelled`, outbox `order.cancelled`. Money already received is NOT given back here:
    the caller refunds through `comptoir.payments`, which records it with
    `order_record_refund`.

    409 ORDER_NOT_CANCELLABLE once something shipped, 409 INVALID_TRANSITION when already
    cancelled, 400 INVALID_INPUT for a bad reason."""
    reason = text_limit(reason, field="reason", limit=REASON_MAX_LENGTH)
    if order.pk:
        stock_prelock(order.pk)
        codes = Order.objects.filter(pk=order.pk).values_list("coupon_codes", flat=True).first()
        _coupons_prelock(list(codes or []))
    locked = order_lock(order)
    shipped = locked.fulfilments.exclude(status=FulfilmentStatus.CANCELLED).exists()
    if shipped or locked.status not in NOT_SHIPPED | {OrderStatus.CANCELLED}:
        raise Conflict(
            _("Order %(number)s has shipped; it can no longer be cancelled.")
            % {"number": locked.number},
            code="ORDER_NOT_CANCELLABLE",
            errors={"status": [locked.status]},
        )
    transition_check(locked.status, OrderStatus.CANCELLED)
    released = stock_release(locked)
    coupon_codes = _coupons_release(locked)
    locked.status = OrderStatus.CANCELLED
    if locked.amount_paid == 0:
        locked.payment_status = PaymentStatus.VOIDED
    locked.save(update_fields=["status", "payment_status", "updated_at"])
    event_add(
        locked,
        "cancelled",
        actor=actor,
        data={"reason": reason, "released": released, "coupons": coupon_codes},
    )
    emit("order.cancelled", locked, reason=reason)
    return locked
