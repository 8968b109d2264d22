"""Placing the order of an approved approval (docs/approvals.md), with the checkout's own
placement code: `approval_approve` records the last decision and places the order from
the frozen snapshot in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.approvals import presenters as approval_presenters
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.channels.models import Channel
from comptoir.checkout.services import _place_order, _release, _reservation_seconds
from comptoir.core import idempotency
from comptoir.inventory import services as inventory
from comptoir.orders.models import Order
from comptoir.payments import services as payments
from comptoir.promotions.services import coupons


def approval_order_place(approval: OrderApproval) -> Order:
    """The order of a just approved approval, from its frozen snapshot (prices of the
    request), through the checkout's own placement: stock reserved then committed,
    coupons redeemed, the payment started and `_place_order` (order_create). A DomainError
    (stock or coupon gone) rolls the approval back: it stays pending."""
    data = dict(approval.draft)
    channel = Channel.objects.get(pk=data["channel_id"])
    reserved = inventory.stock_reserve(
        token=approval.checkout_ref,
        lines=[(line["variant_id"], line["quantity"]) for line in data["lines"]],
        channel=channel,
        expires_at=timezone.now() + timedelta(seconds=_reservation_seconds()),
    )
    data["backordered"] = {str(k): v for k, v in reserved.backordered.items()}
    for code in data["coupon_codes"]:
        coupons.coupon_redeem(
            code=code,
            order_reference=approval.checkout_ref,
            email=data["email"],
            subtotal=Decimal(data["coupon_subtotal"]),
            channel=channel,
            user=approval.buyer,
            customer_group_id=data.get("customer_group_id"),
        )
    payment = payments.payment_start(
        checkout_ref=approval.checkout_ref,
        method=approval.request["payment_method"],
        amount=Decimal(data["total_gross"]),
        currency=data["currency"],
        email=data["email"],
        metadata={"draft": data},
    )
    return _place_order(payment)


def approval_approve(
    *,
    approval_id: int,
    user: Any,
    comment: str = "",
    idempotency_key: str | None = None,
    place: Callable[[OrderApproval], Order] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Approve the current level of approval `approval_id` as `user` (see
    `approvals.services.approval_decide`); at the last level the order is placed in the
    same transaction, so an approval is approved if and only if its order exists, and two
    approvers approving the last level at once make one order (the row lock; the second
    gets 409 APPROVAL_NOT_PENDING). With an `Idempotency-Key`, a replay returns the first
    answer. `place` places the order of the approved approval (default
    `approval_order_place`; `quotes.approving` passes one that also places quotes').
    Returns (200, the approval's body)."""
    claim = None
    if idempotency_key is not None:
        key = idempotency.key_check(idempotency_key)
        claim = idempotency.claim(
            scope=f"approval:{approval_id}:{getattr(user, 'pk', '')}",
            key=key,
            request_hash=idempotency.request_hash({"comment": comment}),
        )
        if claim.replay is not None:
            return claim.replay
    try:
        with transaction.atomic():
            approval, final = approval_services.approval_decide(
                approval_id=approval_id, user=user, decision="approve", comment=comment
            )
            if final:
                order = (place or approval_order_place)(approval)
                approval_services.approval_attach_order(approval=approval, order=order)
            body = approval_presenters.approval_out(approval, user=user)
            if claim is not None and claim.record is not None:
                idempotency.complete(record=claim.record, status=200, body=body)
    except Exception:
        if claim is not None and claim.record is not None:
            _release(claim.record)
        raise
    return 200, body
