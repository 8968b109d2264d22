"""Writes of the inventory. Every service is atomic and leaves nothing changed when it
raises. On-hand quantities change only here, with F() expressions on rows locked through
`comptoir.inventory.locks.stocks_for_update` (primary-key order), and every change of
on-hand quantity writes one StockMovement: `Stock.quantity` always equals the sum of its
movements. Allocation is not a movement (it changes `quantity_allocated` only)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.services._common import ensure_unique
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.validation import UNSET, Unset, given, text_check, validate
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import (
    Allocation,
    StockInfo,
    allocation_plan,
    warehouses_serving,
)

# One operation moves at most this many units; on hand never exceeds MAX_ON_HAND (the
# columns are 32-bit integers).
MAX_QUANTITY: Final = 1_000_000
MAX_ON_HAND: Final = 2_000_000_000
REFERENCE_MAX_LENGTH: Final = StockMovement._meta.get_field("reference").max_length or 100


# --- Checks --------------------------------------------------------------------------------


def _quantity(value: object, *, field: str = "quantity") -> int:
    """A positive whole number of units, at most MAX_QUANTITY, else InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise InvalidInput(
            _("Quantity must be a whole number between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code="INVALID_QUANTITY",
            errors={field: ["INVALID_QUANTITY"]},
        )
    return value


def _texts(*, reference: str = "", note: str = "") -> None:
    """Reference and note can be stored: no forbidden character, reference within its column."""
    text_check(reference=reference, note=note)
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InvalidInput(
            _("The reference is limited to %(n)d characters.") % {"n": REFERENCE_MAX_LENGTH},
            code="INVALID_INPUT",
            errors={"reference": ["TOO_LONG"]},
        )


def _warehouse(warehouse: Warehouse, *, active: bool = True) -> Warehouse:
    """The warehouse as stored now: NotFound when it does not exist, Conflict when
    `active` is required and it is not."""
    current = Warehouse.objects.filter(pk=warehouse.pk).first() if warehouse.pk else None
    if current is None:
        raise NotFound(_("Unknown warehouse."), code="WAREHOUSE_NOT_FOUND")
    if active and not current.is_active:
        raise Conflict(
            _("Warehouse %(code)s is not active.") % {"code": current.code},
            code="WAREHOUSE_INACTIVE",
            errors={"warehouse": ["WAREHOUSE_INACTIVE"]},
        )
    return current


def _variant(variant: ProductVariant) -> None:
    if not variant.pk or not ProductVariant.objects.filter(pk=variant.pk).exists():
        raise NotFound(_("Unknown variant."), code="VARIANT_NOT_FOUND")


def _insufficient(detail: str, errors: dict[str, list[str]] | None = None) -> Conflict:
    return Conflict(detail, code="INSUFFICIENT_STOCK", errors=errors)


def _locked(stock_id: int) -> Stock:
    (stock,) = stocks_for_update([stock_id])
    return stock


def _move(
    stock: Stock,
    *,
    kind: MovementKind,
    quantity: int,
    reference: str = "",
    note: str = "",
    actor: User | None = None,
) -> StockMovement:
    """Change the on-hand quantity of a LOCKED stock row by `quantity` and record it.
    Precondition: the caller holds the lock and checked the result stays in range."""
    Stock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity)
    return StockMovement.objects.create(
        stock=stock, kind=kind, quantity=quantity, reference=reference, note=note, actor=actor
    )


# --- Warehouses ----------------------------------------------------------------------------


def _ensure_unique(*, code: str, external_ref: str | None, exclude_pk: int | None) -> None:
    """Conflict WAREHOUSE_CODE_TAKEN / EXTERNAL_REF_TAKEN when a warehouse other than
    `exclude_pk` holds `code` or `external_ref` (empty or None: not checked)."""
    ensure_unique(
        Warehouse, field="code", value=code, code="WAREHOUSE_CODE_TAKEN", exclude_pk=exclude_pk
    )
    ensure_unique(
        Warehouse,
        field="external_ref",
        value=external_ref,
        code="EXTERNAL_REF_TAKEN",
        exclude_pk=exclude_pk,
    )


