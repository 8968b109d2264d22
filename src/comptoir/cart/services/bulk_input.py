"""Quick-order input read into `BulkLine`s: pasted text and CSV files.

Pasted text: one line per SKU, "SKU quantity", separated by spaces, tabs, a comma or a
semicolon (what a spreadsheet's copy gives); a line with a SKU alone orders 1 unit.
Blank lines, lines starting with `#` and a first line "sku quantity" (a header copied
with the cells) are skipped.

CSV: a header `sku,quantity` (names trimmed, case-insensitive; `;` as the delimiter
when the header has semicolons and no comma, as Excel writes in French), UTF-8 with or
without BOM, at most MAX_BYTES and MAX_BULK_LINES data lines; the line numbers are the
file's (the header is line 1). A file that cannot be read as a whole is refused (400
INVALID_CSV, 413 CSV_TOO_LARGE, 400 TOO_MANY_LINES); a bad line is not: it is reported
with its number by the bulk service.

Quantities are ASCII digits ("2"); anything else ("2.5", "-1", "deux") is kept as given
and rejected as INVALID_QUANTITY.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Final

from comptoir.cart.services.bulk import MAX_BULK_LINES, BulkLine, too_many_lines
from comptoir.core import csv_files

MAX_BYTES: Final = 1024 * 1024
COLUMNS: Final = ("sku", "quantity")
_SEPARATORS = re.compile(r"[\s,;]+")
_DIGITS = re.compile(r"[0-9]{1,9}")
_HEADER_NAMES = frozenset({"sku", "quantity", "qty", "quantité", "quantite", "référence"})


def _quantity(text: str) -> int | str:
    """An int for ASCII digits, else the text as given (rejected by the bulk service)."""
    cleaned = text.strip()
    return int(cleaned) if _DIGITS.fullmatch(cleaned) else cleaned


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _count_check(lines: list[BulkLine]) -> None:
    if len(lines) > MAX_BULK_LINES:
        raise too_many_lines()


def lines_from_text(data: bytes | str) -> list[BulkLine]:
    """The lines of pasted text (see the module docstring); 400 TOO_MANY_LINES over
    MAX_BULK_LINES lines, 413 CSV_TOO_LARGE over MAX_BYTES."""
    text = csv_files.decode(data, max_bytes=MAX_BYTES)
    lines: list[BulkLine] = []
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = _SEPARATORS.split(stripped, maxsplit=1)
        if first and {p.strip().lower() for p in _SEPARATORS.split(stripped)} <= _HEADER_NAMES:
            first = False
            continue
        first = False
        sku = parts[0]
        quantity: int | str = 1 if len(parts) == 1 else _quantity(parts[1])
        lines.append(BulkLine(line=number, sku=sku, quantity=quantity, value=stripped))
        _count_check(lines)
    return lines


def lines_from_csv(data: bytes | str) -> list[BulkLine]:
    """The lines of a CSV file (see the module docstring)."""
    text = csv_files.decode(data, max_bytes=MAX_BYTES)
    delimiter = csv_files.delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: dict[str, int] | None = None
    lines: list[BulkLine] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = csv_files.header(cells, columns=COLUMNS, required=COLUMNS, key="line 1")
                continue
            lines.append(
                BulkLine(
                    line=reader.line_num,
                    sku=_cell(cells, columns["sku"]),
                    quantity=_quantity(_cell(cells, columns["quantity"])),
                    value=delimiter.join(c.strip() for c in cells),
                )
            )
            _count_check(lines)
    except csv.Error as exc:
        raise csv_files.unreadable(reader.line_num, exc) from None
    if columns is None:
        raise csv_files.empty_file(COLUMNS)
    return lines
