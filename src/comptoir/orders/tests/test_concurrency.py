"""Real races on PostgreSQL, in several OS processes (spawned, each with its own
connection), released together (comptoir.core.processes.in_processes):

- 20 orders placed at once (4 processes, each placing 5) in one channel get the numbers 1 to 20: no gap, no duplicate
  (the sequence row is taken by a conditional UPDATE ... RETURNING and stays locked until
  the order is committed), including the first use that creates the sequence row.
- A cancel racing a shipment of the same order: exactly one wins and the stock adds up.
- Two shipments of the same units, two payments of the same amount: one wins."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.processes import in_processes
from comptoir.inventory.models import Stock
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders.models import Order, OrderSequence, OrderStatus
from comptoir.orders.tests.factories import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORK = "comptoir.orders.tests.work"


def test_twenty_orders_at_once_are_numbered_1_to_20(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()

    numbers = in_processes(f"{WORK}:place", [(channel.pk, variant.pk)] * 20, processes=4)

    assert sorted(numbers) == [f"BF-{n:06d}" for n in range(1, 21)], numbers
    assert OrderSequence.objects.get(channel=channel).last == 20
    assert sorted(Order.objects.values_list("number", flat=True)) == sorted(numbers)


def test_cancel_racing_a_shipment(transactional_db: Any) -> None:
    order = make_order(channel=ChannelFactory.create())
    line = order.lines.get()
    stock = Stock.objects.get(variant_id=line.variant_id)

    outcomes = _race([(f"{WORK}:ship", (order.pk, line.pk, 2)), (f"{WORK}:cancel", (order.pk,))])

    status = Order.objects.get(pk=order.pk).status
    stock.refresh_from_db()
    if status == OrderStatus.CANCELLED:
        assert outcomes == ["INVALID_TRANSITION", "ok"], outcomes
        assert (stock.quantity, stock.quantity_allocated) == (2, 0)
    else:
        assert status == OrderStatus.FULFILLED
        assert outcomes == ["ok", "ORDER_NOT_CANCELLABLE"], outcomes
        assert (stock.quantity, stock.quantity_allocated) == (0, 0)
    assert ledger_mismatches() == []


def _race(calls: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    """Run different targets at the same moment, one process each."""
    return in_processes(
        f"{WORK}:dispatch", [(target, args) for target, args in calls], processes=len(calls)
    )


def test_two_shipments_of_the_same_units(transactional_db: Any) -> None:
    variant = ProductVariantFactory.create()
    order = make_order(channel=ChannelFactory.create(), items=[(variant, 3)])
    line = order.lines.get()

    outcomes = in_processes(f"{WORK}:ship", [(order.pk, line.pk, 2)] * 2, processes=2)

    # 3 units: the first shipment of 2 passes, the second finds 1 left.
    assert Counter(outcomes) == {"ok": 1, "INVALID_QUANTITY": 1}
    assert Stock.objects.get(variant=variant).quantity == 1
    assert ledger_mismatches() == []


def test_two_payments_of_the_whole_amount(transactional_db: Any) -> None:
    order = make_order(channel=ChannelFactory.create())

    outcomes = in_processes(f"{WORK}:pay", [(order.pk, "24.00")] * 2, processes=2)

    assert Counter(outcomes) == {"ok": 1, "OVERPAYMENT": 1}
    assert Order.objects.get(pk=order.pk).amount_paid == Decimal("24.00")
