"""Reads of the inventory: what a channel can sell, low stock, the ledger check, the
allocation plan (pure, computed on rows already loaded; the caller holds the locks), and the
version of the warehouses (for copies kept by other apps, e.g. shipping's pick-ups)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.selectors import ProductSubset
from comptoir.channels.models import Channel
from comptoir.core.memo import cache_version, cache_version_bump
from comptoir.inventory.models import Stock, StockMovement, Warehouse

WAREHOUSES_VERSION_KEY = "inventory:warehouses:version"


def warehouses_version() -> int:
    """The version of the warehouses in the Django cache. Data kept in a process that
    depends on a warehouse (shipping's copy offers a pick-up only while its warehouse is
    active) puts it in its own version, so that a changed warehouse makes the copy stale."""
    return cache_version(WAREHOUSES_VERSION_KEY)


def warehouses_version_bump() -> int:
    """Make every copy kept under `warehouses_version` stale. `warehouse_update` calls it
    through `transaction.on_commit(warehouses_version_bump, robust=True)`."""
    return cache_version_bump(WAREHOUSES_VERSION_KEY)


def warehouses_serving(channel: Channel) -> Q:
    """A filter on Warehouse: active, and either linked to `channel` or linked to none
    (a warehouse without channels serves every channel)."""
    through = Warehouse.channels.through.objects
    linked = through.filter(warehouse_id=OuterRef("pk"))
    return Q(is_active=True) & (
        Q(Exists(linked.filter(channel_id=channel.pk))) | ~Q(Exists(linked))
    )


# Below SQLite's and PostgreSQL's limits on bound parameters, with room for the others.
_CHUNK = 900


def _free_statement(n_ids: int) -> str:
    """Free stock per variant over the warehouses of `warehouses_serving`, as plain SQL:
    the ORM spends more time building its two `EXISTS` subqueries than the database spends
    running them. Only table and column names from the models' metadata and placeholders
    are interpolated."""
    quote = connection.ops.quote_name
    through = Warehouse.channels.through._meta
    stock = quote(Stock._meta.db_table)
    warehouse = quote(Warehouse._meta.db_table)
    link = quote(through.db_table)
    link_warehouse = quote(through.get_field("warehouse").column)
    link_channel = quote(through.get_field("channel").column)
    ids = ", ".join(["%s"] * n_ids)
    return (
        f"SELECT s.variant_id, SUM(s.quantity - s.quantity_allocated) "  # noqa: S608
        f"FROM {stock} s JOIN {warehouse} w ON w.id = s.warehouse_id "
        f"WHERE s.variant_id IN ({ids}) AND w.is_active = %s AND ("
        f"EXISTS (SELECT 1 FROM {link} l WHERE l.{link_warehouse} = w.id "
        f"AND l.{link_channel} = %s) "
        f"OR NOT EXISTS (SELECT 1 FROM {link} l WHERE l.{link_warehouse} = w.id)) "
        "GROUP BY s.variant_id"
    )


def available_quantities(*, variant_ids: Iterable[int], channel: Channel) -> dict[int, int]:
    """Free stock (on hand minus allocated) per variant over the warehouses serving
    `channel` (see `warehouses_serving`), in one query (per 900 variants). Every requested
    variant is in the result (0 when none)."""
    ids = sorted(set(variant_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(_free_statement(len(chunk)), [*chunk, True, channel.pk])
            for variant_id, free in cursor.fetchall():
                result[variant_id] = int(free)
    return result


@dataclass(frozen=True, slots=True)
class PlanRows:
    """What an allocation plans on, before the stock rows are locked: each variant's SKU
    and whether its product takes backorders, the stock rows of the variants in the
    warehouses serving the channel, and those warehouses' priorities."""

    variants: dict[int, tuple[str, bool]]  # variant id -> (sku, allow_backorders)
    stock_ids: list[int]
    priorities: dict[int, int]  # warehouse id -> priority


def _plan_statement(n_ids: int) -> str:
    """The variants with their stock rows and, for a warehouse serving the channel (as
    `warehouses_serving`), its priority, as plain SQL (one statement instead of three ORM
    queries). Only table and column names from the models' metadata and placeholders are
    interpolated."""
    quote = connection.ops.quote_name
    through = Warehouse.channels.through._meta
    variant, product = ProductVariant._meta, Product._meta
    link = quote(through.db_table)
    link_warehouse = quote(through.get_field("warehouse").column)
    link_channel = quote(through.get_field("channel").column)
    sku = quote(str(variant.get_field("sku").column))
    allow = quote(str(product.get_field("allow_backorders").column))
    product_id = quote(str(variant.get_field("product").column))
    ids = ", ".join(["%s"] * n_ids)
    return (
        f"SELECT v.id, v.{sku}, p.{allow}, s.id, w.id, w.priority "  # noqa: S608
        f"FROM {quote(variant.db_table)} v "
        f"JOIN {quote(product.db_table)} p ON p.id = v.{product_id} "
        f"LEFT JOIN {quote(Stock._meta.db_table)} s ON s.variant_id = v.id "
        f"LEFT JOIN {quote(Warehouse._meta.db_table)} w ON w.id = s.warehouse_id "
        f"AND w.is_active = %s AND ("
        f"EXISTS (SELECT 1 FROM {link} l WHERE l.{link_warehouse} = w.id "
        f"AND l.{link_channel} = %s) "
        f"OR NOT EXISTS (SELECT 1 FROM {link} l WHERE l.{link_warehouse} = w.id)) "
        f"WHERE v.id IN ({ids})"
    )


