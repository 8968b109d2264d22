"""Allocation: promise free stock to order lines (`quantity_allocated` up), release it, ship
it (on hand and allocated down, one `sale` movement per row). The plan is made on the rows
locked in primary-key order and applied by `_allocate_locked`, the one path of
`stock_allocate` and `stock_reserve` (reservations.py). The rows change in one UPDATE per
BATCH rows, checked first against their locked values; the database's checks
(0 <= allocated <= on hand) stand behind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import batched
from typing import Final

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, StockMovement
from comptoir.inventory.selectors import (
    Allocation,
    AllocationPlan,
    StockInfo,
    allocation_plan,
    plan_rows,
)
from comptoir.inventory.services._common import _insufficient, _lines, _quantity, _texts

# Rows changed by one UPDATE (a CASE branch each), well under every database's limits.
BATCH: Final = 500


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
    rows = plan_rows(variant_ids=variant_ids, channel=channel)
    skus = {pk: sku for pk, (sku, _allow) in rows.variants.items()}
    if missing := variant_ids - skus.keys():
        raise NotFound(
            _("Unknown variant."),
            code="VARIANT_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    backorderable = (
        {pk for pk, (_sku, allow) in rows.variants.items() if allow} if backorders else set()
    )
    priorities = rows.priorities
    ids = rows.stock_ids
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


def _per_stock(allocations: Iterable[Allocation]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        totals[allocation.stock_id] += allocation.quantity
    return dict(totals)


def _per_row(changes: Iterable[tuple[int, int]]) -> Case:
    """CASE pk WHEN ... THEN <change> ELSE 0: the signed change of each row (stock id ->
    units) in one UPDATE."""
    return Case(
        *[When(pk=stock_id, then=Value(change)) for stock_id, change in changes],
        default=Value(0),
        output_field=IntegerField(),
    )


def _allocated_changes(changes: Mapping[int, int], locked: Mapping[int, Stock]) -> None:
    """Add each signed change (stock id -> units; 0: none) to the allocated quantity of its
    row, LOCKED by the caller (`locked`: those rows as read under the lock). Checked first,
    writing nothing on refusal: a rise beyond free stock is INSUFFICIENT_STOCK, a release
    of more than is allocated (or of a missing row) ALLOCATION_MISMATCH. One UPDATE per
    BATCH rows."""
    wanted = sorted((pk, n) for pk, n in changes.items() if n)
    for stock_id, change in wanted:
        stock = locked.get(stock_id)
        if stock is None or stock.quantity_allocated + change < 0:
            raise _mismatch()
        if stock.quantity_allocated + change > stock.quantity:
            raise _insufficient(_("Not enough stock."))  # cannot happen under the lock
    for chunk in batched(wanted, BATCH):
        Stock.objects.filter(pk__in=[pk for pk, _n in chunk]).update(
            quantity_allocated=F("quantity_allocated") + _per_row(chunk)
        )


def _allocate_locked(
    *,
    lines: list[tuple[int, int]],
    channel: Channel,
    backorders: bool,
    held: Mapping[int, int] | None = None,
) -> AllocationPlan:
    """Plan the lines on the locked rows (`_plan_locked`) and set each row's allocated
    quantity from `held` (stock id -> units the caller gives back, e.g. the previous
    reservation of a token) to the plan's: the one path of `stock_allocate` (nothing
    held) and `stock_reserve`. Raises like `_plan_locked`, writing nothing."""
    held = held or {}
    plan, locked = _plan_locked(
        lines=lines, channel=channel, backorders=backorders, held=held, also_lock=held
    )
    wanted = _per_stock(plan.allocations)
    _allocated_changes(
        {pk: wanted.get(pk, 0) - held.get(pk, 0) for pk in held.keys() | wanted.keys()},
        {s.pk: s for s in locked},
    )
    return plan


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
    plan = _allocate_locked(lines=_lines(lines), channel=channel, backorders=backorders)
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
    locked = {s.pk: s for s in stocks_for_update(totals)}
    _allocated_changes({pk: -n for pk, n in totals.items()}, locked)


@transaction.atomic
def stock_ship(
    *, allocations: Iterable[Allocation], reference: str, actor: User | None = None
) -> list[StockMovement]:
    """Ship allocated units: on hand and allocated both go down, one `sale` movement per
    stock row with `reference` (the order number). 409 ALLOCATION_MISMATCH, changing
    nothing, when a row holds less allocated than shipped. One UPDATE and one INSERT per
    BATCH rows."""
    _texts(reference=reference)
    totals = sorted(_by_stock(allocations).items())
    locked = {s.pk: s for s in stocks_for_update(pk for pk, _n in totals)}
    for stock_id, quantity in totals:
        stock = locked.get(stock_id)
        if stock is None or stock.quantity_allocated < quantity:
            raise _mismatch()
    for chunk in batched(totals, BATCH):
        change = _per_row(chunk)
        Stock.objects.filter(pk__in=[pk for pk, _n in chunk]).update(
            quantity=F("quantity") - change,
            quantity_allocated=F("quantity_allocated") - change,
        )
    return StockMovement.objects.bulk_create(
        [
            StockMovement(
                stock=locked[stock_id],
                kind=MovementKind.SALE,
                quantity=-quantity,
                reference=reference,
                actor=actor,
            )
            for stock_id, quantity in totals
        ],
        batch_size=BATCH,
    )
