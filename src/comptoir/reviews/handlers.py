"""Outbox handlers of the reviews (named in settings.COMPTOIR_EVENT_HANDLERS)."""

from __future__ import annotations

from comptoir.core.models import OutboxEvent
from comptoir.orders.models import Order
from comptoir.reviews.emails import review_request_send


def order_delivered(event: OutboxEvent) -> None:
    """`order.delivered`: invite the customer to review what they received (once)."""
    try:
        order_id = int(str(event.aggregate_id))
    except ValueError:
        return
    order = (
        Order.objects.select_related("channel")
        .prefetch_related("lines__variant")
        .filter(pk=order_id)
        .first()
    )
    if order is not None:
        review_request_send(order=order)
