"""Helpers of the services of every app: the UNSET marker of partial updates, the check
that text can be stored, and model validation mapped to domain errors."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, invalid_from_django
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


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """`full_clean()` with Django's errors turned into InvalidInput (code INVALID_INPUT)."""
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise invalid_from_django(exc) from exc
