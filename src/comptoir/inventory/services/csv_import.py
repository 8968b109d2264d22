"""CSV import of stock levels.

The format (a header first; `note` is optional):

    sku,warehouse,quantity,mode,note
    PERC-18V,lyon,40,set,inventaire annuel
    VIS-4X40,paris,500,add,BL 2231

`mode` is `set` (the units counted: an `adjustment` movement of the difference, none when
it matches) or `add` (units received: a `receipt` movement). `warehouse` is the
warehouse's code. UTF-8 with or without BOM, `,` or `;` delimiter.

All or nothing: every row is checked (unknown SKU or warehouse, bad quantity or mode, a
(sku, warehouse) pair given twice, a count below the allocated units, an inactive
warehouse receiving) and if any is bad nothing is imported; the error lists every bad row
as "row <n>" (n is the line number in the file, the header being row 1). Every movement
of one import shares the reference `import-<id>` and has the importer as actor.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from itertools import batched
from typing import Final

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.core import csv_files
from comptoir.core.errors import InvalidInput
from comptoir.core.text import text_storable
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from comptoir.inventory.services._common import MAX_ON_HAND, MAX_QUANTITY
from comptoir.inventory.services.allocation import _per_row

COLUMNS: Final = ("sku", "warehouse", "quantity", "mode", "note")
REQUIRED: Final = ("sku", "warehouse", "quantity", "mode")
MODES: Final = ("set", "add")
MAX_BYTES: Final = 2 * 1024 * 1024
MAX_ROWS: Final = 10_000
MAX_NOTE: Final = 1_000
# Rows listed in an INVALID_CSV error; a file with more bad rows says how many more.
MAX_ROW_ERRORS: Final = 1_000
BATCH: Final = 1_000


@dataclass(frozen=True, slots=True)
class StockImportResult:
    rows: int
    received: int  # rows with mode "add"
    adjusted: int  # "set" rows that changed the quantity
    unchanged: int  # "set" rows equal to the quantity on hand
    reference: str  # shared by the movements of this import


@dataclass(frozen=True, slots=True)
class _Row:
    row: int
    sku: str
    warehouse: str
    quantity: int
    mode: str
    note: str


def _header(cells: list[str]) -> dict[str, int]:
    return csv_files.header(cells, columns=COLUMNS, required=REQUIRED, key="row 1")


def _parse(cells: list[str], columns: dict[str, int], row: int) -> _Row:
    """One data row checked on its own; ValueError with the reason."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    sku, warehouse, mode, note = cell("sku"), cell("warehouse"), cell("mode").lower(), cell("note")
    if not sku:
        raise ValueError(_("The SKU is missing."))
    if not warehouse:
        raise ValueError(_("The warehouse is missing."))
    if mode not in MODES:
        raise ValueError(_("The mode must be “set” or “add”, not “%(v)s”.") % {"v": mode[:20]})
    text = cell("quantity")
    # ASCII digits only: no sign, no decimals, no "²" (str.isdigit() accepts it).
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError(_("The quantity is not a whole number: “%(v)s”.") % {"v": text[:30]})
    quantity = int(text)
    low, high = (0, MAX_ON_HAND) if mode == "set" else (1, MAX_QUANTITY)
    if not low <= quantity <= high:
        raise ValueError(
            _("The quantity must be between %(low)d and %(high)d.") % {"low": low, "high": high}
        )
    if len(note) > MAX_NOTE or not all(text_storable(v) for v in (sku, warehouse, note)):
        raise ValueError(_("The note is too long or a cell holds characters not allowed."))
    return _Row(row, sku, warehouse, quantity, mode, note)


