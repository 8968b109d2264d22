"""Real races on PostgreSQL: each call in its own thread with its own database connection
(comptoir.core.testing.race), all held together right before they take their row locks.

- Allocations of 2 units from stock split 5 + 5 over two warehouses: with the row locks
  each plan is made on rows no one else can change, so exactly 5 succeed (the third takes
  one unit from each warehouse). Without the locks every plan would be made on the same
  stale rows, all taking from the first warehouse, and the database's check (allocated at
  most on hand) would refuse most of them although the second warehouse still has stock:
  a wrong count.
- An allocation racing a shipment and a transfer that write the same two rows in the
  opposite order never deadlocks (every stock row is locked up front, in primary-key
  order)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Sum

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.testing import race
from comptoir.inventory import locks, services
from comptoir.inventory.models import Stock, Warehouse
from comptoir.inventory.selectors import available_quantity, ledger_mismatches
from comptoir.inventory.services import allocation, stock
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.postgres

# The service modules that lock stock rows (each imports `stocks_for_update`).
LOCKING_MODULES = (allocation, stock)
PLAN_HOLD = 2  # seconds an allocation, once planned, waits for the others to plan too


def race_at_locks(monkeypatch: pytest.MonkeyPatch, calls: list[Callable[[], Any]]) -> list[str]:
    """`race` the calls, held together just before each takes its row locks (every service
    here calls `stocks_for_update` exactly once). The hold is gone once they are done."""
    gate = SimpleNamespace(before_locks=list)
    with monkeypatch.context() as patched:
        for module in LOCKING_MODULES:
            patched.setattr(
                module,
                "stocks_for_update",
                lambda ids: locks.stocks_for_update(gate.before_locks(ids)),
            )
        return race(patched, gate, "before_locks", calls)


def plans_held_together(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold each allocation, once planned, until all `parties` have planned (or PLAN_HOLD
    passes). With the row locks only one plans at a time (the others wait for its locks),
    so the hold times out once and then lets everyone through; without them, every plan
    is made on the same rows before any allocation is written."""
    barrier = threading.Barrier(parties, timeout=PLAN_HOLD)
    original = allocation.allocation_plan

    def held(**kwargs: Any) -> Any:
        plan = original(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return plan

    monkeypatch.setattr(allocation, "allocation_plan", held)


def split_stock(first: int, second: int) -> tuple[ProductVariant, Warehouse, Warehouse]:
    """A variant with `first` units in the priority warehouse and `second` in the other,
    the priority one's stock row created last (so priority order is not primary-key order)."""
    variant = ProductVariantFactory.create()
    nord = WarehouseFactory.create(code=f"nord-{variant.pk}", priority=1)
    sud = WarehouseFactory.create(code=f"sud-{variant.pk}", priority=2)
    services.stock_receive(warehouse=sud, variant=variant, quantity=second)
    services.stock_receive(warehouse=nord, variant=variant, quantity=first)
    return variant, nord, sud


def rows(variant: ProductVariant) -> dict[str, tuple[int, int]]:
    return {
        code: (quantity, allocated)
        for code, quantity, allocated in Stock.objects.filter(variant=variant).values_list(
            "warehouse__code", "quantity", "quantity_allocated"
        )
    }


def test_concurrent_allocations_across_two_warehouses(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = ChannelFactory.create()
    variant, nord, sud = split_stock(5, 5)
    plans_held_together(monkeypatch, 6)

    def allocate() -> None:
        services.stock_allocate(lines=[(variant.pk, 2)], channel=channel)

    outcomes = race_at_locks(monkeypatch, [allocate] * 6)

    # 10 units, 2 per allocation: 5 succeed (one of them split 1 + 1), the sixth is short.
    assert Counter(outcomes) == {"ok": 5, "INSUFFICIENT_STOCK": 1}
    assert rows(variant) == {nord.code: (5, 5), sud.code: (5, 5)}
    assert available_quantity(variant_id=variant.pk, channel=channel) == 0
    assert ledger_mismatches() == []


def allocate_ship_and_transfer(channel: Channel) -> tuple[ProductVariant, list[Callable[[], Any]]]:
    """An allocation that writes nord's row then sud's (priority order), and a shipment
    and a transfer that write sud's then nord's (primary-key order, source first)."""
    variant, nord, sud = split_stock(10, 10)
    shipped = services.stock_allocate(lines=[(variant.pk, 12)], channel=channel)  # 10 + 2
    services.stock_receive(warehouse=nord, variant=variant, quantity=1)  # nord: 1 free
    return variant, [
        lambda: services.stock_allocate(lines=[(variant.pk, 2)], channel=channel),
        lambda: services.stock_ship(allocations=shipped, reference="CMD-1"),
        lambda: services.stock_transfer(variant=variant, source=sud, destination=nord, quantity=3),
    ]


def test_allocation_racing_shipment_and_transfer_never_deadlocks(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = ChannelFactory.create()
    for _round in range(3):
        variant, calls = allocate_ship_and_transfer(channel)

        outcomes = race_at_locks(monkeypatch, calls)

        # Every order succeeds: 21 received, 12 shipped, 2 still allocated.
        assert outcomes == ["ok"] * 3
        totals = Stock.objects.filter(variant=variant).aggregate(
            on_hand=Sum("quantity"), allocated=Sum("quantity_allocated")
        )
        assert totals == {"on_hand": 9, "allocated": 2}
        assert available_quantity(variant_id=variant.pk, channel=channel) == 7
    assert ledger_mismatches() == []
