"""The transactional outbox: events written with the change they describe, delivered after
the commit by a worker, at least once, in order per aggregate.

- `emit()` inserts an `OutboxEvent` inside the caller's transaction (it refuses to run outside
  one: an event committed apart from its change could describe something that never
  happened, or be lost). Once the transaction commits it schedules the Celery task
  `comptoir.core.tasks.outbox_deliver` (one per transaction, however many events it wrote).
  Rolled back, neither the event nor the task exist.
- `deliver_pending()` claims due events with a conditional UPDATE of `claimed_until` (a
  lease, committed at once: no row lock is held while handlers call SMTP or webhooks), runs
  the handlers of each event's topic, then marks it delivered. A handler that raises leaves
  the event pending: `attempts` + 1, `last_error`, `available_at` pushed back exponentially
  (30 s, 1 min, 2 min ... capped at 1 h by default), claim released. Nothing is ever dropped.
- Handlers are named per topic in `settings.COMPTOIR_EVENT_HANDLERS` (dotted paths, loaded
  with `import_string`), so core imports no domain. A key `"<prefix>.*"` also matches every
  topic of that prefix. A handler is called with the event (`handler(event)`) outside any
  transaction; it must be idempotent where it can (delivery is at-least-once: a worker that
  dies between a handler's success and the `delivered_at` write runs it again, and every
  handler of a topic runs again when one of them failed).
- Order per aggregate: an event is not delivered while an earlier event of the same
  aggregate (`aggregate`, `aggregate_id`) is undelivered, so `order.paid` never overtakes
  the `order.placed` of the same order, even when that one is waiting for a retry.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from comptoir.core.models import OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], Any]

ERROR_MAX_CHARS = 2000
# Failures are logged as warnings, then as errors from this attempt on (someone should look).
ERROR_LOG_FROM_ATTEMPT = 5


def emit(
    topic: str, *, aggregate: str, aggregate_id: str | int, payload: dict[str, Any]
) -> OutboxEvent:
    """Record that `topic` happened to `aggregate` #`aggregate_id`, inside the transaction
    of the change, and have it delivered once that transaction commits.

    `payload` must be JSON-serialisable (Decimals, dates and UUIDs become strings, as in
    the API). Raises RuntimeError outside `transaction.atomic` and ValueError for a topic,
    aggregate or id that does not fit its column (programming errors, not user input)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "outbox.emit() must run inside the transaction.atomic() block of the change it "
            "describes."
        )
    aggregate_id = str(aggregate_id)
    if not topic or len(topic) > 100 or len(aggregate) > 50 or len(aggregate_id) > 64:
        raise ValueError(f"Invalid outbox event {topic!r} for {aggregate!r} {aggregate_id!r}.")
    event = OutboxEvent.objects.create(
        topic=topic,
        aggregate=aggregate,
        aggregate_id=aggregate_id,
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
    )
    _schedule_delivery()
    return event


def _schedule_delivery() -> None:
    """Schedule one delivery task for when the current transaction commits (once: a
    transaction that emits several events schedules one task)."""
    connection = transaction.get_connection()
    if any(entry[1] is _kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick, robust=True)


def _kick() -> None:
    """After the commit: ask a worker to deliver. With CELERY_TASK_ALWAYS_EAGER (make demo)
    the delivery runs here, in the process that committed; neither a failing handler (the
    event is kept for a retry) nor an unreachable broker (the periodic re-drive delivers
    later) ever reaches the request."""
    from comptoir.core.tasks import outbox_deliver  # tasks import this module

    try:
        outbox_deliver.delay()
    except Exception:
        logger.warning(
            "outbox delivery could not be scheduled; the periodic re-drive will deliver",
            exc_info=True,
        )


# --- delivery -------------------------------------------------------------------------------


def handlers_for(topic: str) -> list[str]:
    """The dotted paths of the handlers of `topic`: its own, then those of `"<prefix>.*"`."""
    configured: dict[str, list[str]] = settings.COMPTOIR_EVENT_HANDLERS
    paths = list(configured.get(topic, ()))
    prefix, dot, _rest = topic.partition(".")
    if dot:
        paths += configured.get(f"{prefix}.*", ())
    return paths


