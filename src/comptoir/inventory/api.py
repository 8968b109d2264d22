"""API of inventory: public routes on `router` (none yet: availability is shown by the
catalog and the cart), staff and integration routes on `admin_router` (mounted under
/api/v1/admin/): warehouses, stock levels, receipts, counts, transfers, CSV import, the
ledger and the reservations of open checkouts. Every handler checks the caller's Django
model permission, then calls one service (writes, with the caller as actor) or a staff
selector (reads)."""

from __future__ import annotations

import uuid
from typing import Any, Final

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.channels.models import Channel
from comptoir.core.csv_files import OPENAPI_REQUEST_BODY, request_csv
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    staff,
)
from comptoir.core.text import text_storable
from comptoir.inventory import services
from comptoir.inventory.models import Reservation, Stock, StockMovement, Warehouse
from comptoir.inventory.schemas import (
    AdjustIn,
    MovementListOut,
    MovementQuery,
    ReceiveIn,
    ReservationListOut,
    ReservationQuery,
    StockImportOut,
    StockListOut,
    StockOut,
    StockPatch,
    StockQuery,
    TransferIn,
    TransferOut,
    WarehouseIn,
    WarehouseListOut,
    WarehouseOut,
    WarehousePatch,
)
from comptoir.inventory.selectors import staff as reads
from comptoir.inventory.services.csv_import import MAX_BYTES as CSV_MAX_BYTES

router = Router(tags=["inventory"])
admin_router = Router(tags=["admin: inventory"], auth=session_or_bearer)

ACCESS: Final = "401 anonymous; 403 not staff or missing `inventory.%s`."
WAREHOUSE_ERRORS: Final = (
    "400 `INVALID_INPUT` (e.g. unknown country), `INVALID_TEXT`, `CHANNEL_NOT_FOUND`; 409 "
    "`WAREHOUSE_CODE_TAKEN`, `EXTERNAL_REF_TAKEN`; 422 `VALIDATION_ERROR`."
)
REFERENCES: Final = (
    "400 `WAREHOUSE_NOT_FOUND` / `VARIANT_NOT_FOUND` (unknown warehouse code or SKU in the "
    "body), `INVALID_QUANTITY`, `INVALID_TEXT`, `INVALID_INPUT` (reference over 100 "
    "characters); 422 `VALIDATION_ERROR` (a quantity that is not a JSON integer)."
)


# --- shaping ------------------------------------------------------------------------------


def warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.pk,
        "code": warehouse.code,
        "name": warehouse.name,
        "street_address": warehouse.street_address,
        "postal_code": warehouse.postal_code,
        "city": warehouse.city,
        "country": str(warehouse.country),
        "priority": warehouse.priority,
        "is_active": warehouse.is_active,
        "channels": sorted(c.code for c in warehouse.channels.all()),
        "external_ref": warehouse.external_ref,
        "metadata": warehouse.metadata,
    }


def stock_out(stock: Stock) -> dict[str, Any]:
    free = stock.quantity - stock.quantity_allocated
    threshold = stock.low_stock_threshold
    return {
        "id": stock.pk,
        "warehouse": stock.warehouse.code,
        "sku": stock.variant.sku,
        "variant_id": stock.variant_id,
        "quantity": stock.quantity,
        "allocated": stock.quantity_allocated,
        "free": free,
        "low_stock_threshold": threshold,
        "low": threshold is not None and free <= threshold,
    }


def movement_out(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.pk,
        "stock_id": movement.stock_id,
        "warehouse": movement.stock.warehouse.code,
        "sku": movement.stock.variant.sku,
        "kind": movement.kind,
        "quantity": movement.quantity,
        "reference": movement.reference,
        "note": movement.note,
        "actor": movement.actor.email if movement.actor is not None else None,
        "created_at": movement.created_at,
    }


def reservation_out(reservation: Reservation, *, now: Any) -> dict[str, Any]:
    return {
        "id": reservation.pk,
        "token": reservation.token,
        "warehouse": reservation.stock.warehouse.code,
        "sku": reservation.stock.variant.sku,
        "quantity": reservation.quantity,
        "expires_at": reservation.expires_at,
        "expired": reservation.expires_at <= now,
        "created_at": reservation.created_at,
    }


