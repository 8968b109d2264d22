"""Shared pieces of the price list services: the UNSET marker of partial updates, text
checks, the price list row lock, and the audit trail written to the admin's LogEntry."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry

from comptoir.accounts.models import User
from comptoir.core.validation import UNSET, Unset, text_check, validate
from comptoir.pricing.models import PriceList

__all__ = ["UNSET", "Unset", "audit", "price_list_lock", "text_check", "validate"]


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
