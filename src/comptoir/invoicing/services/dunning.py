"""Reminders of overdue invoices (dunning): one email per invoice and level, a level being
a number of days past the due date (`COMPTOIR_DUNNING_DAYS`, default 7, 15 and 30). Run
daily by the beat (`invoicing.dunning`); running it again the same day sends nothing more.
The email goes through the outbox (`invoice.overdue`, handler
`comptoir.invoicing.handlers.invoice_overdue`): a mail server that is down is retried
until it answers, and a redelivered event sends nothing twice (`emailed_at`)."""

from __future__ import annotations

from datetime import date

from babel.numbers import format_currency
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core import outbox
from comptoir.core.locales import babel_locale
from comptoir.invoicing.models import DunningReminder, Invoice, InvoiceKind, InvoiceStatus

UNSETTLED = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


def _levels() -> list[int]:
    return sorted(int(days) for days in getattr(settings, "COMPTOIR_DUNNING_DAYS", [7, 15, 30]))


def reminder_email_send(*, reminder_id: int) -> bool:
    """Email the reminder `reminder_id` to the buyer, once: False when it was emailed
    already, or its invoice was settled meanwhile (nothing to remind). An SMTP failure
    raises, so that the outbox retries it. Call outside any transaction."""
    reminder = (
        DunningReminder.objects.select_related("invoice")
        .filter(pk=reminder_id, emailed_at__isnull=True)
        .first()
    )
    if reminder is None or reminder.invoice.status not in UNSETTLED:
        return False
    invoice, level = reminder.invoice, reminder.level
    with translation.override(invoice.language):
        balance = format_currency(
            invoice.balance, invoice.currency, locale=babel_locale(invoice.language)
        )
        subject = _("Reminder: invoice %(number)s is overdue") % {"number": invoice.number}
        body = render_to_string(
            "invoicing/reminder.txt", {"invoice": invoice, "level": level, "balance": balance}
        )
    EmailMessage(subject, body, to=[invoice.buyer["email"]]).send()
    DunningReminder.objects.filter(pk=reminder.pk).update(emailed_at=timezone.now())
    return True


def dunning_run(*, today: date | None = None) -> int:
    """Decide the reminders due today; returns how many. Each (invoice, level) is recorded
    (unique) with its `invoice.overdue` event in the transaction that decides it, under
    the invoice's lock, so concurrent runs send it once."""
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
            reminder = DunningReminder.objects.create(invoice=invoice, level=reached[-1])
            outbox.emit(
                "invoice.overdue",
                aggregate="invoice",
                aggregate_id=invoice.pk,
                payload={"reminder_id": reminder.pk, "level": reminder.level},
            )
            sent += 1
    return sent
