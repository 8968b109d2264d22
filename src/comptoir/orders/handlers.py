"""Outbox handlers of the orders (named in settings.COMPTOIR_EVENT_HANDLERS): the customer's
emails. Each one is called by `comptoir.core.outbox.deliver_pending` with the event, in a
worker, outside any transaction; an exception (mail server down) leaves the event pending,
retried with backoff.

The order is read by the event's `aggregate_id` (the order id); an order that no longer
exists has nobody to write to, so the event is done. Redelivery is safe: an email already
sent for the same event is not sent again (see `comptoir.orders.emails`)."""

from __future__ import annotations

import logging

from comptoir.core.models import OutboxEvent
from comptoir.orders import emails
from comptoir.orders.models import Fulfilment, Order

logger = logging.getLogger(__name__)


def _id(value: object) -> int:
    """A positive id from a payload value, else 0 (matches nothing)."""
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 < number < 2**63 else 0


def _order(event: OutboxEvent) -> Order | None:
    raw = event.payload.get("order_id") or event.aggregate_id
    order_id = _id(raw)
    order = (
        Order.objects.select_related("channel", "pickup_warehouse")
        .prefetch_related("lines")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        logger.warning("outbox event %s (%s): no order %r", event.pk, event.topic, raw)
    return order


def order_placed(event: OutboxEvent) -> None:
    """The order confirmation."""
    order = _order(event)
    if order is not None:
        emails.order_email_send(order=order, kind="placed", event_id=event.pk)


def order_paid(event: OutboxEvent) -> None:
    """Payment received, unless the confirmation already said the order was paid (events of
    an order are delivered in order, so the confirmation went first)."""
    order = _order(event)
    if order is None or emails.payment_confirmed_at_placement(order):
        return
    emails.order_email_send(order=order, kind="paid", event_id=event.pk)


def order_shipped(event: OutboxEvent) -> None:
    """The shipment of the fulfilment `payload["fulfilment_id"]`, with its tracking."""
    order = _order(event)
    if order is None:
        return
    fulfilment = Fulfilment.objects.filter(
        pk=_id(event.payload.get("fulfilment_id")), order=order
    ).first()
    if fulfilment is None:
        logger.warning(
            "outbox event %s (order.shipped): no fulfilment %r of order %s",
            event.pk,
            event.payload.get("fulfilment_id"),
            order.number,
        )
        return
    emails.order_email_send(order=order, kind="shipped", fulfilment=fulfilment, event_id=event.pk)