def _save(warehouse: Warehouse) -> None:
    """Save in a savepoint. A unique violation means another request took the code or the
    external reference between the check and the save: the same Conflict as the check (the
    other request has committed, so it sees its row now). Any other IntegrityError is raised
    as is."""
    try:
        with transaction.atomic():
            warehouse.save()
    except IntegrityError:
        _ensure_unique(
            code=warehouse.code, external_ref=warehouse.external_ref, exclude_pk=warehouse.pk
        )
        raise


@transaction.atomic
def warehouse_create(
    *,
    code: str,
    name: str,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "FR",
    priority: int = 0,
    is_active: bool = True,
    channels: Iterable[Channel] = (),
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Warehouse:
    """Create a warehouse; `code` (and `external_ref`, when given) must be free."""
    text_check(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        external_ref=external_ref,
        metadata=metadata,
    )
    _ensure_unique(code=code, external_ref=external_ref, exclude_pk=None)
    warehouse = Warehouse(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        country=country,
        priority=priority,
        is_active=is_active,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    validate(warehouse)
    _save(warehouse)
    warehouse.channels.set(list(channels))
    return warehouse


@transaction.atomic
def warehouse_update(
    *,
    warehouse: Warehouse,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    street_address: str | Unset = UNSET,
    postal_code: str | Unset = UNSET,
    city: str | Unset = UNSET,
    country: str | Unset = UNSET,
    priority: int | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    channels: Iterable[Channel] | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
) -> Warehouse:
    """Change the given fields of `warehouse` (the others stay as they are)."""
    changes = given(
        code=code,
        name=name,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        country=country,
        priority=priority,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
    )
    text_check(**changes)
    current = _warehouse(warehouse, active=False)
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
    _ensure_unique(
        code=changes.get("code", ""),
        external_ref=changes.get("external_ref"),
        exclude_pk=current.pk,
    )
    for field, value in changes.items():
        setattr(current, field, value)
    validate(current)
    _save(current)
    if not isinstance(channels, Unset):
        current.channels.set(list(channels))
    return current


# --- Receipts, returns, adjustments, transfers ---------------------------------------------


def _stock_in(
    *,
    kind: MovementKind,
    warehouse: Warehouse,
    variant: ProductVariant,
    quantity: int,
    reference: str,
    note: str,
    actor: User | None,
) -> Stock:
    quantity = _quantity(quantity)
    _texts(reference=reference, note=note)
    current = _warehouse(warehouse)
    _variant(variant)
    stock, _created = Stock.objects.get_or_create(warehouse=current, variant=variant)
    locked = _locked(stock.pk)
    if locked.quantity + quantity > MAX_ON_HAND:
        raise InvalidInput(
            _("On-hand quantity cannot exceed %(max)d.") % {"max": MAX_ON_HAND},
            code="INVALID_QUANTITY",
            errors={"quantity": ["INVALID_QUANTITY"]},
        )
    _move(locked, kind=kind, quantity=quantity, reference=reference, note=note, actor=actor)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def stock_receive(
    *,
    warehouse: Warehouse,
    variant: ProductVariant,
    quantity: int,
    reference: str = "",
    note: str = "",
    actor: User | None = None,
) -> Stock:
    """Add `quantity` units of `variant` to an active `warehouse` (creating its stock row
    when missing) with a `receipt` movement."""
    return _stock_in(
        kind=MovementKind.RECEIPT,
        warehouse=warehouse,
        variant=variant,
        quantity=quantity,
        reference=reference,
        note=note,
        actor=actor,
    )


@transaction.atomic
def stock_return(
    *,
    warehouse: Warehouse,
    variant: ProductVariant,
    quantity: int,
    reference: str = "",
    note: str = "",
    actor: User | None = None,
) -> Stock:
    """Put `quantity` returned units of `variant` back into an active `warehouse` with a
    `return` movement."""
    return _stock_in(
        kind=MovementKind.RETURN,
        warehouse=warehouse,
        variant=variant,
        quantity=quantity,
        reference=reference,
        note=note,
        actor=actor,
    )


@transaction.atomic
def stock_adjust(
    *,
    stock: Stock,
    counted: int | None = None,
    delta: int | None = None,
    note: str = "",
    actor: User | None = None,
) -> Stock:
    """Correct the on-hand quantity after a count: pass exactly one of `counted` (the
    units found, >= 0) or `delta` (signed, non-zero). Writes one `adjustment` movement;
    a count equal to the current quantity writes none. Refuses to go below the allocated
    quantity (409 STOCK_ALLOCATED) or below zero (409 INSUFFICIENT_STOCK)."""
    _texts(note=note)
    if (counted is None) == (delta is None):
        raise InvalidInput(
            _("Give either the counted quantity or a delta, not both."),
            code="INVALID_ADJUSTMENT",
            errors={"counted": ["INVALID_ADJUSTMENT"], "delta": ["INVALID_ADJUSTMENT"]},
        )
    if counted is not None and (
        isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= MAX_ON_HAND
    ):
        raise InvalidInput(
            _("The counted quantity must be a whole number between 0 and %(max)d.")
            % {"max": MAX_ON_HAND},
            code="INVALID_QUANTITY",
            errors={"counted": ["INVALID_QUANTITY"]},
        )
    if delta is not None and (
        isinstance(delta, bool) or not isinstance(delta, int) or not 0 < abs(delta) <= MAX_QUANTITY
    ):
        raise InvalidInput(
            _("The delta must be a non-zero whole number between -%(max)d and %(max)d.")
            % {"max": MAX_QUANTITY},
            code="INVALID_QUANTITY",
            errors={"delta": ["INVALID_QUANTITY"]},
        )
    if not stock.pk:
        raise NotFound(_("Unknown stock."), code="STOCK_NOT_FOUND")
    found = stocks_for_update([stock.pk])
    if not found:
        raise NotFound(_("Unknown stock."), code="STOCK_NOT_FOUND")
    locked = found[0]
    change = counted - locked.quantity if counted is not None else delta
    assert change is not None
    target = locked.quantity + change
    if target < 0:
        raise _insufficient(
            _("Only %(n)d units on hand.") % {"n": locked.quantity},
            {"delta": ["INSUFFICIENT_STOCK"]},
        )
    if target < locked.quantity_allocated:
        raise Conflict(
            _("%(n)d units are allocated to orders; on hand cannot go below that.")
            % {"n": locked.quantity_allocated},
            code="STOCK_ALLOCATED",
            errors={"counted" if counted is not None else "delta": ["STOCK_ALLOCATED"]},
        )
    if target > MAX_ON_HAND:
        raise InvalidInput(
            _("On-hand quantity cannot exceed %(max)d.") % {"max": MAX_ON_HAND},
            code="INVALID_QUANTITY",
            errors={"delta": ["INVALID_QUANTITY"]},
        )
    if change:
        _move(locked, kind=MovementKind.ADJUSTMENT, quantity=change, note=note, actor=actor)
        locked.refresh_from_db()
    return locked


@transaction.atomic
def stock_transfer(
    *,
    variant: ProductVariant,
    source: Warehouse,
    destination: Warehouse,
    quantity: int,
    reference: str = "",
    note: str = "",
    actor: User | None = None,
) -> tuple[Stock, Stock]:
    """Move `quantity` free units of `variant` from `source` to an active `destination`:
    a `transfer_out` and a `transfer_in` movement sharing one reference (a new transfer id
    when none is given). Both rows are locked in primary-key order. Returns the (source,
    destination) stocks."""
    quantity = _quantity(quantity)
    _texts(reference=reference, note=note)
    if source.pk is not None and source.pk == destination.pk:
        raise InvalidInput(
            _("Source and destination must be different warehouses."),
            code="SAME_WAREHOUSE",
            errors={"destination": ["SAME_WAREHOUSE"]},
        )
    src = _warehouse(source, active=False)
    dst = _warehouse(destination)
    _variant(variant)
    source_stock = Stock.objects.filter(warehouse=src, variant=variant).first()
    if source_stock is None:
        raise _insufficient(
            _("No stock of %(sku)s in %(code)s.") % {"sku": variant.sku, "code": src.code},
            {variant.sku: ["INSUFFICIENT_STOCK"]},
        )
    target_stock, _created = Stock.objects.get_or_create(warehouse=dst, variant=variant)
    locked = {s.pk: s for s in stocks_for_update([source_stock.pk, target_stock.pk])}
    out, into = locked[source_stock.pk], locked[target_stock.pk]
    if out.quantity_free < quantity:
        raise _insufficient(
            _("Only %(n)d free units of %(sku)s in %(code)s.")
            % {"n": out.quantity_free, "sku": variant.sku, "code": src.code},
            {variant.sku: ["INSUFFICIENT_STOCK"]},
        )
    if into.quantity + quantity > MAX_ON_HAND:
        raise InvalidInput(
            _("On-hand quantity cannot exceed %(max)d.") % {"max": MAX_ON_HAND},
            code="INVALID_QUANTITY",
            errors={"quantity": ["INVALID_QUANTITY"]},
        )
    reference = reference or f"transfer-{uuid.uuid4().hex}"
    for stock, kind, change in (
        (out, MovementKind.TRANSFER_OUT, -quantity),
        (into, MovementKind.TRANSFER_IN, quantity),
    ):
        _move(stock, kind=kind, quantity=change, reference=reference, note=note, actor=actor)
    out.refresh_from_db()
    into.refresh_from_db()
    return out, into


# --- Allocation ----------------------------------------------------------------------------


def _bad_lines() -> InvalidInput:
    return InvalidInput(
        _("Each line is a (variant id, quantity) pair."),
        code="INVALID_INPUT",
        errors={"lines": ["INVALID_INPUT"]},
    )


def _lines(lines: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines as (variant id, quantity) pairs: INVALID_INPUT when `lines` is not a list
    of pairs, VARIANT_NOT_FOUND for an id that is not an integer, INVALID_QUANTITY for no
    lines or a bad quantity."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise _bad_lines()
    if not lines:
        raise InvalidInput(
            _("Nothing to allocate."), code="INVALID_QUANTITY", errors={"lines": ["EMPTY"]}
        )
    checked = []
    for line in lines:
        if not isinstance(line, tuple | list) or len(line) != 2:
            raise _bad_lines()
        variant_id, quantity = line
        if isinstance(variant_id, bool) or not isinstance(variant_id, int):
            raise NotFound(_("Unknown variant."), code="VARIANT_NOT_FOUND")
        checked.append((variant_id, _quantity(quantity)))
    return checked


@transaction.atomic
def stock_allocate(*, lines: Sequence[tuple[int, int]], channel: Channel) -> list[Allocation]:
    """Reserve stock for (variant_id, quantity) lines in the warehouses serving `channel`,
    split by warehouse priority then id. Locks every stock row involved (primary-key
    order), plans on the locked rows and raises 409 INSUFFICIENT_STOCK (errors keyed by
    SKU) when any line is short; otherwise raises `quantity_allocated` of each planned row
    and returns the allocations. Writes no movement."""
    checked = _lines(lines)
    variant_ids = {variant_id for variant_id, _q in checked}
    skus = dict(ProductVariant.objects.filter(pk__in=variant_ids).values_list("pk", "sku"))
    if missing := variant_ids - skus.keys():
        raise NotFound(
            _("Unknown variant."),
            code="VARIANT_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    priorities = dict(
        Warehouse.objects.filter(warehouses_serving(channel)).values_list("pk", "priority")
    )
    ids = Stock.objects.filter(variant_id__in=variant_ids, warehouse_id__in=priorities).values_list(
        "pk", flat=True
    )
    locked = stocks_for_update(ids)
    plan = allocation_plan(
        lines=checked,
        stocks=[
            StockInfo(
                stock_id=s.pk,
                warehouse_id=s.warehouse_id,
                variant_id=s.variant_id,
                priority=priorities[s.warehouse_id],
                quantity=s.quantity,
                quantity_allocated=s.quantity_allocated,
            )
            for s in locked
        ],
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
    for allocation in plan.allocations:
        updated = Stock.objects.filter(
            pk=allocation.stock_id,
            quantity__gte=F("quantity_allocated") + allocation.quantity,
        ).update(quantity_allocated=F("quantity_allocated") + allocation.quantity)
        if updated != 1:  # cannot happen under the lock; never allocate what is not there
            raise _insufficient(_("Not enough stock."))
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
        updated = Stock.objects.filter(pk=stock_id, quantity_allocated__gte=quantity).update(
            quantity_allocated=F("quantity_allocated") - quantity
        )
        if updated != 1:
            raise _mismatch()


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
