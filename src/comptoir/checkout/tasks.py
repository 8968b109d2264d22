"""Periodic checkout work run by the worker's beat: settle payments whose answer was lost
or whose second step was abandoned."""

from __future__ import annotations

from comptoir.celery import app
from comptoir.checkout import services


@app.task(name="checkout.reconcile", ignore_result=True)
def checkout_reconcile() -> int:
    return services.checkout_reconcile()
