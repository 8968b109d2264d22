"""Shared plumbing of the order services: the order row lock, amount checks, the timeline
and the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core import outbox
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import minor_unit
from comptoir.core.validation import text_check
from comptoir.orders.models import Order, OrderEvent

# Amounts fit the money columns (14 digits, 2 decimals).
MAX_AMOUNT: Final = Decimal("999999999999.99")
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


def amount_check(
    value: object, *, currency: str, field: str = "amount", allow_zero: bool = False
) -> Decimal:
    """A positive (or, with `allow_zero`, non-negative) Decimal amount with no more decimals
    than the currency has; INVALID_AMOUNT otherwise. Floats are refused (money is never
    binary floating point)."""
    error = InvalidInput(
        _("The amount must be a positive number with at most the currency's decimals."),
        code="INVALID_AMOUNT",
        errors={field: [_("Invalid amount.")]},
    )
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise error
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise error from None
    if not amount.is_finite() or amount > MAX_AMOUNT or amount < 0:
        raise error
    if amount == 0 and not allow_zero:
        raise error
    if amount != amount.quantize(minor_unit(currency)):
        raise error
    return amount.quantize(minor_unit(currency))


def reference_check(reference: object, *, field: str = "reference") -> str:
    if not isinstance(reference, str) or len(reference) > REFERENCE_MAX_LENGTH:
        raise InvalidInput(
            _("The reference is limited to %(n)d characters.") % {"n": REFERENCE_MAX_LENGTH},
            code="INVALID_INPUT",
            errors={field: [_("Too long.")]},
        )
    text_check(**{field: reference})
    return reference


def text_limit(value: object, *, field: str, limit: int, required: bool = False) -> str:
    """Free text (a note, a reason): a string within `limit` characters that can be stored."""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise InvalidInput(
            _("Enter a text of at most %(n)d characters.") % {"n": limit},
            code="INVALID_INPUT",
            errors={field: [_("Invalid text.")]},
        )
    text_check(**{field: value})
    return value.strip()


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
