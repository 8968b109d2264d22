"""Shared pieces of the price list services: the UNSET marker of partial updates, text
checks, the price list row lock, and the audit trail written to the admin's LogEntry."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Final

from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.errors import InvalidInput, invalid_from_django
from comptoir.core.text import text_storable
from comptoir.pricing.models import PriceList


class Unset(Enum):
    """Marks a keyword argument of an `*_update` service that the caller did not pass."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def _storable(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not text_storable(item):
                return False
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return True


def text_check(**fields: object) -> None:
    """InvalidInput(INVALID_TEXT) naming each field whose text (or metadata, walked through)
    holds a NUL character or a lone surrogate, which no database column can store."""
    errors = {
        name: [_("This text contains characters that are not allowed.")]
        for name, value in fields.items()
        if not _storable(value)
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


def price_list_lock(price_list: PriceList) -> PriceList:
    """Lock the price list row (a no-op on SQLite, which serialises writers anyway): writes
    to one list's entries (a single entry, a CSV import) happen one after the other, so two
    of them never race to create the same entry. Call inside transaction.atomic."""
    return PriceList.objects.select_for_update().get(pk=price_list.pk)


def audit(
    *, actor: User | None, price_list: PriceList, flag: int, message: list[Any] | str
) -> None:
    """Record a write on `price_list` in the admin's history (django.contrib.admin LogEntry):
    who, when and what. `message` is either Django's JSON change message (a list of
    {"added"|"changed"|"deleted": {...}}, translated when shown) or plain text. Writes made
    without an actor (scripts, the demo loader) have no one to record and log nothing.
    Call before deleting the list: the entry needs its primary key."""
    if actor is None or actor.pk is None:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[price_list],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
