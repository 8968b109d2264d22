"""Real races on PostgreSQL, with several processes (multiprocessing, 'forkserver' context,
see race_child.py), each with its own database connection to the same test
database, all released at the same moment by a barrier:
- 50 concurrent allocations of 1 unit with 10 in stock: exactly 10 succeed;
- allocations whose lines name the warehouses' rows in opposite orders never deadlock
  (every stock row is locked in primary-key order)."""

from __future__ import annotations

import multiprocessing
import queue
from typing import Any

import pytest
from django.db import connections
from django.db.models import Sum

from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory import services
from comptoir.inventory.models import Stock
from comptoir.inventory.selectors import available_quantity, ledger_mismatches
from comptoir.inventory.tests import race_child
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.postgres

TIMEOUT = 120  # seconds; a deadlock or a hang fails the test instead of blocking the suite
# Forkserver, not fork: the test process may run threads left by other tests, and forking
# a multi-threaded process can deadlock the child. The server is a fresh interpreter that
# sets Django up once (race_setup.py); each child is forked from it, with no thread and no
# connection, and opens its own connection to the test database.
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["comptoir.inventory.tests.race_setup"])


def run_together(channel: Channel, line_sets: list[list[tuple[int, int]]]) -> list[str]:
    """One process per set of lines, all started at once; returns their outcomes."""
    db_name = connections["default"].settings_dict["NAME"]
    barrier = CONTEXT.Barrier(len(line_sets))
    results = CONTEXT.Queue()
    processes = [
        CONTEXT.Process(
            target=race_child.allocate, args=(db_name, channel.pk, lines, barrier, results)
        )
        for lines in line_sets
    ]
    for process in processes:
        process.start()
    outcomes = []
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=TIMEOUT))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {len(processes)} allocations finished")
    finally:
        for process in processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()
    return sorted(outcomes)


def test_fifty_concurrent_allocations_of_ten_units(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create(sku="RACE-1")
    warehouse = WarehouseFactory.create()
    services.stock_receive(warehouse=warehouse, variant=variant, quantity=10)

    outcomes = run_together(channel, [[(variant.pk, 1)]] * 50)

    assert outcomes.count("ok") == 10
    assert outcomes.count("INSUFFICIENT_STOCK") == 40
    stock = Stock.objects.get()
    assert (stock.quantity, stock.quantity_allocated) == (10, 10)
    assert available_quantity(variant_id=variant.pk, channel=channel) == 0
    assert ledger_mismatches() == []


def test_opposite_line_orders_never_deadlock(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    north = WarehouseFactory.create(code="nord", priority=1)
    south = WarehouseFactory.create(code="sud", priority=2)
    drill, saw = ProductVariantFactory.create(), ProductVariantFactory.create()
    # Rows created in crossed order, so that line order, warehouse order and primary-key
    # order all differ.
    services.stock_receive(warehouse=south, variant=drill, quantity=3)
    services.stock_receive(warehouse=north, variant=saw, quantity=3)
    services.stock_receive(warehouse=north, variant=drill, quantity=3)
    services.stock_receive(warehouse=south, variant=saw, quantity=3)
    forward = [(drill.pk, 2), (saw.pk, 2)]
    backward = [(saw.pk, 2), (drill.pk, 2)]

    for _round in range(3):
        Stock.objects.update(quantity_allocated=0)
        outcomes = run_together(channel, [forward, backward] * 5)

        # 6 units of each, 2 per allocation: exactly 3 succeed, whatever the order.
        assert outcomes == ["INSUFFICIENT_STOCK"] * 7 + ["ok"] * 3
        totals = dict(
            Stock.objects.values("variant_id")
            .annotate(allocated=Sum("quantity_allocated"))
            .values_list("variant_id", "allocated")
        )
        assert totals == {drill.pk: 6, saw.pk: 6}
    assert ledger_mismatches() == []
