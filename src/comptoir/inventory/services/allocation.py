"""Allocation: promise free stock to order lines (`quantity_allocated` up), release it, ship
it (on hand and allocated down, one `sale` movement per row). The plan is made on the rows
locked in primary-key order; `stock_reserve` (reservations.py) plans the same way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import (
    Allocation,
    AllocationPlan,
    StockInfo,
    allocation_plan,
    warehouses_serving,
)
from comptoir.inventory.services._common import _insufficient, _lines, _quantity, _texts


def _plan_locked(
    *,
    lines: list[tuple[int, int]],
    channel: Channel,
    backorders: bool,
    held: Mapping[int, int] | None = None,
    also_lock: Collection[int] = (),
) -> tuple[AllocationPlan, list[Stock]]:
    """Lock every stock row of the lines' variants in the warehouses serving `channel`
    (plus `also_lock`), in primary-key order, and plan on them. `held` (stock id ->
    units) is allocated stock that the caller is about to give back (the previous
    reservation of the same token): it counts as free. With `backorders`, variants of
    products that allow backorders may be short. Raises VARIANT_NOT_FOUND (404) and
    INSUFFICIENT_STOCK (409, errors keyed by SKU); writes nothing. Returns the plan and
    the locked rows."""
    variant_ids = {variant_id for variant_id, _q in lines}
    rows = ProductVariant.objects.filter(pk__in=variant_ids).values_list(
        "pk", "sku", "product__allow_backorders"
    )
    skus = {pk: sku for pk, sku, _allow in rows}
    if missing := variant_ids - skus.keys():
        raise NotFound(
            _("Unknown variant."),
            code="VARIANT_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    backorderable = {pk for pk, _sku, allow in rows if allow} if backorders else set()
    priorities = dict(
        Warehouse.objects.filter(warehouses_serving(channel)).values_list("pk", "priority")
    )
    ids = Stock.objects.filter(variant_id__in=variant_ids, warehouse_id__in=priorities).values_list(
        "pk", flat=True
    )
    locked = stocks_for_update([*ids, *also_lock])
    held = held or {}
    plan = allocation_plan(
        lines=lines,
        stocks=[
            StockInfo(
                stock_id=s.pk,
                warehouse_id=s.warehouse_id,
                variant_id=s.variant_id,
                priority=priorities[s.warehouse_id],
                quantity=s.quantity,
                quantity_allocated=s.quantity_allocated - held.get(s.pk, 0),
            )
            for s in locked
            if s.warehouse_id in priorities and s.variant_id in variant_ids
        ],
        backorderable=backorderable,
    )
    if not plan.ok:
        raise _insufficient(
            _("Not enough stock."),
            {
                skus[short.variant_id]: [
                    _("%(requested)d requested, %(available)d available.")
                    % {"requested": short.requested, "available": short.available}
                ]
                for short in plan.shortfalls
            },
        )
    return plan, locked


def _allocated_change(stock_id: int, change: int) -> None:
    """Add `change` (signed) to the allocated quantity of a LOCKED row, with a conditional
    UPDATE that can never over-allocate nor go below zero."""
    if change > 0:
        updated = Stock.objects.filter(
            pk=stock_id, quantity__gte=F("quantity_allocated") + change
        ).update(quantity_allocated=F("quantity_allocated") + change)
        if updated != 1:  # cannot happen under the lock; never allocate what is not there
            raise _insufficient(_("Not enough stock."))
    elif change < 0:
        updated = Stock.objects.filter(pk=stock_id, quantity_allocated__gte=-change).update(
            quantity_allocated=F("quantity_allocated") + change
        )
        if updated != 1:
            raise _mismatch()


@transaction.atomic
def stock_allocate(
    *, lines: Sequence[tuple[int, int]], channel: Channel, backorders: bool = False
) -> list[Allocation]:
    """Promise stock to (variant_id, quantity) lines in the warehouses serving `channel`,
    split by warehouse priority then id. Locks every stock row involved (primary-key
    order), plans on the locked rows and raises 409 INSUFFICIENT_STOCK (errors keyed by
    SKU) when any line is short; otherwise raises `quantity_allocated` of each planned row
    and returns the allocations. Writes no movement.

    With `backorders=True`, a line whose product allows backorders takes the free stock
    there is and is not refused for the rest: the caller records requested minus
    allocated as backordered (`selectors.backordered`) and allocates it later, when stock
    has arrived (docs/inventory.md, "Backorders")."""
    checked = _lines(lines)
    plan, _locked_rows = _plan_locked(lines=checked, channel=channel, backorders=backorders)
    for allocation in plan.allocations:
        _allocated_change(allocation.stock_id, allocation.quantity)
    return list(plan.allocations)


def _by_stock(allocations: Iterable[Allocation]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        totals[allocation.stock_id] += _quantity(allocation.quantity)
    if not totals:
        raise InvalidInput(
            _("No allocations given."),
            code="INVALID_QUANTITY",
            errors={"allocations": ["EMPTY"]},
        )
    return totals


def _mismatch() -> Conflict:
    return Conflict(
        _("These allocations do not match the stock."),
        code="ALLOCATION_MISMATCH",
        errors={"allocations": ["ALLOCATION_MISMATCH"]},
    )


@transaction.atomic
def stock_deallocate(*, allocations: Iterable[Allocation]) -> None:
    """Release `allocations` (a cancelled order, an expired checkout). 409
    ALLOCATION_MISMATCH, changing nothing, when a row holds less allocated than released."""
    totals = _by_stock(allocations)
    stocks_for_update(totals)
    for stock_id, quantity in sorted(totals.items()):
        _allocated_change(stock_id, -quantity)


@transaction.atomic
def stock_ship(
    *, allocations: Iterable[Allocation], reference: str, actor: User | None = None
) -> list[StockMovement]:
    """Ship allocated units: on hand and allocated both go down, one `sale` movement per
    stock row with `reference` (the order number). 409 ALLOCATION_MISMATCH, changing
    nothing, when a row holds less allocated than shipped."""
    _texts(reference=reference)
    totals = _by_stock(allocations)
    locked = {s.pk: s for s in stocks_for_update(totals)}
    movements = []
    for stock_id, quantity in sorted(totals.items()):
        updated = Stock.objects.filter(
            pk=stock_id, quantity_allocated__gte=quantity, quantity__gte=quantity
        ).update(
            quantity=F("quantity") - quantity,
            quantity_allocated=F("quantity_allocated") - quantity,
        )
        if updated != 1:
            raise _mismatch()
        movements.append(
            StockMovement.objects.create(
                stock=locked[stock_id],
                kind=MovementKind.SALE,
                quantity=-quantity,
                reference=reference,
                actor=actor,
            )
        )
    return movements