def _fresh(stock: Stock) -> dict[str, Any]:
    """The stock as stored, with its warehouse and variant (an unsaved row as it is)."""
    return stock_out(reads.stock_get(stock_id=stock.pk) if stock.pk else stock)


def _warehouse_ref(code: str, field: str) -> Warehouse:
    try:
        return reads.warehouse_by_code(code=code)
    except NotFound as exc:
        raise as_bad_reference(exc, field) from None


def _variant_ref(sku: str) -> Any:
    try:
        return reads.variant_by_sku(sku=sku)
    except NotFound as exc:
        raise as_bad_reference(exc, "sku") from None


def _channels(codes: list[str]) -> list[Channel]:
    """The channels of `codes`; CHANNEL_NOT_FOUND (400) names the first unknown one (text no
    column can hold is never sent to the database: PostgreSQL refuses NUL)."""
    storable = [code for code in codes if text_storable(code)]
    found = {c.code: c for c in Channel.objects.filter(code__in=storable)}
    if missing := [code for code in codes if code not in found]:
        raise InvalidInput(
            _("Unknown channel: %(code)s") % {"code": missing[0][:50]},
            code="CHANNEL_NOT_FOUND",
            errors={"channels": [code[:50] for code in missing[:20]]},
        )
    return [found[code] for code in dict.fromkeys(codes)]


# --- warehouses ---------------------------------------------------------------------------


@admin_router.get(
    "warehouses",
    response=WarehouseListOut,
    summary="All warehouses",
    description="By priority (allocated from first), then id. `active` filters. Errors: "
    "400 `INVALID_PAGINATION`. " + ACCESS % "view_warehouse",
)
def admin_list_warehouses(
    request: HttpRequest,
    active: bool | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "inventory.view_warehouse")
    page_req = page_request(page, page_size)
    rows, count = reads.warehouse_admin_list(page=page_req, active=active)
    return paginated(request, page_req, count, [warehouse_out(w) for w in rows])


@admin_router.post(
    "warehouses",
    response={201: WarehouseOut},
    summary="Create a warehouse",
    description=f"Recorded in the warehouse's history. Errors: {WAREHOUSE_ERRORS} "
    + ACCESS % "add_warehouse",
)
def admin_create_warehouse(request: HttpRequest, payload: WarehouseIn) -> Status[dict[str, Any]]:
    user = staff(request, "inventory.add_warehouse")
    data = payload.model_dump()
    data["channels"] = _channels(data["channels"])
    warehouse = services.warehouse_create(**data, actor=user)
    return Status(201, warehouse_out(reads.warehouse_by_code(code=warehouse.code)))


@admin_router.get(
    "warehouses/{code}",
    response=WarehouseOut,
    summary="A warehouse",
    description="Errors: 404 `WAREHOUSE_NOT_FOUND`. " + ACCESS % "view_warehouse",
)
def admin_get_warehouse(request: HttpRequest, code: str) -> dict[str, Any]:
    staff(request, "inventory.view_warehouse")
    return warehouse_out(reads.warehouse_by_code(code=code))


@admin_router.patch(
    "warehouses/{code}",
    response=WarehouseOut,
    summary="Change a warehouse",
    description="Only the fields sent change; `channels` replaces the list; "
    "`external_ref: null` removes it. A warehouse is never deleted: deactivate it "
    "(`is_active: false`), it then receives nothing and is never allocated from. Errors: "
    f"404 `WAREHOUSE_NOT_FOUND`, {WAREHOUSE_ERRORS} " + ACCESS % "change_warehouse",
)
def admin_update_warehouse(
    request: HttpRequest, code: str, payload: WarehousePatch
) -> dict[str, Any]:
    user = staff(request, "inventory.change_warehouse")
    warehouse = reads.warehouse_by_code(code=code)
    changes = patch_changes(payload, nullable=frozenset({"external_ref"}))
    if "channels" in changes:
        changes["channels"] = _channels(changes["channels"])
    updated = services.warehouse_update(warehouse=warehouse, **changes, actor=user)
    return warehouse_out(reads.warehouse_by_code(code=updated.code))


# --- stock --------------------------------------------------------------------------------


