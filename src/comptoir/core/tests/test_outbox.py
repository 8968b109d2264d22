"""The outbox: events written in the transaction of the change, delivered after the commit,
at least once, in order per aggregate, retried with backoff, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.core import outbox, tasks
from comptoir.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

HERE = "comptoir.core.tests.test_outbox"
handled: list[tuple[str, int]] = []
down_topics: set[str] = set()


def record(event: OutboxEvent) -> None:
    """A test handler: records the call."""
    handled.append(("record", event.pk))


def second(event: OutboxEvent) -> None:
    handled.append(("second", event.pk))


def flaky(event: OutboxEvent) -> None:
    """Fails while its event's topic is in down_topics (a receiver that is down)."""
    handled.append(("flaky", event.pk))
    if event.topic in down_topics:
        raise OSError(f"receiver down for {event.topic}")


HANDLERS = {
    "thing.done": [f"{HERE}.record"],
    "thing.twice": [f"{HERE}.record", f"{HERE}.second"],
    "thing.flaky": [f"{HERE}.flaky"],
    "order.flaky": [f"{HERE}.flaky"],
    "order.next": [f"{HERE}.record"],
    "thing.broken": ["comptoir.core.tests.nowhere.handler"],
    "pay.*": [f"{HERE}.second"],
    "pay.captured": [f"{HERE}.record"],
}


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    handled.clear()
    down_topics.clear()
    with override_settings(COMPTOIR_EVENT_HANDLERS=HANDLERS):
        yield
    handled.clear()
    down_topics.clear()


def emit(
    topic: str, aggregate_id: int | str = 1, aggregate: str = "thing", **payload: Any
) -> OutboxEvent:
    with transaction.atomic():
        return outbox.emit(topic, aggregate=aggregate, aggregate_id=aggregate_id, payload=payload)


def emit_then_fail() -> None:
    """A change that emits its event, then fails: the block rolls back."""
    with transaction.atomic():
        outbox.emit("thing.done", aggregate="thing", aggregate_id=1, payload={})
        raise ZeroDivisionError


# --- emit ----------------------------------------------------------------------------------


def test_emit_outside_a_transaction_is_refused(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match=r"inside the transaction\.atomic\(\) block"):
        outbox.emit("thing.done", aggregate="thing", aggregate_id=1, payload={})

    assert OutboxEvent.objects.count() == 0


def test_emit_inserts_the_event_and_schedules_delivery_on_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        event = emit("thing.done", 42, amount=Decimal("19.90"), when=timezone.now().date())

    event.refresh_from_db()
    assert (event.topic, event.aggregate, event.aggregate_id) == ("thing.done", "thing", "42")
    assert event.payload == {"amount": "19.90", "when": timezone.now().date().isoformat()}
    assert (event.attempts, event.delivered_at, event.claimed_until) == (0, None, None)
    assert len(callbacks) == 1
    assert handled == []  # nothing delivered before the commit


