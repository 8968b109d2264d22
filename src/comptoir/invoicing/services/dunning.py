"""Reminders of overdue invoices (dunning): one email per invoice and level, a level being
a number of days past the due date (`COMPTOIR_DUNNING_DAYS`, default 7, 15 and 30). Run
daily by the beat (`invoicing.dunning`); running it again the same day sends nothing more."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial

from babel.numbers import format_currency
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core.locales import babel_locale
from comptoir.invoicing.models import DunningReminder, Invoice, InvoiceKind, InvoiceStatus

logger = logging.getLogger(__name__)
UNSETTLED = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


def _levels() -> list[int]:
    return sorted(int(days) for days in getattr(settings, "COMPTOIR_DUNNING_DAYS", [7, 15, 30]))


def _send(invoice: Invoice, level: int) -> None:
    """Email the reminder (after the commit: no lock held); a failure is logged."""
    with translation.override(invoice.language):
        balance = format_currency(
            invoice.balance, invoice.currency, locale=babel_locale(invoice.language)
        )
        subject = _("Reminder: invoice %(number)s is overdue") % {"number": invoice.number}
        body = render_to_string(
            "invoicing/reminder.txt", {"invoice": invoice, "level": level, "balance": balance}
        )
    try:
        EmailMessage(subject, body, to=[invoice.buyer["email"]]).send()
    except OSError:
        logger.exception("reminder %s +%s not sent", invoice.number, level)


def dunning_run(*, today: date | None = None) -> int:
    """Send the reminders due today; returns how many were sent. Each (invoice, level)
    is recorded (unique) in the transaction that decides to send it, under the invoice's
    lock, so concurrent runs send it once."""
    today = today or timezone.localdate()
    levels = _levels()
    if not levels:
        return 0
    sent = 0
    overdue = Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status__in=UNSETTLED, due_date__lt=today
    ).exclude(buyer__email="")
    for invoice_id in overdue.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
            if invoice.status not in UNSETTLED:
                continue
            late = (today - invoice.due_date).days
            reached = [level for level in levels if level <= late]
            if (
                not reached
                or DunningReminder.objects.filter(invoice=invoice, level__gte=reached[-1]).exists()
            ):
                continue
            DunningReminder.objects.create(invoice=invoice, level=reached[-1])
            transaction.on_commit(partial(_send, invoice, reached[-1]))
            sent += 1
    return sent
