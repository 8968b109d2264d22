"""End to end: an order event committed here is delivered by a real `comptoir worker`
process (Redis broker, the test database) that emails the confirmation over SMTP to an
aiosmtpd server run by this test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from comptoir.core.models import OutboxEvent
from comptoir.core.testing_smtp import SmtpServer
from comptoir.core.tests.test_worker import (
    WorkerProcess,
    publishing_to_redis,
    wait_for,
    worker_on_test_database,
)
from comptoir.orders.models import OrderEvent
from comptoir.orders.tests.test_emails import FR_TOTAL, SITE, emit, make_order, parts

pytestmark = pytest.mark.postgres


@pytest.fixture
def redis_broker() -> Iterator[str]:
    with publishing_to_redis() as url:
        yield url


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[WorkerProcess]:
    with worker_on_test_database(tmp_path) as worker:
        yield worker


def test_worker_sends_the_confirmation_over_smtp(
    transactional_db: None, redis_broker: str, worker_process: WorkerProcess
) -> None:
    smtp = SmtpServer()
    smtp.start()
    try:
        worker_process.env.update(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", SITE_URL=SITE)
        order = make_order(language="fr")
        event = emit("order.placed", order)  # committed: queued for a worker
        worker_process.start()

        wait_for(lambda: bool(smtp.inbox.messages), what=f"the email\n{worker_process.output()}")
        wait_for(
            lambda: OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=False).exists(),
            what="the event marked delivered",
        )
    finally:
        worker_process.stop()
        smtp.stop()

    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["lea@example.fr"]
    with translation.override("fr"):
        subject = gettext("Your order %(number)s at %(shop)s is confirmed") % {
            "number": order.number,
            "shop": "Boutique France",
        }
    assert message["Subject"] == subject
    text, html = parts(message)
    assert FR_TOTAL in text
    assert FR_TOTAL in html
    assert f"{SITE}/orders/{order.token}/" in text
    sent: Any = OrderEvent.objects.get(order=order, kind="email_sent").data
    assert sent["event"] == event.pk
