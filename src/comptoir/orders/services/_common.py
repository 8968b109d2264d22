"""Shared plumbing of the order services: the order row lock, amount checks, the timeline
and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core import outbox
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import MAX_AMOUNT  # noqa: F401 - re-exported to the services
from comptoir.core.validation import (  # noqa: F401 - amount_check, text_limit: re-exported
    amount_check,
    text_check,
    text_limit,
)
from comptoir.orders.models import Order, OrderEvent

MAX_QUANTITY: Final = 1_000_000
MAX_LINES: Final = 1000
MAX_ID: Final = 2**63 - 1
REFERENCE_MAX_LENGTH: Final = 255
NOTE_MAX_LENGTH: Final = 5000
REASON_MAX_LENGTH: Final = 1000


def order_lock(order: Order | int) -> Order:
    """The order row, locked until the transaction ends (call inside `transaction.atomic`,
    after any stock or coupon lock: docs/checkout.md's lock order). NotFound
    (ORDER_NOT_FOUND) when it does not exist."""
    order_id = order if isinstance(order, int) else order.pk
    locked = (
        Order.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
        if order_id
        else None
    )
    if locked is None:
        raise NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")
    return locked


def actor_or_none(actor: Any) -> User | None:
    """A stored user, or None (an anonymous or unsaved actor records no one)."""
    return actor if isinstance(actor, User) and actor.pk is not None else None


def reference_check(reference: object, *, field: str = "reference") -> str:
    if not isinstance(reference, str) or len(reference) > REFERENCE_MAX_LENGTH:
        raise InvalidInput(
            _("The reference is limited to %(n)d characters.") % {"n": REFERENCE_MAX_LENGTH},
            code="INVALID_INPUT",
            errors={field: [_("Too long.")]},
        )
    text_check(**{field: reference})
    return reference


def line_quantities(lines: object, *, required: bool) -> dict[int, int]:
    """(order line id, quantity) pairs checked and merged (the same line twice is added
    up): INVALID_INPUT for anything but a list of pairs (or none when `required`, or more
    than MAX_LINES), LINE_NOT_FOUND for an id that is not a positive integer,
    INVALID_QUANTITY for a quantity that is not a whole number from 1 to MAX_QUANTITY."""
    malformed = InvalidInput(
        _("Give the lines as (line id, quantity) pairs, at most %(n)d.") % {"n": MAX_LINES},
        code="INVALID_INPUT",
        errors={"lines": [_("Invalid lines.")]},
    )
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise malformed
    if (required and not lines) or len(lines) > MAX_LINES:
        raise malformed
    merged: dict[int, int] = {}
    for item in lines:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise malformed
        line_id, quantity = item
        if isinstance(line_id, bool) or not isinstance(line_id, int) or not 0 < line_id <= MAX_ID:
            raise InvalidInput(
                _("Unknown order line."),
                code="LINE_NOT_FOUND",
                errors={"lines": [str(line_id)[:50]]},
            )
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 0 < quantity <= MAX_QUANTITY
        ):
            raise InvalidInput(
                _("Quantities are whole numbers from 1 to %(max)d.") % {"max": MAX_QUANTITY},
                code="INVALID_QUANTITY",
                errors={"lines": [str(line_id)]},
            )
        merged[line_id] = merged.get(line_id, 0) + quantity
    return merged


def event_add(
    order: Order, kind: str, *, actor: Any = None, data: dict[str, Any] | None = None
) -> OrderEvent:
    """One timeline row, in the transaction of the change it records."""
    return OrderEvent.objects.create(
        order=order, kind=kind, data=data or {}, actor=actor_or_none(actor)
    )


def emit(topic: str, order: Order, **payload: Any) -> None:
    """The outbox event of `topic` for `order` (delivered after the commit)."""
    outbox.emit(
        topic,
        aggregate="order",
        aggregate_id=order.pk,
        payload={"number": order.number, **payload},
    )


def money_str(amount: Decimal) -> str:
    return f"{amount:.2f}"
