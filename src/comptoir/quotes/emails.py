"""The buyer's quote emails (sent by the outbox handlers, from a worker): the quote was
sent (with its total and expiry), and the reminder before it expires. In the quote's
language; a link to the quote's page in the buyer's account (settings.SITE_URL)."""

from __future__ import annotations

from typing import Literal

from babel.dates import format_date
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core.locales import babel_locale
from comptoir.core.money import Money
from comptoir.quotes.models import Quote, QuoteEvent

Kind = Literal["sent", "expiring"]


def quote_link(quote: Quote) -> str:
    """The quote's page in the buyer's account, absolute from SITE_URL, in the active
    language (a named storefront route: quotes import nothing of the storefront)."""
    path = reverse("storefront:quote", args=[quote.number])
    return f"{settings.SITE_URL}{path}"


def quote_email_send(*, quote: Quote, kind: Kind, event_id: int) -> bool:
    """Email the buyer; once per outbox event (a redelivery sends nothing again: the quote's
    trail keeps `email_<kind>` with the event id). False when already sent."""
    marker = f"email_{kind}"
    if QuoteEvent.objects.filter(quote=quote, kind=marker, data__event_id=event_id).exists():
        return False
    recipient = quote.requested_by.email
    if not recipient:
        return False
    with translation.override(quote.language):
        locale = babel_locale(quote.language)
        context = {
            "quote": quote,
            "total": Money(quote.total_net, quote.currency).format(locale),
            "expires": format_date(
                timezone.localtime(quote.expires_at).date(), format="long", locale=locale
            ),
            "url": quote_link(quote),
        }
        subject = (
            _("Your quote %(number)s is ready")
            if kind == "sent"
            else _("Your quote %(number)s expires soon")
        ) % {"number": quote.number}
        body = render_to_string(f"quotes/email/{kind}.txt", context)
    EmailMessage(subject=subject, body=body, to=[recipient]).send()
    QuoteEvent.objects.create(quote=quote, kind=marker, data={"event_id": event_id})
    return True
