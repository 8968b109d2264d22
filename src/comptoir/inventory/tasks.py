"""Celery tasks of inventory: thin periodic adapters over services and selectors (see
docs/inventory.md for the beat schedule)."""

from __future__ import annotations

import logging

from comptoir.celery import app
from comptoir.inventory import selectors, services

logger = logging.getLogger(__name__)


@app.task(name="inventory.reservations_expire")
def reservations_expire() -> int:
    """Release the stock of checkouts whose reservation expired; the units released."""
    released = services.reservations_expire()
    if released:
        logger.info("released %d units held by expired checkouts", released)
    return released


@app.task(name="inventory.ledger_check")
def ledger_check() -> int:
    """Log an error for every stock row whose on-hand quantity differs from the sum of its
    movements (none unless something bypassed the services); the number of such rows."""
    mismatches = selectors.ledger_mismatches()
    for mismatch in mismatches:
        logger.error(
            "stock %d: quantity %d but its movements sum to %d",
            mismatch.stock_id,
            mismatch.quantity,
            mismatch.ledger,
        )
    return len(mismatches)
