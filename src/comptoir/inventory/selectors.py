"""Reads of the inventory: what a channel can sell, low stock, the ledger check, and the
allocation plan (pure, computed on rows already loaded; the caller holds the locks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from comptoir.channels.models import Channel
from comptoir.inventory.models import Stock, StockMovement, Warehouse


def warehouses_serving(channel: Channel) -> Q:
    """A filter on Warehouse: active, and either linked to `channel` or linked to none
    (a warehouse without channels serves every channel)."""
    through = Warehouse.channels.through.objects
    linked = through.filter(warehouse_id=OuterRef("pk"))
    return Q(is_active=True) & (
        Q(Exists(linked.filter(channel_id=channel.pk))) | ~Q(Exists(linked))
    )


def available_quantities(*, variant_ids: Iterable[int], channel: Channel) -> dict[int, int]:
    """Free stock (on hand minus allocated) per variant over the warehouses serving
    `channel`, in one query. Every requested variant is in the result (0 when none)."""
    ids = sorted(set(variant_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = (
        Stock.objects.filter(
            variant_id__in=ids,
            warehouse__in=Warehouse.objects.filter(warehouses_serving(channel)),
        )
        .values("variant_id")
        .annotate(free=Sum(F("quantity") - F("quantity_allocated")))
        .values_list("variant_id", "free")
    )
    for variant_id, free in rows:
        result[variant_id] = int(free)
    return result


def available_quantity(*, variant_id: int, channel: Channel) -> int:
    return available_quantities(variant_ids=[variant_id], channel=channel)[variant_id]


def low_stock(*, warehouse: Warehouse) -> list[Stock]:
    """The stocks of `warehouse` whose free quantity is at or below their threshold
    (stocks without a threshold never are), by SKU."""
    return list(
        Stock.objects.filter(warehouse=warehouse, low_stock_threshold__isnull=False)
        .alias(free=F("quantity") - F("quantity_allocated"))
        .filter(free__lte=F("low_stock_threshold"))
        .select_related("variant")
        .order_by("variant__sku", "pk")
    )


@dataclass(frozen=True)
class LedgerMismatch:
    stock_id: int
    quantity: int
    ledger: int


def ledger_mismatches() -> list[LedgerMismatch]:
    """Every stock whose on-hand quantity differs from the sum of its movements (none, if
    every write went through the services)."""
    ledger = (
        StockMovement.objects.filter(stock=OuterRef("pk"))
        .order_by()
        .values("stock")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows = (
        Stock.objects.annotate(ledger=Coalesce(Subquery(ledger), 0))
        .exclude(quantity=F("ledger"))
        .order_by("pk")
        .values_list("pk", "quantity", "ledger")
    )
    return [LedgerMismatch(stock_id=pk, quantity=q, ledger=total) for pk, q, total in rows]


# --- Allocation plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class StockInfo:
    """What the plan needs of one stock row (read under lock by the caller)."""

    stock_id: int
    warehouse_id: int
    variant_id: int
    priority: int
    quantity: int
    quantity_allocated: int

    @property
    def free(self) -> int:
        return self.quantity - self.quantity_allocated


@dataclass(frozen=True)
class Allocation:
    stock_id: int
    warehouse_id: int
    variant_id: int
    quantity: int


@dataclass(frozen=True)
class Shortfall:
    variant_id: int
    requested: int
    available: int


@dataclass(frozen=True)
class AllocationPlan:
    allocations: tuple[Allocation, ...]
    shortfalls: tuple[Shortfall, ...]

    @property
    def ok(self) -> bool:
        return not self.shortfalls


def allocation_plan(
    *, lines: Sequence[tuple[int, int]], stocks: Sequence[StockInfo]
) -> AllocationPlan:
    """Split each (variant_id, quantity) line over `stocks` (already limited to the
    warehouses that serve the channel) by warehouse priority, then warehouse id, taking
    free stock. Lines of the same variant are merged. A line that cannot be covered
    becomes a Shortfall and gets no allocation. Pure: touches no database."""
    wanted: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        wanted[variant_id] += quantity
    by_variant: dict[int, list[StockInfo]] = defaultdict(list)
    for info in stocks:
        by_variant[info.variant_id].append(info)
    allocations: list[Allocation] = []
    shortfalls: list[Shortfall] = []
    for variant_id, quantity in wanted.items():
        candidates = sorted(
            by_variant.get(variant_id, []), key=lambda s: (s.priority, s.warehouse_id)
        )
        available = sum(s.free for s in candidates)
        if available < quantity:
            shortfalls.append(Shortfall(variant_id, quantity, available))
            continue
        remaining = quantity
        for info in candidates:
            if remaining == 0:
                break
            take = min(info.free, remaining)
            if take > 0:
                allocations.append(Allocation(info.stock_id, info.warehouse_id, variant_id, take))
                remaining -= take
    return AllocationPlan(tuple(allocations), tuple(shortfalls))
