"""Real concurrency on PostgreSQL across OS processes (comptoir.core.processes: one process
per call, each with its own connection to the test database, released together by a
barrier).

- 20 checkouts reserving 1 unit of a variant with 5 in stock (split 3 + 2 over two
  warehouses): exactly 5 hold a unit, 15 get INSUFFICIENT_STOCK, nothing is over-allocated.
- Checkouts reserving with the same token twice at once (the hold is created by both),
  committing, and the expiry worker, all racing: every call ends in a domain answer (no
  IntegrityError, no deadlock) and the allocated units are exactly those still held."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Sum

from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.processes import each_in_process, in_processes
from comptoir.inventory import services
from comptoir.inventory.models import Reservation, ReservationHold, Stock
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.postgres

WORK = "comptoir.inventory.tests.work"


def allocated_and_held() -> tuple[int, int]:
    allocated = Stock.objects.aggregate(n=Sum("quantity_allocated"))["n"] or 0
    held = Reservation.objects.aggregate(n=Sum("quantity"))["n"] or 0
    return allocated, held


def test_twenty_checkouts_for_five_units(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.stock_receive(
        warehouse=WarehouseFactory.create(priority=2), variant=variant, quantity=2
    )
    services.stock_receive(
        warehouse=WarehouseFactory.create(priority=1), variant=variant, quantity=3
    )

    outcomes = in_processes(
        f"{WORK}:reserve", [(f"co-{n}", variant.pk, channel.pk) for n in range(20)], processes=20
    )

    assert Counter(outcomes) == {"ok": 5, "INSUFFICIENT_STOCK": 15}
    assert allocated_and_held() == (5, 5)
    assert ReservationHold.objects.count() == 5
    assert sorted(Stock.objects.values_list("quantity", "quantity_allocated")) == [(2, 2), (3, 3)]
    assert ledger_mismatches() == []


def test_same_token_commit_and_expiry_racing(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.stock_receive(warehouse=WarehouseFactory.create(), variant=variant, quantity=4)
    calls: list[tuple[str, tuple[Any, ...]]] = []
    for n in range(6):
        token = f"co-{n}"
        calls += [(f"{WORK}:reserve", (token, variant.pk, channel.pk))] * 2  # the same token twice
        calls.append((f"{WORK}:commit", (token,)))
    calls += [(f"{WORK}:expire_all", ())] * 2

    outcomes = each_in_process(calls)

    assert set(outcomes) <= {"ok", "INSUFFICIENT_STOCK", "RESERVATION_EXPIRED"}, outcomes
    allocated, held = allocated_and_held()
    committed = committed_units(outcomes, calls)  # units handed to "orders"
    assert allocated == held + committed
    assert allocated <= 4
    assert set(Reservation.objects.values_list("token", flat=True)) <= {f"co-{n}" for n in range(6)}
    assert all(q == 1 for q in Reservation.objects.values_list("quantity", flat=True))
    assert committed <= 4
    assert ledger_mismatches() == []


def committed_units(outcomes: list[Any], calls: list[tuple[str, tuple[Any, ...]]]) -> int:
    """One unit per successful commit (each token holds at most one unit)."""
    return sum(
        1
        for (name, _args), outcome in zip(calls, outcomes, strict=True)
        if name == f"{WORK}:commit" and outcome == "ok"
    )
