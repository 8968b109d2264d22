"""Expiry of sent quotes and the reminder before it (run by the `quotes.expire` task).

Both are conditional UPDATEs, so running them twice, or in two workers at once, changes
each quote once: a quote is marked expired once, and reminded once per sent version
(`quote_send` clears `reminded_at`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.core import outbox
from comptoir.quotes.models import Quote, QuoteEvent, QuoteState

S = QuoteState
BATCH = 500


def reminder_days() -> int:
    return int(getattr(settings, "COMPTOIR_QUOTE_REMINDER_DAYS", 3))


def quotes_expire(*, now: datetime | None = None) -> int:
    """Mark sent quotes past their expiry as expired (the buyer can no longer accept
    them); how many changed."""
    moment = now or timezone.now()
    changed = 0
    due = Quote.objects.filter(state=S.SENT, expires_at__lte=moment).order_by("id")
    for quote_id in list(due.values_list("id", flat=True)[:BATCH]):
        with transaction.atomic():
            if Quote.objects.filter(pk=quote_id, state=S.SENT, expires_at__lte=moment).update(
                state=S.EXPIRED, updated_at=moment
            ):
                QuoteEvent.objects.create(quote_id=quote_id, kind="expired")
                changed += 1
    return changed


def quote_reminders_send(*, now: datetime | None = None) -> int:
    """Remind buyers of sent quotes expiring within COMPTOIR_QUOTE_REMINDER_DAYS (an email,
    from the outbox: quote.expiring), once per sent version; how many were reminded."""
    moment = now or timezone.now()
    horizon = moment + timedelta(days=reminder_days())
    due = Quote.objects.filter(
        state=S.SENT, reminded_at__isnull=True, expires_at__gt=moment, expires_at__lte=horizon
    ).order_by("id")
    sent = 0
    for quote_id in list(due.values_list("id", flat=True)[:BATCH]):
        with transaction.atomic():
            if Quote.objects.filter(pk=quote_id, state=S.SENT, reminded_at__isnull=True).update(
                reminded_at=moment
            ):
                QuoteEvent.objects.create(quote_id=quote_id, kind="reminded")
                outbox.emit("quote.expiring", aggregate="quote", aggregate_id=quote_id, payload={})
                sent += 1
    return sent
