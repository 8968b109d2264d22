"""Shared helpers of the promotion services: references by id or slug/code, validation
mapped to domain errors, and the version bump every write schedules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.core.validation import validate  # noqa: F401 - re-exported to the services
from comptoir.promotions.selectors.active import promotions_version_bump

type Ref[M: models.Model] = int | str | M


def promotions_changed() -> None:
    """Make every copy of the promotions stale once the current transaction commits (never
    before: a request could otherwise copy the old rows under the new version)."""
    # Robust: a cache error after COMMIT is logged by Django, never a failed request.
    transaction.on_commit(promotions_version_bump, robust=True)


def resolve[M: models.Model](
    model: type[M], refs: Iterable[Ref[M]], *, key: str, field: str, code: str
) -> list[M]:
    """The rows named by `refs` (model instances, integer ids or `key` values such as a
    slug), in a constant number of queries; InvalidInput(`code`) naming `field` when one
    is unknown. Duplicates are dropped."""
    instances: dict[int, M] = {}
    ids: set[int] = set()
    keys: set[str] = set()
    for ref in refs:
        if isinstance(ref, model):
            instances[ref.pk] = ref
        elif isinstance(ref, bool):
            keys.add(str(ref))
        elif isinstance(ref, int):
            ids.add(ref)
        else:
            keys.add(str(ref))
    manager = model._default_manager
    found: list[M] = list(instances.values())
    missing: list[str] = []
    if ids:
        valid = {i for i in ids if 0 < i < 2**63}
        rows = {row.pk: row for row in manager.filter(pk__in=valid)} if valid else {}
        found += rows.values()
        missing += [str(i) for i in sorted(ids) if i not in rows]
    if keys:
        rows_by_key = {getattr(row, key): row for row in manager.filter(**{f"{key}__in": keys})}
        found += rows_by_key.values()
        missing += sorted(k for k in keys if k not in rows_by_key)
    if missing:
        shown = ", ".join(m[:60] for m in missing[:10])
        message = _("Unknown references: %(refs)s.") % {"refs": shown}
        raise InvalidInput(message, code=code, errors={field: [message]})
    unique = {row.pk: row for row in found}
    return [unique[pk] for pk in sorted(unique)]


def dates_check(
    start: datetime | None, end: datetime | None, *, start_field: str, end_field: str
) -> None:
    """InvalidInput(INVALID_DATES) when `end` is not after `start`."""
    if start is not None and end is not None and end <= start:
        message = _("The end must come after the start.")
        raise InvalidInput(message, code="INVALID_DATES", errors={end_field: [message]})


def field_error(code: str, field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def as_dict(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