def test_one_delivery_is_scheduled_per_transaction(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            outbox.emit("thing.done", aggregate="thing", aggregate_id=n, payload={})

    assert len(callbacks) == 1
    assert OutboxEvent.objects.count() == 3


def test_rolled_back_transaction_leaves_no_event_and_no_delivery(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
    ):
        emit_then_fail()

    assert callbacks == []
    assert OutboxEvent.objects.count() == 0
    assert handled == []


def test_event_of_a_rolled_back_savepoint_is_gone_but_the_outer_one_is_delivered(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with pytest.raises(ZeroDivisionError):
            emit_then_fail()
        kept = outbox.emit("thing.done", aggregate="thing", aggregate_id=2, payload={})

    assert len(callbacks) == 1
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert handled == [("record", kept.pk)]


@pytest.mark.parametrize(
    ("topic", "aggregate", "aggregate_id"),
    [
        ("", "thing", 1),
        ("t" * 101, "thing", 1),
        ("thing.done", "a" * 51, 1),
        ("x.y", "a", "9" * 65),
    ],
)
def test_emit_refuses_what_does_not_fit(topic: str, aggregate: str, aggregate_id: Any) -> None:
    with pytest.raises(ValueError, match="Invalid outbox event"), transaction.atomic():
        outbox.emit(topic, aggregate=aggregate, aggregate_id=aggregate_id, payload={})


def test_committed_events_are_delivered_in_process_when_tasks_run_eagerly(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """make demo: no broker, CELERY_TASK_ALWAYS_EAGER; the task runs after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        event = emit("thing.done")

    event.refresh_from_db()
    assert event.delivered_at is not None
    assert handled == [("record", event.pk)]


def test_failing_eager_delivery_never_reaches_the_committer(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    down_topics.add("thing.flaky")

    with django_capture_on_commit_callbacks(execute=True):
        event = emit("thing.flaky")  # no exception

    event.refresh_from_db()
    assert (event.delivered_at, event.attempts) == (None, 1)
    assert event.last_error == f"{HERE}.flaky: OSError: receiver down for thing.flaky"


def test_unreachable_broker_never_reaches_the_committer(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broker_down() -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.outbox_deliver, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        event = emit("thing.done")

    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is None  # the re-drive will
    assert "outbox delivery could not be scheduled" in caplog.text


# --- delivery ------------------------------------------------------------------------------


def test_delivery_runs_every_handler_and_marks_the_event_delivered() -> None:
    event = emit("thing.twice")

    assert outbox.deliver_pending() == 1

    event.refresh_from_db()
    assert event.delivered_at is not None
    assert (event.claimed_until, event.attempts, event.last_error) == (None, 0, "")
    assert handled == [("record", event.pk), ("second", event.pk)]
    assert outbox.deliver_pending() == 0  # delivered once
    assert len(handled) == 2


def test_topic_without_handlers_is_delivered() -> None:
    event = emit("nobody.listens")

    assert outbox.deliver_pending() == 1

    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None
    assert handled == []


def test_prefix_handlers_run_after_the_topics_own() -> None:
    captured = emit("pay.captured")
    refunded = emit("pay.refunded")

    assert outbox.deliver_pending() == 2

    assert handled == [("record", captured.pk), ("second", captured.pk), ("second", refunded.pk)]


def test_handler_failure_keeps_the_event_with_backoff_and_nothing_is_lost() -> None:
    down_topics.add("thing.flaky")
    event = emit("thing.flaky")
    start = timezone.now()

    assert outbox.deliver_pending(now=start) == 0

    event.refresh_from_db()
    assert event.delivered_at is None
    assert event.attempts == 1
    assert event.last_error == f"{HERE}.flaky: OSError: receiver down for thing.flaky"
    assert event.available_at == start + timedelta(seconds=30)
    assert event.claimed_until is None
    # Not due yet: nothing is tried.
    assert outbox.deliver_pending(now=start + timedelta(seconds=29)) == 0
    assert len(handled) == 1
    # Still down at the second attempt: the wait doubles.
    assert outbox.deliver_pending(now=start + timedelta(seconds=30)) == 0
    event.refresh_from_db()
    assert (event.attempts, event.available_at) == (2, start + timedelta(seconds=90))
    # The receiver is back.
    down_topics.clear()
    assert outbox.deliver_pending(now=start + timedelta(seconds=90)) == 1
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert event.attempts == 2  # the failed attempts stay on record
    assert [call for call, _pk in handled] == ["flaky"] * 3


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    waits = [outbox.backoff_seconds(attempts) for attempts in range(1, 10)]

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert outbox.backoff_seconds(10_000) == 3600


def test_unknown_handler_is_a_failure_retried_later() -> None:
    event = emit("thing.broken")

    assert outbox.deliver_pending() == 0

    event.refresh_from_db()
    assert event.attempts == 1
    assert event.last_error.startswith("comptoir.core.tests.nowhere.handler: ModuleNotFoundError")


def test_events_of_one_aggregate_are_delivered_in_order() -> None:
    """order.next waits while the order's earlier event fails; other orders go on."""
    down_topics.add("order.flaky")
    first = emit("order.flaky", 7, aggregate="order")
    then = emit("order.next", 7, aggregate="order")
    other = emit("order.next", 8, aggregate="order")
    start = timezone.now()

    assert outbox.deliver_pending(now=start) == 1

    assert handled == [("flaky", first.pk), ("record", other.pk)]
    then.refresh_from_db()
    assert (then.delivered_at, then.attempts) == (None, 0)

    down_topics.clear()
    assert outbox.deliver_pending(now=start + timedelta(minutes=1)) == 2

    assert handled[2:] == [("flaky", first.pk), ("record", then.pk)]


def test_events_without_aggregate_are_not_ordered() -> None:
    down_topics.add("thing.flaky")
    stuck = emit("thing.flaky", "", aggregate="")
    independent = emit("thing.done", "", aggregate="")

    assert outbox.deliver_pending() == 1

    assert handled == [("flaky", stuck.pk), ("record", independent.pk)]


def test_an_event_claimed_by_a_live_worker_is_left_alone_until_its_lease_ends() -> None:
    event = emit("thing.done")
    now = timezone.now()
    OutboxEvent.objects.filter(pk=event.pk).update(claimed_until=now + timedelta(seconds=10))

    assert outbox.deliver_pending(now=now) == 0
    assert handled == []

    # The worker died: its lease ends and another worker delivers.
    assert outbox.deliver_pending(now=now + timedelta(seconds=10)) == 1
    assert handled == [("record", event.pk)]


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_new_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a slow handler runs, its lease passes and another worker claims the event; the
    slow one's failure then changes nothing."""
    down_topics.add("thing.flaky")
    event = emit("thing.flaky")
    other_lease = timezone.now() + timedelta(hours=1)

    original = outbox._run

    def slow_then_fail(handler: Any, evt: OutboxEvent) -> None:
        try:
            original(handler, evt)
        finally:  # meanwhile, the lease passed and another worker claimed the event
            OutboxEvent.objects.filter(pk=evt.pk).update(claimed_until=other_lease)

    monkeypatch.setattr(outbox, "_run", slow_then_fail)

    assert outbox.deliver_pending() == 0

    event.refresh_from_db()
    assert (event.attempts, event.claimed_until, event.last_error) == (0, other_lease, "")


def test_limit_bounds_one_run() -> None:
    events = [emit("thing.done", n) for n in range(5)]

    assert outbox.deliver_pending(limit=3) == 3
    assert outbox.deliver_pending(limit=3) == 2

    assert handled == [("record", event.pk) for event in events]


def test_the_task_delivers() -> None:
    event = emit("thing.done")

    result = tasks.outbox_deliver.apply()

    assert (result.state, result.result) == ("SUCCESS", 1)
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None


# --- staff and housekeeping ------------------------------------------------------------------


def test_retry_now_makes_waiting_events_due_and_schedules_delivery(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # Written directly: no delivery of theirs is pending in this test's transaction.
    down_topics.add("thing.flaky")
    waiting = OutboxEvent.objects.create(topic="thing.flaky", aggregate="thing", aggregate_id="1")
    delivered = OutboxEvent.objects.create(topic="thing.done", aggregate="thing", aggregate_id="2")
    outbox.deliver_pending()
    down_topics.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox.retry_now(ids=[waiting.pk, delivered.pk]) == 1

    assert len(callbacks) == 1
    waiting.refresh_from_db()
    assert waiting.delivered_at is not None


def test_housekeeping_purges_old_delivered_events_only() -> None:
    old = emit("thing.done", 1)
    recent = emit("thing.done", 2)
    pending = emit("nobody.listens", 3)
    outbox.deliver_pending(limit=2)
    OutboxEvent.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=31))
    OutboxEvent.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(days=90))

    result = tasks.housekeeping.apply()

    assert result.result == {"outbox_events": 1, "idempotency_records": 0}
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
