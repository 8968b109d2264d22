"""Periodic invoicing work run by the worker's beat: reminders of overdue invoices."""

from __future__ import annotations

from comptoir.celery import app
from comptoir.invoicing.services import dunning


@app.task(name="invoicing.dunning", ignore_result=True)
def invoicing_dunning() -> int:
    return dunning.dunning_run()
