"""Staff notes on an order's timeline (never shown to the customer)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from comptoir.orders.models import Order, OrderEvent
from comptoir.orders.services._common import NOTE_MAX_LENGTH, event_add, order_lock, text_limit


@transaction.atomic
def order_note_add(*, order: Order, text: str, actor: Any) -> OrderEvent:
    """Add a staff note to the order's timeline (event `note`, staff only).
    400 INVALID_INPUT for an empty or too long text, INVALID_TEXT for characters that
    cannot be stored."""
    text = text_limit(text, field="text", limit=NOTE_MAX_LENGTH, required=True)
    locked = order_lock(order)
    return event_add(locked, "note", actor=actor, data={"text": text})
