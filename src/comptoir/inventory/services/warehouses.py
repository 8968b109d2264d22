"""Warehouses: create and change them. Each write with an `actor` is recorded in the
warehouse's admin history (LogEntry)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import IntegrityError, transaction

from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.core.validation import UNSET, Unset, ensure_unique, given, text_check, validate
from comptoir.inventory.models import Warehouse
from comptoir.inventory.selectors import warehouses_version_bump
from comptoir.inventory.services._common import _warehouse, audit, changed_fields


def _ensure_unique(*, code: str, external_ref: str | None, exclude_pk: int | None) -> None:
    """Conflict WAREHOUSE_CODE_TAKEN / EXTERNAL_REF_TAKEN when a warehouse other than
    `exclude_pk` holds `code` or `external_ref` (empty or None: not checked)."""
    ensure_unique(
        Warehouse, field="code", value=code, code="WAREHOUSE_CODE_TAKEN", exclude_pk=exclude_pk
    )
    ensure_unique(
        Warehouse,
        field="external_ref",
        value=external_ref,
        code="EXTERNAL_REF_TAKEN",
        exclude_pk=exclude_pk,
    )


def _save(warehouse: Warehouse) -> None:
    """Save in a savepoint. A unique violation means another request took the code or the
    external reference between the check and the save: the same Conflict as the check (the
    other request has committed, so it sees its row now). Any other IntegrityError is raised
    as is."""
    try:
        with transaction.atomic():
            warehouse.save()
    except IntegrityError:
        _ensure_unique(
            code=warehouse.code, external_ref=warehouse.external_ref, exclude_pk=warehouse.pk
        )
        raise


@transaction.atomic
def warehouse_create(
    *,
    code: str,
    name: str,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "FR",
    priority: int = 0,
    is_active: bool = True,
    channels: Iterable[Channel] = (),
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    actor: User | None = None,
) -> Warehouse:
    """Create a warehouse; `code` (and `external_ref`, when given) must be free."""
    text_check(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        external_ref=external_ref,
        metadata=metadata,
    )
    _ensure_unique(code=code, external_ref=external_ref, exclude_pk=None)
    warehouse = Warehouse(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        country=country,
        priority=priority,
        is_active=is_active,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    validate(warehouse)
    _save(warehouse)
    warehouse.channels.set(list(channels))
    audit(actor=actor, obj=warehouse, flag=ADDITION, message=[{"added": {}}])
    return warehouse


@transaction.atomic
def warehouse_update(
    *,
    warehouse: Warehouse,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    street_address: str | Unset = UNSET,
    postal_code: str | Unset = UNSET,
    city: str | Unset = UNSET,
    country: str | Unset = UNSET,
    priority: int | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    channels: Iterable[Channel] | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
    actor: User | None = None,
) -> Warehouse:
    """Change the given fields of `warehouse` (the others stay as they are). The history
    names the fields whose value changed."""
    changes = given(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        country=country,
        priority=priority,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
    )
    text_check(**changes)
    current = _warehouse(warehouse, active=False)
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
    _ensure_unique(
        code=changes.get("code", ""),
        external_ref=changes.get("external_ref"),
        exclude_pk=current.pk,
    )
    changed = [field for field, value in changes.items() if getattr(current, field) != value]
    for field, value in changes.items():
        setattr(current, field, value)
    validate(current)
    _save(current)
    if not isinstance(channels, Unset):
        wanted = list(channels)
        before = set(current.channels.values_list("pk", flat=True))
        if before != {channel.pk for channel in wanted}:
            changed.append("channels")
        current.channels.set(wanted)
    if changed:
        audit(
            actor=actor,
            obj=current,
            flag=CHANGE,
            message=changed_fields(Warehouse, changed),
        )
        # Copies that depend on warehouses (shipping's pick-ups) reload once committed.
        transaction.on_commit(warehouses_version_bump, robust=True)
    return current
