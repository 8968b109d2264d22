"""The audit trail of staff writes: who changed what, and when, kept in the admin's own
history (django.contrib.admin's LogEntry), where staff read it on each object's "History"
page. The services of every app write it through `audit`; admins that save through those
services turn their own LogEntry rows off (they would repeat them with less detail)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation


def audit(
    *, actor: AbstractBaseUser | None, obj: models.Model, flag: int, message: list[Any] | str
) -> None:
    """Record a write on `obj` in its admin history: who (`actor`), when (now) and what.
    `flag` is LogEntry's ADDITION, CHANGE or DELETION; `message` is Django's JSON change
    message (a list of {"added"|"changed"|"deleted": {...}}, translated when shown, see
    `changed_fields`) or plain text. Writes without a stored actor (scripts, the demo
    loader) have no one to record and log nothing. Call it before deleting `obj`: the
    entry needs its primary key."""
    if actor is None or actor.pk is None:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def changed_fields(model: type[models.Model], names: Sequence[str]) -> list[dict[str, Any]]:
    """Django's change message naming the fields `names` of `model` by their verbose
    names, stored untranslated (Django translates them when the history is shown). A name
    that is no field with a verbose name (a relation's reverse side, a label of the
    caller's) is kept as given. No names: an empty message."""
    labels = []
    with translation.override(None):
        for name in names:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                labels.append(name)
            else:
                labels.append(str(getattr(field, "verbose_name", name)))
    return [{"changed": {"fields": labels}}] if labels else []