def _read(text: str) -> tuple[list[_Row], dict[int, list[str]]]:
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=csv_files.delimiter(text), strict=True
    )
    rows: list[_Row] = []
    errors: dict[int, list[str]] = {}
    columns: dict[str, int] | None = None
    seen: dict[tuple[str, str], int] = {}
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise csv_files.too_large(
                    _("The file has more than %(n)s rows: split it.") % {"n": f"{MAX_ROWS:,}"}
                )
            line = reader.line_num
            width = max(columns.values()) + 1
            if any(c.strip() for c in cells[width:]):
                errors[line] = [
                    _("%(n)s cells where the header has %(columns)s.")
                    % {"n": len(cells), "columns": width}
                ]
                continue
            try:
                parsed = _parse(cells, columns, line)
            except ValueError as exc:
                errors[line] = [str(exc)]
                continue
            pair = (parsed.sku, parsed.warehouse)
            if pair in seen:
                errors[line] = [
                    _("%(sku)s in %(warehouse)s is already on row %(row)s.")
                    % {
                        "sku": parsed.sku[:64],
                        "warehouse": parsed.warehouse[:50],
                        "row": seen[pair],
                    }
                ]
                continue
            seen[pair] = line
            rows.append(parsed)
    except csv.Error as exc:
        message = _("Unreadable CSV at row %(row)s: %(reason)s") % {
            "row": reader.line_num,
            "reason": str(exc),
        }
        raise csv_files.invalid_csv(message, {f"row {reader.line_num}": [message]}) from None
    if columns is None:
        raise csv_files.empty_file(COLUMNS)
    return rows, errors


def _refuse(errors: dict[int, list[str]]) -> InvalidInput:
    ordered = sorted(errors.items())
    shown = {f"row {row}": messages for row, messages in ordered[:MAX_ROW_ERRORS]}
    if len(ordered) > MAX_ROW_ERRORS:
        shown["more"] = [
            _("%(n)s more bad rows not listed.") % {"n": len(ordered) - MAX_ROW_ERRORS}
        ]
    first_row, first_messages = ordered[0]
    detail = ngettext(
        "%(n)s bad row; nothing was imported. Row %(row)s: %(reason)s",
        "%(n)s bad rows; nothing was imported. First, row %(row)s: %(reason)s",
        len(ordered),
    ) % {"n": len(ordered), "row": first_row, "reason": first_messages[0]}
    return csv_files.invalid_csv(detail, shown)


def _references(
    rows: list[_Row], errors: dict[int, list[str]]
) -> tuple[dict[str, int], dict[str, Warehouse]]:
    """SKU -> variant id and code -> warehouse for the rows; unknown ones are row errors."""
    variants: dict[str, int] = {}
    for chunk in batched(sorted({row.sku for row in rows}), BATCH):
        variants.update(ProductVariant.objects.filter(sku__in=chunk).values_list("sku", "pk"))
    warehouses = {
        w.code: w for w in Warehouse.objects.filter(code__in={row.warehouse for row in rows})
    }
    for row in rows:
        if row.sku not in variants:
            errors.setdefault(row.row, []).append(
                _("Unknown SKU: %(sku)s.") % {"sku": row.sku[:64]}
            )
        if row.warehouse not in warehouses:
            errors.setdefault(row.row, []).append(
                _("Unknown warehouse: %(code)s.") % {"code": row.warehouse[:50]}
            )
    return variants, warehouses


def _stocks(
    rows: list[_Row], variants: dict[str, int], warehouses: dict[str, Warehouse]
) -> dict[tuple[int, int], Stock]:
    """(warehouse id, variant id) -> the stock row, locked in primary-key order. Missing
    rows are created first where something will be written to them (an active warehouse,
    and not a count of 0)."""
    pairs = {(warehouses[r.warehouse].pk, variants[r.sku]) for r in rows}
    existing: dict[tuple[int, int], int] = {}
    variant_ids = sorted({v for _w, v in pairs})
    for chunk in batched(variant_ids, BATCH):
        for pk, warehouse_id, variant_id in Stock.objects.filter(variant_id__in=chunk).values_list(
            "pk", "warehouse_id", "variant_id"
        ):
            existing[(warehouse_id, variant_id)] = pk
    missing = [
        Stock(warehouse_id=warehouses[r.warehouse].pk, variant_id=variants[r.sku])
        for r in rows
        if (warehouses[r.warehouse].pk, variants[r.sku]) not in existing
        and warehouses[r.warehouse].is_active
        and not (r.mode == "set" and r.quantity == 0)
    ]
    if missing:
        Stock.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
        for chunk in batched(variant_ids, BATCH):
            for pk, warehouse_id, variant_id in Stock.objects.filter(
                variant_id__in=chunk
            ).values_list("pk", "warehouse_id", "variant_id"):
                existing[(warehouse_id, variant_id)] = pk
    wanted = {pk for pair, pk in existing.items() if pair in pairs}
    return {(s.warehouse_id, s.variant_id): s for s in stocks_for_update(wanted)}


