"""Celery tasks of core: outbox delivery and housekeeping. Thin adapters over
`comptoir.core.outbox` and `comptoir.core.idempotency`; the beat schedule
(settings.CELERY_BEAT_SCHEDULE) runs them periodically so nothing waits for a new event."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from comptoir.celery import app
from comptoir.core import idempotency, outbox


@app.task(name="core.outbox_deliver", ignore_result=True)
def outbox_deliver() -> int:
    """Deliver the due outbox events; returns how many were delivered. Scheduled after every
    commit that emitted events, and every COMPTOIR_OUTBOX_REDRIVE_SECONDS by beat (events
    whose retry came due, or emitted while no worker ran)."""
    return outbox.deliver_pending(limit=settings.COMPTOIR_OUTBOX_BATCH_SIZE)


@app.task(name="core.housekeeping", ignore_result=True)
def housekeeping() -> dict[str, int]:
    """Delete delivered outbox events and idempotency records past their retention."""
    return {
        "outbox_events": outbox.purge_delivered(
            older_than=timedelta(days=settings.COMPTOIR_OUTBOX_RETENTION_DAYS)
        ),
        "idempotency_records": idempotency.purge(
            older_than=timedelta(hours=settings.COMPTOIR_IDEMPOTENCY_RETENTION_HOURS)
        ),
    }