def plan_rows(*, variant_ids: Iterable[int], channel: Channel) -> PlanRows:
    """The rows an allocation plan needs (see `PlanRows`), in one query (per 900
    variants). A variant that does not exist is missing from `variants`."""
    ids = sorted(set(variant_ids))
    variants: dict[int, tuple[str, bool]] = {}
    stock_ids: list[int] = []
    priorities: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(_plan_statement(len(chunk)), [True, channel.pk, *chunk])
            for variant_id, sku, allow, stock_id, warehouse_id, priority in cursor.fetchall():
                variants[variant_id] = (sku, bool(allow))
                if warehouse_id is not None:
                    stock_ids.append(stock_id)
                    priorities[warehouse_id] = priority
    return PlanRows(variants=variants, stock_ids=stock_ids, priorities=priorities)


def in_stock_product_ids(*, channel: Channel) -> QuerySet[Stock, Any]:
    """The ids of the products with free stock (on hand beyond allocated) in a warehouse
    serving `channel`, as a one-column queryset for `product_id__in=`: the "in stock" filter
    of listings. Products taking backorders are not in stock by this measure."""
    return (
        Stock.objects.filter(
            quantity__gt=F("quantity_allocated"),
            warehouse__in=Warehouse.objects.filter(warehouses_serving(channel)).values("pk"),
        )
        .order_by()
        .values("variant__product_id")
    )


def in_stock_subset(*, channel: Channel) -> ProductSubset:
    """The "in stock" filter of product listings (see `in_stock_product_ids`)."""
    return ProductSubset(
        group="in_stock",
        key=f"in_stock:{channel.pk}",
        product_ids=in_stock_product_ids(channel=channel),
    )


def products_in_stock(*, product_ids: Iterable[int], channel: Channel) -> set[int]:
    """Which of `product_ids` have free stock in a warehouse serving `channel` (as
    `in_stock_product_ids`), in one query."""
    ids = sorted(set(product_ids))
    if not ids:
        return set()
    return set(
        in_stock_product_ids(channel=channel)
        .filter(variant__product_id__in=ids)
        .values_list("variant__product_id", flat=True)
    )


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
    # Variants allowed to go short (backorders): what they were short of. Their free
    # stock is in `allocations`; requested - available units are backordered.
    backorders: tuple[Shortfall, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.shortfalls

    @property
    def backordered(self) -> dict[int, int]:
        """Variant id -> units accepted beyond the free stock."""
        return {b.variant_id: b.requested - b.available for b in self.backorders}


def allocation_plan(
    *,
    lines: Sequence[tuple[int, int]],
    stocks: Sequence[StockInfo],
    backorderable: Collection[int] = frozenset(),
) -> AllocationPlan:
    """Split each (variant_id, quantity) line over `stocks` (already limited to the
    warehouses that serve the channel) by warehouse priority, then warehouse id, taking
    free stock. Lines of the same variant are merged. A line that cannot be covered
    becomes a Shortfall and gets no allocation, unless its variant is in `backorderable`:
    then it takes all the free stock there is and the rest is a backorder. Pure: touches
    no database."""
    wanted: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        wanted[variant_id] += quantity
    by_variant: dict[int, list[StockInfo]] = defaultdict(list)
    for info in stocks:
        by_variant[info.variant_id].append(info)
    allocations: list[Allocation] = []
    shortfalls: list[Shortfall] = []
    backorders: list[Shortfall] = []
    for variant_id, quantity in wanted.items():
        candidates = sorted(
            by_variant.get(variant_id, []), key=lambda s: (s.priority, s.warehouse_id)
        )
        available = sum(max(s.free, 0) for s in candidates)
        if available < quantity:
            if variant_id not in backorderable:
                shortfalls.append(Shortfall(variant_id, quantity, available))
                continue
            backorders.append(Shortfall(variant_id, quantity, available))
        remaining = min(quantity, available)
        for info in candidates:
            if remaining == 0:
                break
            take = min(info.free, remaining)
            if take > 0:
                allocations.append(Allocation(info.stock_id, info.warehouse_id, variant_id, take))
                remaining -= take
    return AllocationPlan(tuple(allocations), tuple(shortfalls), tuple(backorders))


def backordered(
    *, lines: Iterable[tuple[int, int]], allocations: Iterable[Allocation]
) -> dict[int, int]:
    """Variant id -> units of `lines` that `allocations` do not cover (what
    `stock_allocate(backorders=True)` accepted beyond stock). Pure."""
    short: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        short[variant_id] += quantity
    for allocation in allocations:
        short[allocation.variant_id] -= allocation.quantity
    return {variant_id: n for variant_id, n in short.items() if n > 0}
