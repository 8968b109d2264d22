"""The buyer's quote emails go out through the outbox over a real SMTP server (aiosmtpd),
once per event, in the quote's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from comptoir.core import outbox
from comptoir.core.testing_smtp import SmtpServer
from comptoir.quotes import services, tasks
from comptoir.quotes.models import Quote
from comptoir.quotes.tests.conftest import Shop, requested, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        with override_settings(MAILERS=server.mailers()):
            yield server
    finally:
        server.stop()


def test_a_sent_quote_is_emailed_once_in_english(smtp: SmtpServer, shop: Shop, clerk: Any) -> None:
    quote = requested(shop, language="en")
    services.quote_send(quote=quote, actor=clerk)
    assert outbox.deliver_pending() == 2  # quote.requested (no email), quote.sent
    assert outbox.deliver_pending() == 0
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == [shop.buyer.email]
    assert message["Subject"] == f"Your quote {quote.number} is ready"
    body = str(message.get_content())
    assert "Total excl. tax: €140.00" in body
    expires = timezone.localtime(Quote.objects.get(pk=quote.pk).expires_at).date()
    assert f"Valid until: {expires.day} {expires:%B} {expires.year}" in body
    assert f"\n{settings.SITE_URL}/en/account/quotes/{quote.number}/\r\n" in body


def test_the_expiry_task_reminds_once_in_french(smtp: SmtpServer, shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    assert outbox.deliver_pending() == 2  # quote.requested, quote.sent (the first email)
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert tasks.quotes_expire() == {"expired": 0, "reminded": 1}
    assert tasks.quotes_expire() == {"expired": 0, "reminded": 0}
    assert outbox.deliver_pending() == 1
    subjects = [message["Subject"] for _to, message in smtp.inbox.messages]
    assert subjects == [
        f"Votre devis {quote.number} est prêt",
        f"Votre devis {quote.number} expire bientôt",
    ]
    reminder = str(smtp.inbox.messages[1][1].get_content())
    assert "Total HT : 140,00\u00a0€" in reminder
    assert f"\n{settings.SITE_URL}/account/quotes/{quote.number}/\r\n" in reminder