@functools.cache
def _load(path: str) -> Handler:
    handler: Handler = import_string(path)
    return handler


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait before attempt `attempts + 1`: base * 2^(attempts - 1), capped."""
    base = settings.COMPTOIR_OUTBOX_RETRY_BASE_SECONDS
    cap = settings.COMPTOIR_OUTBOX_RETRY_MAX_SECONDS
    return int(min(cap, base * 2 ** min(max(attempts - 1, 0), 30)))


def deliver_pending(*, limit: int = 100, now: datetime | None = None) -> int:
    """Deliver up to `limit` due events, oldest first; returns how many were delivered.

    `now` (tests) fixes the clock used for what is due, the leases and the retry times.
    Safe to run from several workers at once: each event is claimed by one of them. Call it
    outside a transaction (the task does) so that claims are committed before handlers run.
    """
    delivered = tried = 0
    while tried < limit:
        moment = now or timezone.now()
        batch = _claim(size=limit - tried, now=moment)
        if not batch:
            break
        for event in batch:
            tried += 1
            delivered += _deliver(event, now=now)
    return delivered


def _claim(*, size: int, now: datetime) -> list[OutboxEvent]:
    """Take a lease on up to `size` due events whose aggregate has no earlier undelivered
    event, and return those this call obtained (another worker may win some)."""
    claimable = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    earlier = OutboxEvent.objects.filter(
        aggregate=OuterRef("aggregate"),
        aggregate_id=OuterRef("aggregate_id"),
        delivered_at__isnull=True,
        pk__lt=OuterRef("pk"),
    )
    due = list(
        OutboxEvent.objects.filter(claimable, delivered_at__isnull=True, available_at__lte=now)
        .filter(Q(aggregate="") | ~Exists(earlier))
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    if not due:
        return []
    # The lease doubles as the claim's identity: a later claim always sets a later time.
    lease = now + timedelta(seconds=settings.COMPTOIR_OUTBOX_LEASE_SECONDS)
    OutboxEvent.objects.filter(claimable, pk__in=due, delivered_at__isnull=True).update(
        claimed_until=lease
    )
    return list(OutboxEvent.objects.filter(pk__in=due, claimed_until=lease).order_by("pk"))


def _deliver(event: OutboxEvent, *, now: datetime | None) -> int:
    """Run the handlers of a claimed event; 1 if it is now delivered, 0 if it waits for a
    retry."""
    lease = event.claimed_until
    path = ""
    try:
        for path in handlers_for(event.topic):
            _run(_load(path), event)
    except Exception as exc:
        attempts = event.attempts + 1
        retry_at = (now or timezone.now()) + timedelta(seconds=backoff_seconds(attempts))
        error = f"{path}: {type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        # Only while the claim is still ours (a worker that outlived its lease changes nothing).
        OutboxEvent.objects.filter(pk=event.pk, claimed_until=lease).update(
            attempts=F("attempts") + 1, last_error=error, available_at=retry_at, claimed_until=None
        )
        logger.log(
            logging.ERROR if attempts >= ERROR_LOG_FROM_ATTEMPT else logging.WARNING,
            "outbox event %s (%s) failed in %s, attempt %d; next attempt at %s",
            event.pk,
            event.topic,
            path,
            attempts,
            retry_at.isoformat(),
            exc_info=True,
        )
        return 0
    OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now(), claimed_until=None
    )
    return 1


def _run(handler: Handler, event: OutboxEvent) -> None:
    """Call a handler outside any transaction. Inside one (tests, or a caller that should
    not), in a savepoint, so that its failure rolls back its own writes only."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            handler(event)
    else:
        handler(event)


# --- staff and housekeeping -------------------------------------------------------------------


def retry_now(*, ids: Iterable[int]) -> int:
    """Make these undelivered, unclaimed events due now and schedule a delivery; returns how
    many were rescheduled (staff "retry now" in the admin)."""
    with transaction.atomic():
        count = OutboxEvent.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=timezone.now()),
            pk__in=list(ids),
            delivered_at__isnull=True,
        ).update(available_at=timezone.now())
        if count:
            _schedule_delivery()
    return count


def purge_delivered(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete events delivered more than `older_than` ago; returns how many. Undelivered
    events are never deleted."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _rows = OutboxEvent.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted
