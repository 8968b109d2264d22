"""The stock an order holds (its OrderAllocation rows) and its release. Stock rows are
locked before the order row (docs/checkout.md's lock order), so every service that may
release or ship stock calls `stock_prelock` before `order_lock`."""

from __future__ import annotations

from typing import Any

from comptoir.inventory import services as inventory
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.selectors import Allocation
from comptoir.orders.models import Order, OrderAllocation


def stock_prelock(order_id: int, extra: set[int] | None = None) -> None:
    """Lock the stock rows the order's allocations hold (and `extra` ones), in primary-key
    order, ahead of the order row. Read without the order lock: a row added meanwhile is
    locked again (after the order) by the inventory service that uses it, which only a
    concurrent shipment of the same order could cause."""
    ids = set(
        OrderAllocation.objects.filter(line__order_id=order_id).values_list("stock_id", flat=True)
    )
    stocks_for_update(ids | (extra or set()))


def stock_release(order: Order) -> list[dict[str, Any]]:
    """Give back every unit the order still holds (stock_deallocate) and delete its
    allocation rows. Call with the order locked. Returns what was released, for the
    timeline."""
    rows = list(
        OrderAllocation.objects.filter(line__order=order)
        .select_related("stock", "line")
        .order_by("pk")
    )
    if not rows:
        return []
    inventory.stock_deallocate(
        allocations=[
            Allocation(
                stock_id=row.stock_id,
                warehouse_id=row.stock.warehouse_id,
                variant_id=row.stock.variant_id,
                quantity=row.quantity,
            )
            for row in rows
        ]
    )
    OrderAllocation.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return [
        {"sku": row.line.sku, "stock_id": row.stock_id, "quantity": row.quantity} for row in rows
    ]
