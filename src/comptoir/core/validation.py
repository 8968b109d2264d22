"""Helpers of the services of every app: the UNSET marker of partial updates, the checks
of text and amounts given to a service, uniqueness pre-checks, and model validation mapped
to domain errors."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, InvalidInput, invalid_from_django
from comptoir.core.money import MAX_AMOUNT, minor_unit
from comptoir.core.text import text_storable


class Unset(Enum):
    """Marks a keyword argument of an `*_update` service that the caller did not pass."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were passed (not UNSET)."""
    return {key: value for key, value in values.items() if value is not UNSET}


def storable(value: object) -> bool:
    """Whether every string and number in `value` can be stored: the string itself, or the
    keys and values of nested dicts, lists, tuples, sets and dataclasses (metadata, choice
    specs); a float must be finite (JSON has no NaN or infinity). Walked with a stack, so
    deep JSON cannot exhaust the recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not text_storable(item):
                return False
        elif isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, field.name) for field in dataclasses.fields(item))
    return True


def text_check(**fields: object) -> None:
    """Raise InvalidInput(INVALID_TEXT) naming each field whose text (or, for metadata,
    any key or value inside it) holds a NUL character or a lone surrogate, which no
    database column can store."""
    errors = {
        name: [_("This text contains characters that are not allowed.")]
        for name, value in fields.items()
        if not storable(value)
    }
    if errors:
        raise InvalidInput(
            _("Text with characters that cannot be stored: %(fields)s.")
            % {"fields": ", ".join(errors)},
            code="INVALID_TEXT",
            errors=errors,
        )


def text_limit(value: object, *, field: str, limit: int, required: bool = False) -> str:
    """Free text (a note, a reason, a bank reference), stripped: a string of at most
    `limit` characters that can be stored, not blank when `required`; INVALID_INPUT (or
    INVALID_TEXT, see `text_check`) naming `field` otherwise."""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise InvalidInput(
            _("Enter a text of at most %(n)d characters.") % {"n": limit},
            code="INVALID_INPUT",
            errors={field: [_("Invalid text.")]},
        )
    text_check(**{field: value})
    return value.strip()


def decimal_or_none(value: object) -> Decimal | None:
    """`value` read as a finite Decimal: a Decimal, an int or a decimal string written with
    ASCII digits (surrounding blanks ignored); None for anything else. Floats (money is
    never binary floating point) and booleans are refused, and so are other scripts'
    digits, which `Decimal()` would read (an Arabic-Indic five is 5)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii():
            return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def amount_check(
    value: object, *, currency: str, field: str = "amount", allow_zero: bool = False
) -> Decimal:
    """A positive (with `allow_zero`, non-negative) amount of `currency` up to MAX_AMOUNT
    with no more decimals than the currency has, as a Decimal quantized to its minor unit;
    INVALID_AMOUNT naming `field` otherwise. Read by `decimal_or_none`."""
    error = InvalidInput(
        _("The amount must be a positive number with at most the currency's decimals."),
        code="INVALID_AMOUNT",
        errors={field: [_("Invalid amount.")]},
    )
    amount = decimal_or_none(value)
    if amount is None or not (0 <= amount <= MAX_AMOUNT) or (amount == 0 and not allow_zero):
        raise error
    quantum = minor_unit(currency)
    if amount != amount.quantize(quantum):
        raise error
    return amount.quantize(quantum)


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """`full_clean()` with Django's errors turned into InvalidInput (code INVALID_INPUT)."""
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise invalid_from_django(exc) from exc


def ensure_unique(
    model: type[models.Model],
    *,
    field: str,
    value: object,
    code: str,
    exclude_pk: int | None = None,
    scope: Mapping[str, object] | None = None,
) -> None:
    """Raise Conflict(`code`) when another row of `model` (within `scope`, e.g.
    {"zone": zone}) already holds `value` in `field`; an empty value or None is not
    checked. Pre-checks only: a concurrent write is caught by the unique constraint."""
    if value in (None, ""):
        return
    rows = model._default_manager.filter(**{field: value}, **(scope or {}))
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        message = _("%(field)s “%(value)s” is already taken.") % {
            "field": field,
            "value": str(value)[:100],
        }
        raise Conflict(message, code=code, errors={field: [code]})
