"""Periodic quote work run by the worker's beat: expire sent quotes past their validity
and remind buyers before (both idempotent: see quotes.services.expiry)."""

from __future__ import annotations

from comptoir.celery import app
from comptoir.quotes import services


@app.task(name="quotes.expire", ignore_result=True)
def quotes_expire() -> dict[str, int]:
    return {
        "expired": services.quotes_expire(),
        "reminded": services.quote_reminders_send(),
    }