def _change(row: _Row, warehouse: Warehouse, stock: Stock | None) -> tuple[int, MovementKind]:
    """The signed change a checked row makes to its LOCKED stock row (0: none) and the
    movement's kind; ValueError with the reason when the row cannot be applied."""
    if stock is None:  # not created: an inactive warehouse, or a count of 0
        if row.mode == "set" and row.quantity == 0:
            return 0, MovementKind.ADJUSTMENT
        raise ValueError(_("Warehouse %(code)s is not active.") % {"code": warehouse.code})
    if row.mode == "add":
        if not warehouse.is_active:
            raise ValueError(_("Warehouse %(code)s is not active.") % {"code": warehouse.code})
        change, kind = row.quantity, MovementKind.RECEIPT
    else:
        change, kind = row.quantity - stock.quantity, MovementKind.ADJUSTMENT
    target = stock.quantity + change
    if target > MAX_ON_HAND:
        raise ValueError(_("On-hand quantity cannot exceed %(max)d.") % {"max": MAX_ON_HAND})
    if target < stock.quantity_allocated:
        raise ValueError(
            _("%(n)d units are allocated to orders; on hand cannot go below that.")
            % {"n": stock.quantity_allocated}
        )
    return change, kind


@transaction.atomic
def stock_import_csv(*, data: bytes | str, actor: User | None = None) -> StockImportResult:
    """Import stock levels from CSV (see the module's docstring for the format). 400
    INVALID_CSV with `errors` {"row <n>": [reasons]} and nothing changed when any row is
    bad, the file is not UTF-8 text, is empty or has a bad header; 413 CSV_TOO_LARGE over
    2 MB or 10,000 rows. Stock rows are locked in primary-key order, all at once."""
    rows, errors = _read(csv_files.decode(data, max_bytes=MAX_BYTES))
    variants, warehouses = _references(rows, errors)
    if errors:
        raise _refuse(errors)
    stocks = _stocks(rows, variants, warehouses)
    reference = f"import-{uuid.uuid4().hex[:16]}"
    movements: list[StockMovement] = []
    counts = {MovementKind.RECEIPT: 0, MovementKind.ADJUSTMENT: 0}
    for row in rows:
        warehouse = warehouses[row.warehouse]
        stock = stocks.get((warehouse.pk, variants[row.sku]))
        try:
            change, kind = _change(row, warehouse, stock)
        except ValueError as exc:
            errors[row.row] = [str(exc)]
            continue
        if change and stock is not None:
            counts[kind] += 1
            movements.append(
                StockMovement(
                    stock=stock,
                    kind=kind,
                    quantity=change,
                    reference=reference,
                    note=row.note,
                    actor=actor,
                )
            )
    if errors:
        raise _refuse(errors)
    # One movement per changed row, so one UPDATE (CASE per row) and one INSERT per BATCH.
    for chunk in batched(movements, BATCH):
        Stock.objects.filter(pk__in=[m.stock_id for m in chunk]).update(
            quantity=F("quantity") + _per_row((m.stock_id, m.quantity) for m in chunk)
        )
    StockMovement.objects.bulk_create(movements, batch_size=BATCH)
    return StockImportResult(
        rows=len(rows),
        received=counts[MovementKind.RECEIPT],
        adjusted=counts[MovementKind.ADJUSTMENT],
        unchanged=len(rows) - len(movements),
        reference=reference,
    )
