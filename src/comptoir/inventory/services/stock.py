"""On-hand quantity: receipts, returns, adjustments after a count, transfers between
warehouses; plus the settings of a stock row (low stock threshold) and of a product
(backorders allowed). Every change of on-hand quantity writes one StockMovement per stock
row, with its actor."""

from __future__ import annotations

import uuid

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import Product, ProductVariant
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, Warehouse
from comptoir.inventory.services._common import (
    MAX_ON_HAND,
    MAX_QUANTITY,
    _insufficient,
    _locked,
    _move,
    _quantity,
    _texts,
    _too_much,
    _variant,
    _warehouse,
    audit,
    changed_fields,
)


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
        raise _too_much()
    _move(locked, kind=kind, quantity=quantity, reference=reference, note=note, actor=actor)
    locked.quantity += quantity  # as stored: the row is locked
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


def _adjustment_check(counted: int | None, delta: int | None) -> None:
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


@transaction.atomic
def stock_adjust(
    *,
    stock: Stock,
    counted: int | None = None,
    delta: int | None = None,
    note: str = "",
    reference: str = "",
    actor: User | None = None,
) -> Stock:
    """Correct the on-hand quantity after a count: pass exactly one of `counted` (the
    units found, >= 0) or `delta` (signed, non-zero). Writes one `adjustment` movement;
    a count equal to the current quantity writes none. Refuses to go below the allocated
    quantity (409 STOCK_ALLOCATED) or below zero (409 INSUFFICIENT_STOCK)."""
    _texts(note=note, reference=reference)
    _adjustment_check(counted, delta)
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
        raise _too_much("delta")
    if change:
        _move(
            locked,
            kind=MovementKind.ADJUSTMENT,
            quantity=change,
            reference=reference,
            note=note,
            actor=actor,
        )
        locked.quantity = target  # as stored: the row is locked
    return locked


@transaction.atomic
def stock_adjust_at(
    *,
    warehouse: Warehouse,
    variant: ProductVariant,
    counted: int | None = None,
    delta: int | None = None,
    note: str = "",
    reference: str = "",
    actor: User | None = None,
) -> Stock:
    """`stock_adjust` on the stock of `variant` in `warehouse`, found by the pair. A
    missing row is created (quantity 0, then adjusted) in an active warehouse only: 409
    WAREHOUSE_INACTIVE otherwise; a count of 0 for a missing row creates nothing and
    returns an unsaved empty Stock."""
    _texts(note=note, reference=reference)
    _adjustment_check(counted, delta)
    current = _warehouse(warehouse, active=False)
    _variant(variant)
    stock = Stock.objects.filter(warehouse=current, variant=variant).first()
    if stock is None:
        if counted == 0:
            return Stock(warehouse=current, variant=variant)
        _warehouse(current)  # 409 WAREHOUSE_INACTIVE
        stock, _created = Stock.objects.get_or_create(warehouse=current, variant=variant)
    return stock_adjust(
        stock=stock, counted=counted, delta=delta, note=note, reference=reference, actor=actor
    )


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
        raise _too_much()
    reference = reference or f"transfer-{uuid.uuid4().hex}"
    for stock, kind, change in (
        (out, MovementKind.TRANSFER_OUT, -quantity),
        (into, MovementKind.TRANSFER_IN, quantity),
    ):
        _move(stock, kind=kind, quantity=change, reference=reference, note=note, actor=actor)
        stock.quantity += change  # as stored: the rows are locked
    return out, into


# --- Settings -------------------------------------------------------------------------------


@transaction.atomic
def stock_threshold_set(*, stock: Stock, threshold: int | None, actor: User | None = None) -> Stock:
    """Set (or clear, with None) the low stock threshold of `stock`: a whole number from 0
    to MAX_ON_HAND (INVALID_INPUT otherwise); recorded in the stock's history."""
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int)
        or not 0 <= threshold <= MAX_ON_HAND
    ):
        raise InvalidInput(
            _("The threshold must be a whole number between 0 and %(max)d.") % {"max": MAX_ON_HAND},
            code="INVALID_INPUT",
            errors={"low_stock_threshold": ["INVALID_INPUT"]},
        )
    if not stock.pk or not (found := stocks_for_update([stock.pk])):
        raise NotFound(_("Unknown stock."), code="STOCK_NOT_FOUND")
    locked = found[0]
    if locked.low_stock_threshold != threshold:
        Stock.objects.filter(pk=locked.pk).update(low_stock_threshold=threshold)
        locked.low_stock_threshold = threshold
        audit(
            actor=actor,
            obj=locked,
            flag=CHANGE,
            message=changed_fields(Stock, ["low_stock_threshold"]),
        )
    return locked


@transaction.atomic
def product_backorders_set(*, product: Product, allow: bool, actor: User | None = None) -> Product:
    """Allow (or stop) selling `product` beyond its free stock: reservations and
    allocations with backorders then accept what is short (docs/inventory.md,
    "Backorders"). Stopping does not cancel what was already accepted."""
    if not isinstance(allow, bool):
        raise InvalidInput(
            _("Allow backorders must be true or false."),
            code="INVALID_INPUT",
            errors={"allow_backorders": ["INVALID_INPUT"]},
        )
    if not product.pk or not Product.objects.filter(pk=product.pk).exists():
        raise NotFound(_("Unknown product."), code="PRODUCT_NOT_FOUND")
    if (
        Product.objects.filter(pk=product.pk)
        .exclude(allow_backorders=allow)
        .update(allow_backorders=allow, updated_at=timezone.now())
    ):
        audit(
            actor=actor,
            obj=product,
            flag=CHANGE,
            message=changed_fields(Product, ["allow_backorders"]),
        )
    product.allow_backorders = allow
    return product
