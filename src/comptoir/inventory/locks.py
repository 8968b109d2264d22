"""Row locks of the inventory, always taken in primary-key order so that two transactions
locking overlapping stock rows queue instead of deadlocking. This is the ONE way stock rows
get locked. Call inside `transaction.atomic`."""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.inventory.models import Stock


def stocks_for_update(ids: Iterable[int]) -> list[Stock]:
    """Lock the stock rows `ids` (duplicates ignored) in primary-key order and return them,
    freshly read, in that order. Rows that do not exist are simply missing from the result."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(Stock.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
