"""Several workers delivering at once (threads, each with its own PostgreSQL connection):
every event is handled once, and the events of one aggregate in the order they were
written."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import override_settings

from comptoir.core import outbox, tasks
from comptoir.core.models import OutboxEvent

pytestmark = pytest.mark.postgres

SEEN: list[tuple[str, int]] = []
SEEN_LOCK = threading.Lock()
WORKERS = 4


def slow_record(event: OutboxEvent) -> None:
    """A handler that takes a little time (an SMTP call), so that workers overlap."""
    time.sleep(0.01)
    with SEEN_LOCK:
        SEEN.append((event.aggregate_id, event.pk))


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    SEEN.clear()
    path = "comptoir.core.tests.test_outbox_concurrency.slow_record"
    with override_settings(COMPTOIR_EVENT_HANDLERS={"order.step": [path]}):
        yield
    SEEN.clear()


def run_workers(count: int) -> list[Any]:
    results: list[Any] = []
    barrier = threading.Barrier(count, timeout=30)

    def work() -> None:
        try:
            barrier.wait()
            delivered = 0
            while True:  # as the periodic re-drive would, until nothing is due
                done = outbox.deliver_pending(limit=10)
                if not done:
                    break
                delivered += done
            results.append(delivered)
        except BaseException as exc:
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_concurrent_workers_deliver_each_event_once_in_order_per_aggregate(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The commit schedules a delivery that no worker picks up yet (no eager run here).
    monkeypatch.setattr(tasks.outbox_deliver, "delay", lambda: None)
    with transaction.atomic():
        events = [
            outbox.emit("order.step", aggregate="order", aggregate_id=order, payload={})
            for _step in range(5)
            for order in range(1, 7)
        ]

    results = run_workers(WORKERS)

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == len(events)
    assert Counter(pk for _order, pk in SEEN) == {event.pk: 1 for event in events}
    for order in {aggregate_id for aggregate_id, _pk in SEEN}:
        delivered = [pk for aggregate_id, pk in SEEN if aggregate_id == order]
        assert delivered == sorted(delivered)
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    assert not OutboxEvent.objects.filter(claimed_until__isnull=False).exists()