@admin_router.get(
    "stock",
    response=StockListOut,
    summary="Stock levels",
    description="One row per (warehouse, SKU), by SKU then warehouse priority: `quantity` "
    "on hand, `allocated` (orders and open checkouts), `free`. Filters: `warehouse` "
    "(code), `sku`, `low=true` (free stock at or below the row's threshold). Errors: 400 "
    "`INVALID_PAGINATION`, `INVALID_TEXT`. " + ACCESS % "view_stock",
)
def admin_list_stock(request: HttpRequest, filters: Query[StockQuery]) -> dict[str, Any]:
    staff(request, "inventory.view_stock")
    page_req = page_request(filters.page, filters.page_size)
    rows, count = reads.stock_admin_list(
        page=page_req, warehouse=filters.warehouse, sku=filters.sku, low=filters.low
    )
    return paginated(request, page_req, count, [stock_out(s) for s in rows])


@admin_router.get(
    "stock/{int:stock_id}",
    response=StockOut,
    summary="A stock row",
    description="Errors: 404 `STOCK_NOT_FOUND`. " + ACCESS % "view_stock",
)
def admin_get_stock(request: HttpRequest, stock_id: int) -> dict[str, Any]:
    staff(request, "inventory.view_stock")
    return stock_out(reads.stock_get(stock_id=stock_id))


@admin_router.patch(
    "stock/{int:stock_id}",
    response=StockOut,
    summary="Set the low stock threshold of a stock row",
    description="`low_stock_threshold`: 0 to 2,000,000,000, or null for none. Quantities "
    "change only through receive, adjust, transfer and import. Errors: 404 "
    "`STOCK_NOT_FOUND`; 422 `VALIDATION_ERROR`. " + ACCESS % "change_stock",
)
def admin_update_stock(request: HttpRequest, stock_id: int, payload: StockPatch) -> dict[str, Any]:
    user = staff(request, "inventory.change_stock")
    stock = reads.stock_get(stock_id=stock_id)
    if "low_stock_threshold" in payload.model_fields_set:
        services.stock_threshold_set(stock=stock, threshold=payload.low_stock_threshold, actor=user)
    return _fresh(stock)


@admin_router.post(
    "stock/receive",
    response=StockOut,
    summary="Receive stock",
    description="Adds `quantity` units of `sku` to the warehouse (an active one), with a "
    "`receipt` movement recording the caller. Errors: 409 `WAREHOUSE_INACTIVE`; "
    + REFERENCES
    + " "
    + ACCESS % "change_stock",
)
def admin_receive_stock(request: HttpRequest, payload: ReceiveIn) -> dict[str, Any]:
    user = staff(request, "inventory.change_stock")
    stock = services.stock_receive(
        warehouse=_warehouse_ref(payload.warehouse, "warehouse"),
        variant=_variant_ref(payload.sku),
        quantity=payload.quantity,
        reference=payload.reference,
        note=payload.note,
        actor=user,
    )
    return _fresh(stock)


@admin_router.post(
    "stock/adjust",
    response=StockOut,
    summary="Correct stock after a count",
    description="Give `counted` (the units found) or `delta` (signed), not both, and the "
    "reason in `note`: one `adjustment` movement recording the caller (none when the count "
    "matches). A missing stock row is created in an active warehouse. Errors: 400 "
    "`INVALID_ADJUSTMENT`; 409 `STOCK_ALLOCATED` (below the allocated units), "
    "`INSUFFICIENT_STOCK` (below zero), `WAREHOUSE_INACTIVE`; "
    + REFERENCES
    + " "
    + ACCESS % "change_stock",
)
def admin_adjust_stock(request: HttpRequest, payload: AdjustIn) -> dict[str, Any]:
    user = staff(request, "inventory.change_stock")
    stock = services.stock_adjust_at(
        warehouse=_warehouse_ref(payload.warehouse, "warehouse"),
        variant=_variant_ref(payload.sku),
        counted=payload.counted,
        delta=payload.delta,
        note=payload.note,
        reference=payload.reference,
        actor=user,
    )
    return _fresh(stock)


