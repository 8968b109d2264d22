"""Writes for price lists: create, change, delete, each recorded in the list's history.

A list prices in its channel's currency (CURRENCY_MISMATCH otherwise, and a list with
entries keeps its currency: its amounts are in it), belongs to a company or to a customer
group or to neither yet (INVALID_PRICE_LIST for both), and is valid between two optional
dates (INVALID_DATES when it would end before it starts). Its code and external reference
are unique (PRICE_LIST_CODE_TAKEN, EXTERNAL_REF_TAKEN), also when two requests race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.companies.models import Company, CustomerGroup
from comptoir.companies.selectors import buyers_changed
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.pricing.models import PriceList
from comptoir.pricing.services._common import (
    UNSET,
    Unset,
    audit,
    price_list_lock,
    text_check,
    validate,
)

PRIORITY_LIMIT: Final = 1_000_000

# The fields a caller may set, with the verbose name the history shows (translated there).
FIELDS: Final = {
    "code": "code",
    "name": "name",
    "channel": "channel",
    "currency": "currency",
    "company": "company",
    "customer_group": "customer group",
    "valid_from": "valid from",
    "valid_until": "valid until",
    "is_active": "active",
    "allows_promotions": "promotions apply",
    "priority": "priority",
    "external_ref": "external_ref",
    "metadata": "metadata",
}


def _ensure_unique(field: str, value: object, code: str, exclude_pk: int | None) -> None:
    if value in (None, ""):
        return
    rows = PriceList.objects.filter(**{field: value})
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        message = _("“%(value)s” is already used by another price list.") % {"value": value}
        raise Conflict(message, code=code, errors={field: [message]})


def _save(price_list: PriceList) -> None:
    """Save in a savepoint. A unique violation means another request took the code or the
    external reference between the checks and the save: the same Conflict as the checks
    (the other request has committed, so they see its row now). Any other IntegrityError
    is raised as is."""
    try:
        with transaction.atomic():
            price_list.save()
    except IntegrityError:
        _ensure_unique("code", price_list.code, "PRICE_LIST_CODE_TAKEN", price_list.pk)
        _ensure_unique("external_ref", price_list.external_ref, "EXTERNAL_REF_TAKEN", price_list.pk)
        raise


def _currency_kept(price_list: PriceList) -> None:
    """CURRENCY_MISMATCH when a list with entries would change currency: its amounts are
    in the stored currency and would silently become amounts in the new one. The list's
    row is locked, as writers of entries lock it: none is added while this is decided."""
    stored = price_list_lock(price_list).currency
    if stored == price_list.currency or not price_list.entries.exists():
        return
    message = _(
        "This price list has prices in %(currency)s: its currency cannot change while it has "
        "entries. Remove its entries first, then import them again in %(new)s."
    ) % {"currency": stored, "new": price_list.currency}
    raise InvalidInput(message, code="CURRENCY_MISMATCH", errors={"currency": [message]})


def price_list_check(price_list: PriceList) -> None:
    """The rules between fields, on an unsaved state of `price_list`: CURRENCY_MISMATCH,
    INVALID_PRICE_LIST (a company and a group), INVALID_DATES, then the model's own
    validation (INVALID_INPUT: a code that is not a slug, a currency that is not ISO 4217...)."""
    channel = price_list.channel if price_list.channel_id is not None else None
    if channel is not None and price_list.currency != channel.currency:
        message = _("The currency (%(currency)s) must be the channel's currency (%(channel)s).") % {
            "currency": price_list.currency or "-",
            "channel": channel.currency,
        }
        raise InvalidInput(message, code="CURRENCY_MISMATCH", errors={"currency": [message]})
    if price_list.company_id is not None and price_list.customer_group_id is not None:
        message = _("A price list belongs to a company or to a customer group, not to both.")
        raise InvalidInput(
            message,
            code="INVALID_PRICE_LIST",
            errors={"company": [message], "customer_group": [message]},
        )
    start, end = price_list.valid_from, price_list.valid_until
    if start is not None and end is not None and end <= start:
        message = _("The end of validity must come after its start.")
        raise InvalidInput(message, code="INVALID_DATES", errors={"valid_until": [message]})
    if isinstance(price_list.priority, int) and abs(price_list.priority) > PRIORITY_LIMIT:
        message = _("The priority must be between -%(n)s and %(n)s.") % {"n": PRIORITY_LIMIT}
        raise InvalidInput(message, code="INVALID_INPUT", errors={"priority": [message]})
    validate(price_list)


@buyers_changed
@transaction.atomic
def price_list_create(
    *,
    code: str,
    name: str,
    channel: Channel,
    currency: str | None = None,
    company: Company | None = None,
    customer_group: CustomerGroup | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    is_active: bool = True,
    allows_promotions: bool = True,
    priority: int = 0,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    actor: User | None = None,
) -> PriceList:
    """Create a price list in `channel` (its currency by default). Conflict
    PRICE_LIST_CODE_TAKEN / EXTERNAL_REF_TAKEN; InvalidInput CURRENCY_MISMATCH,
    INVALID_PRICE_LIST, INVALID_DATES, INVALID_TEXT, INVALID_INPUT. Recorded in the list's
    history when `actor` is given."""
    text_check(
        code=code, name=name, currency=currency, external_ref=external_ref, metadata=metadata
    )
    price_list = PriceList(
        code=code,
        name=name,
        channel=channel,
        currency=channel.currency if currency is None else currency,
        company=company,
        customer_group=customer_group,
        valid_from=valid_from,
        valid_until=valid_until,
        is_active=is_active,
        allows_promotions=allows_promotions,
        priority=priority,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    _ensure_unique("code", code, "PRICE_LIST_CODE_TAKEN", None)
    _ensure_unique("external_ref", price_list.external_ref, "EXTERNAL_REF_TAKEN", None)
    price_list_check(price_list)
    _save(price_list)
    audit(actor=actor, price_list=price_list, flag=ADDITION, message=[{"added": {}}])
    return price_list


@buyers_changed
@transaction.atomic
def price_list_update(
    *,
    price_list: PriceList,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    channel: Channel | Unset = UNSET,
    currency: str | Unset = UNSET,
    company: Company | Unset | None = UNSET,
    customer_group: CustomerGroup | Unset | None = UNSET,
    valid_from: datetime | Unset | None = UNSET,
    valid_until: datetime | Unset | None = UNSET,
    is_active: bool | Unset = UNSET,
    allows_promotions: bool | Unset = UNSET,
    priority: int | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
    actor: User | None = None,
) -> PriceList:
    """Change the fields passed; the same rules and codes as `price_list_create`. The
    resulting currency must be the resulting channel's (pass both to move a list to a
    channel in another currency); a list with entries keeps its currency
    (CURRENCY_MISMATCH). On error `price_list` is left as it was. Recorded in the
    list's history (with the changed fields) when `actor` is given and something changed."""
    passed: dict[str, Any] = {
        "code": code,
        "name": name,
        "channel": channel,
        "currency": currency,
        "company": company,
        "customer_group": customer_group,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "is_active": is_active,
        "allows_promotions": allows_promotions,
        "priority": priority,
        "external_ref": external_ref,
        "metadata": metadata,
    }
    changes = {k: v for k, v in passed.items() if v is not UNSET}
    text_check(
        **{
            k: v
            for k, v in changes.items()
            if k in ("code", "name", "currency", "external_ref", "metadata")
        }
    )
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
    if changes.get("metadata") is None and "metadata" in changes:
        changes["metadata"] = {}
    changed = [f for f, v in changes.items() if getattr(price_list, f) != v]
    if not changed:
        return price_list
    if "code" in changes:
        _ensure_unique("code", changes["code"], "PRICE_LIST_CODE_TAKEN", price_list.pk)
    if "external_ref" in changes:
        _ensure_unique("external_ref", changes["external_ref"], "EXTERNAL_REF_TAKEN", price_list.pk)
    original = {f: getattr(price_list, f) for f in changes}
    for field, value in changes.items():
        setattr(price_list, field, value)
    try:
        price_list_check(price_list)
        if "currency" in changed:
            _currency_kept(price_list)
        _save(price_list)
    except Exception:
        for field, value in original.items():
            setattr(price_list, field, value)
        raise
    message = [{"changed": {"fields": [FIELDS[f] for f in changed]}}]
    audit(actor=actor, price_list=price_list, flag=CHANGE, message=message)
    return price_list


@buyers_changed
@transaction.atomic
def price_list_delete(*, price_list: PriceList, actor: User | None = None) -> None:
    """Delete a price list with its entries and tiers; its buyers fall back to the next
    applicable price. Conflict PRICE_LIST_IN_USE when something still refers to it.
    Recorded in the admin's history when `actor` is given."""
    audit(actor=actor, price_list=price_list, flag=DELETION, message="")
    try:
        with transaction.atomic():
            price_list.delete()
    except ProtectedError as exc:
        message = _("This price list is still in use and cannot be deleted.")
        raise Conflict(message, code="PRICE_LIST_IN_USE") from exc
