"""Outbox handlers of invoicing (named in settings.COMPTOIR_EVENT_HANDLERS), run by a
worker outside any transaction: the overdue reminders' emails, and the invoice of a
business order issued when it ships."""

from __future__ import annotations

import logging

from django.conf import settings

from comptoir.core.models import OutboxEvent
from comptoir.invoicing.services import dunning, invoices
from comptoir.orders.models import Order

logger = logging.getLogger(__name__)


def invoice_overdue(event: OutboxEvent) -> None:
    reminder_id = event.payload.get("reminder_id")
    if isinstance(reminder_id, int):
        dunning.reminder_email_send(reminder_id=reminder_id)


def order_shipped(event: OutboxEvent) -> None:
    """A company's order is invoiced at its first shipment (`COMPTOIR_INVOICE_ON_SHIPMENT`)
    when it is paid or on account; `invoice_issue` is idempotent, so a redelivery or an
    order invoiced by hand before issues nothing more."""
    if not settings.COMPTOIR_INVOICE_ON_SHIPMENT:
        return
    if not str(event.aggregate_id).isdigit():
        return
    order = Order.objects.filter(pk=int(event.aggregate_id), company__isnull=False).first()
    if order is None or order.payment_status not in invoices.INVOICEABLE_PAYMENTS:
        return
    if order.status in invoices.CLOSED_ORDERS:
        return
    invoice, created = invoices.invoice_issue(order=order, actor=None)
    if created:
        logger.info("order %s shipped: invoice %s issued", order.number, invoice.number)
