"""Shared pieces of the price list services: the UNSET marker of partial updates, text
checks, the price list row lock, and the audit trail (comptoir.core.audit) of a price list."""

from __future__ import annotations

from typing import Any

from comptoir.accounts.models import User
from comptoir.core.audit import audit as core_audit
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
    """Record a write on `price_list` in its admin history (core.audit: nothing without
    an actor). Call before deleting the list: the entry needs its primary key."""
    core_audit(actor=actor, obj=price_list, flag=flag, message=message)
