"""Outbox handlers of quotes (named in settings.COMPTOIR_EVENT_HANDLERS): the buyer's
emails, from a worker, outside any transaction."""

from __future__ import annotations

from comptoir.core.models import OutboxEvent
from comptoir.quotes import emails
from comptoir.quotes.models import Quote


def _quote(event: OutboxEvent) -> Quote | None:
    try:
        quote_id = int(event.aggregate_id)
    except ValueError:
        return None
    return Quote.objects.select_related("requested_by").filter(pk=quote_id).first()


def quote_sent(event: OutboxEvent) -> None:
    quote = _quote(event)
    if quote is not None:
        emails.quote_email_send(quote=quote, kind="sent", event_id=event.pk)


def quote_expiring(event: OutboxEvent) -> None:
    quote = _quote(event)
    if quote is not None:
        emails.quote_email_send(quote=quote, kind="expiring", event_id=event.pk)