@admin_router.post(
    "stock/transfer",
    response=TransferOut,
    summary="Move stock between warehouses",
    description="Moves `quantity` free units of `sku` from `source` to an active "
    "`destination`: a `transfer_out` and a `transfer_in` movement sharing `reference`. "
    "Errors: 400 `SAME_WAREHOUSE`; 409 `INSUFFICIENT_STOCK`, `WAREHOUSE_INACTIVE`; "
    + REFERENCES
    + " "
    + ACCESS % "change_stock",
)
def admin_transfer_stock(request: HttpRequest, payload: TransferIn) -> dict[str, Any]:
    user = staff(request, "inventory.change_stock")
    reference = payload.reference or f"transfer-{uuid.uuid4().hex}"
    source, destination = services.stock_transfer(
        variant=_variant_ref(payload.sku),
        source=_warehouse_ref(payload.source, "source"),
        destination=_warehouse_ref(payload.destination, "destination"),
        quantity=payload.quantity,
        reference=reference,
        note=payload.note,
        actor=user,
    )
    return {"reference": reference, "source": _fresh(source), "destination": _fresh(destination)}


# --- CSV ----------------------------------------------------------------------------------


@admin_router.post(
    "stock/import",
    response=StockImportOut,
    summary="Import stock levels from CSV",
    description="The CSV as the request body (`text/csv`) or as the `file` field of a "
    "multipart/form-data body. Header `sku,warehouse,quantity,mode,note` (`note` "
    "optional); `warehouse` is a code; `mode` is `set` (units counted: an adjustment of "
    "the difference) or `add` (units received: a receipt). UTF-8, `,` or `;`. All or "
    'nothing: 400 `INVALID_CSV` with `errors` {"row <n>": [reasons]} (n: line in the '
    "file, header = 1) for unknown SKU or warehouse, bad quantity or mode, a pair given "
    "twice, a count below the allocated units, an inactive warehouse receiving; 413 "
    "`CSV_TOO_LARGE` over 2 MB or 10,000 rows. Every movement records the caller and "
    "shares the returned `reference`. " + ACCESS % "change_stock",
    openapi_extra=OPENAPI_REQUEST_BODY,
)
def admin_import_stock(request: HttpRequest) -> dict[str, Any]:
    user = staff(request, "inventory.change_stock")
    result = services.stock_import_csv(
        data=request_csv(request, max_bytes=CSV_MAX_BYTES), actor=user
    )
    return {
        "rows": result.rows,
        "received": result.received,
        "adjusted": result.adjusted,
        "unchanged": result.unchanged,
        "reference": result.reference,
    }


# --- ledger and reservations --------------------------------------------------------------


@admin_router.get(
    "stock/movements",
    response=MovementListOut,
    summary="The stock ledger",
    description="Every change of on-hand quantity, newest first, with who made it. "
    "Filters: `warehouse` (code), `sku`, `kind` (receipt, adjustment, sale, return, "
    "transfer_in, transfer_out). Errors: 400 `INVALID_INPUT` (unknown kind), "
    "`INVALID_PAGINATION`, `INVALID_TEXT`. " + ACCESS % "view_stockmovement",
)
def admin_list_movements(request: HttpRequest, filters: Query[MovementQuery]) -> dict[str, Any]:
    staff(request, "inventory.view_stockmovement")
    page_req = page_request(filters.page, filters.page_size)
    rows, count = reads.movement_admin_list(
        page=page_req, warehouse=filters.warehouse, sku=filters.sku, kind=filters.kind
    )
    return paginated(request, page_req, count, [movement_out(m) for m in rows])


@admin_router.get(
    "stock/reservations",
    response=ReservationListOut,
    summary="Stock held by open checkouts",
    description="Soonest expiry first. Filters: `token` (checkout), `warehouse` (code), "
    "`sku`, `expired=true` (past their expiry, not released yet by the worker). Errors: "
    "400 `INVALID_PAGINATION`, `INVALID_TEXT`. " + ACCESS % "view_reservation",
)
def admin_list_reservations(
    request: HttpRequest, filters: Query[ReservationQuery]
) -> dict[str, Any]:
    staff(request, "inventory.view_reservation")
    page_req = page_request(filters.page, filters.page_size)
    now = timezone.now()
    rows, count = reads.reservation_admin_list(
        page=page_req,
        token=filters.token,
        warehouse=filters.warehouse,
        sku=filters.sku,
        expired=filters.expired,
        now=now,
    )
    return paginated(request, page_req, count, [reservation_out(r, now=now) for r in rows])
