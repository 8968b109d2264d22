"""CSV export and import of a price list's entries and volume tiers.

The format (one row per variant, a header first):

    sku,unit_price,min_quantity,max_quantity,increment,tier_quantities,tier_prices
    VIS-4X40,12.50,1,,1,10|50,11.90|10.80
    GANT-T9,4.20,6,600,6,,

Prices use a dot (`12.50`); with a `;` delimiter (Excel in French) a decimal comma
(`12,50`) is accepted too. `max_quantity` empty means no maximum; `min_quantity` and
`increment` empty mean 1. Tiers: quantities and prices separated by `|`, in the same
order. Only `sku` and `unit_price` columns are required. UTF-8 with or without BOM.

The import checks every row before writing anything: one bad row and nothing is imported;
the error lists every bad row by line number. Rows are upserted by SKU (entries created or
replaced with their tiers); with `replace=True`, entries of SKUs absent from the file are
deleted. Writes are bulk statements, a few per thousand rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.core import csv_files
from comptoir.core.errors import InvalidInput
from comptoir.core.money import quantize
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.services._common import audit, price_list_lock
from comptoir.pricing.services.entries import EntryRules, entry_check

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COLUMNS: Final = (
    "sku",
    "unit_price",
    "min_quantity",
    "max_quantity",
    "increment",
    "tier_quantities",
    "tier_prices",
)
REQUIRED: Final = ("sku", "unit_price")
MAX_BYTES: Final = 5 * 1024 * 1024
MAX_ROWS: Final = 100_000
# Lines listed in an INVALID_CSV error; a file with more bad lines says how many more.
MAX_LINE_ERRORS: Final = 1_000
BATCH: Final = 1_000
TIER_SEPARATOR: Final = "|"


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    deleted: int
    unchanged: int


def _money(amount: Decimal, currency: str) -> str:
    return str(quantize(amount, currency))


def price_list_export_rows(*, price_list: PriceList) -> Iterator[list[str]]:
    """The header, then one row per entry ordered by SKU, in the import's format. Reads the
    entries and tiers in two queries per thousand entries."""
    currency = price_list.currency
    yield list(COLUMNS)
    entries = (
        PriceListEntry.objects.filter(price_list=price_list)
        .order_by("variant__sku")
        .values_list(
            "pk", "variant__sku", "unit_price", "min_quantity", "max_quantity", "increment"
        )
    )
    for chunk in batched(entries.iterator(chunk_size=BATCH), BATCH):
        tiers: dict[int, list[tuple[int, Decimal]]] = {}
        for entry_id, quantity, price in (
            PriceTier.objects.filter(entry_id__in=[row[0] for row in chunk])
            .order_by("entry_id", "min_quantity")
            .values_list("entry_id", "min_quantity", "unit_price")
        ):
            tiers.setdefault(entry_id, []).append((quantity, price))
        for pk, sku, unit_price, min_quantity, max_quantity, increment in chunk:
            own = tiers.get(pk, [])
            yield [
                sku,
                _money(unit_price, currency),
                str(min_quantity),
                "" if max_quantity is None else str(max_quantity),
                str(increment),
                TIER_SEPARATOR.join(str(q) for q, _p in own),
                TIER_SEPARATOR.join(_money(p, currency) for _q, p in own),
            ]


def price_list_export_csv(*, price_list: PriceList) -> str:
    """The list's entries as CSV text (comma-separated, CRLF line ends, no BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(price_list_export_rows(price_list=price_list))
    return out.getvalue()


# --- import -------------------------------------------------------------------------------


def _header(cells: list[str]) -> dict[str, int]:
    return csv_files.header(cells, columns=COLUMNS, required=REQUIRED, key="line 1")


# Translated only when a row is refused (a lookup per row would cost more than the check).
TIER_QUANTITY = gettext_lazy("A tier quantity")
MIN_QUANTITY = gettext_lazy("The minimum quantity")
MAX_QUANTITY = gettext_lazy("The maximum quantity")
INCREMENT = gettext_lazy("“Sold by”")


def _whole(value: str, *, default: int | None, label: StrOrPromise) -> int | None:
    text = value.strip()
    if not text:
        return default
    # ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and other
    # scripts' digits ("١٢"), which a spreadsheet never writes for a quantity.
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ValueError(
            _("%(label)s is not a whole number: “%(value)s”.")
            % {"label": label, "value": text[:30]}
        )
    return int(text)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    sku: str
    rules: EntryRules


def _parse_row(
    cells: list[str], columns: dict[str, int], *, currency: str, decimal_comma: bool
) -> tuple[str, EntryRules]:
    """(sku, checked rules) of one data row; raises InvalidInput or ValueError with the
    reason."""

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def price(text: str) -> str:
        return text.replace(",", ".") if decimal_comma and text.count(",") == 1 else text

    sku = cell("sku")
    if not sku:
        raise ValueError(_("The SKU is missing."))
    if not cell("unit_price"):
        raise ValueError(_("The unit price is missing."))
    quantities = [q.strip() for q in cell("tier_quantities").split(TIER_SEPARATOR) if q.strip()]
    prices = [price(p.strip()) for p in cell("tier_prices").split(TIER_SEPARATOR) if p.strip()]
    if len(quantities) != len(prices):
        raise ValueError(
            _("%(q)s tier quantities but %(p)s tier prices: give one price per quantity.")
            % {"q": len(quantities), "p": len(prices)}
        )
    tiers = [
        (_whole(q, default=None, label=TIER_QUANTITY), p)
        for q, p in zip(quantities, prices, strict=True)
    ]
    rules = entry_check(
        currency=currency,
        unit_price=price(cell("unit_price")),
        min_quantity=_whole(cell("min_quantity"), default=1, label=MIN_QUANTITY),
        max_quantity=_whole(cell("max_quantity"), default=None, label=MAX_QUANTITY),
        increment=_whole(cell("increment"), default=1, label=INCREMENT),
        tiers=tiers,
    )
    return sku, rules


def _read_rows(text: str, *, currency: str) -> tuple[list[_Row], dict[str, list[str]]]:
    """Every data row checked on its own: (good rows, {"line <n>": [reasons]})."""
    delimiter = csv_files.delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[_Row] = []
    errors: dict[str, list[str]] = {}
    columns: dict[str, int] | None = None
    seen: dict[str, int] = {}
    count = 0
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            count += 1
            if count > MAX_ROWS:
                raise csv_files.too_large(
                    _("The file has more than %(n)s rows: split it.") % {"n": f"{MAX_ROWS:,}"}
                )
            line = reader.line_num
            width = max(columns.values()) + 1
            # Trailing empty cells (spreadsheets add them) are fine; more values are not.
            if any(c.strip() for c in cells[width:]):
                errors[f"line {line}"] = [
                    _("%(n)s cells where the header has %(columns)s.")
                    % {"n": len(cells), "columns": width}
                ]
                continue
            try:
                sku, rules = _parse_row(
                    cells, columns, currency=currency, decimal_comma=delimiter == ";"
                )
            except InvalidInput as exc:
                errors[f"line {line}"] = [m for ms in exc.errors.values() for m in ms]
                continue
            except ValueError as exc:
                errors[f"line {line}"] = [str(exc)]
                continue
            if sku in seen:
                errors[f"line {line}"] = [
                    _("The SKU %(sku)s is already on line %(line)s.")
                    % {"sku": sku[:64], "line": seen[sku]}
                ]
                continue
            seen[sku] = line
            rows.append(_Row(line=line, sku=sku, rules=rules))
    except csv.Error as exc:
        message = _("Unreadable CSV at line %(line)s: %(reason)s") % {
            "line": reader.line_num,
            "reason": str(exc),
        }
        raise csv_files.invalid_csv(
            message, {**errors, f"line {reader.line_num}": [message]}
        ) from None
    if columns is None:
        raise csv_files.empty_file(COLUMNS)
    return rows, errors


def _variants(skus: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in batched(skus, BATCH):
        found.update(ProductVariant.objects.filter(sku__in=chunk).values_list("sku", "pk"))
    return found


def _stored(price_list: PriceList) -> dict[int, tuple[int, EntryRules]]:
    """variant id -> (entry id, rules) for every entry of the list, in two queries."""
    tiers: dict[int, list[tuple[int, Decimal]]] = {}
    for entry_id, quantity, price in (
        PriceTier.objects.filter(entry__price_list=price_list)
        .order_by("entry_id", "min_quantity")
        .values_list("entry_id", "min_quantity", "unit_price")
    ):
        tiers.setdefault(entry_id, []).append((quantity, price))
    return {
        variant_id: (
            pk,
            EntryRules(
                unit_price=unit_price,
                min_quantity=min_quantity,
                max_quantity=max_quantity,
                increment=increment,
                tiers=tuple(tiers.get(pk, ())),
            ),
        )
        for pk, variant_id, unit_price, min_quantity, max_quantity, increment in (
            PriceListEntry.objects.filter(price_list=price_list).values_list(
                "pk", "variant_id", "unit_price", "min_quantity", "max_quantity", "increment"
            )
        )
    }


def _entry(price_list: PriceList, variant_id: int, rules: EntryRules) -> PriceListEntry:
    return PriceListEntry(
        price_list=price_list,
        variant_id=variant_id,
        unit_price=rules.unit_price,
        min_quantity=rules.min_quantity,
        max_quantity=rules.max_quantity,
        increment=rules.increment,
    )


def _update_entries(entries: list[tuple[int, EntryRules]]) -> None:
    """Write the rules of existing entries: one `UPDATE ... FROM (VALUES ...)` per thousand
    (SQLite >= 3.33 and PostgreSQL). Django's bulk_update builds a CASE per field and row,
    which takes seconds for ten thousand rows."""
    opts = PriceListEntry._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    column_of = {field.name: str(field.column) for field in opts.concrete_fields}
    columns = [
        quote(column_of[name])
        for name in ("unit_price", "min_quantity", "max_quantity", "increment")
    ]
    row = "(%s, CAST(%s AS NUMERIC(12, 2)), CAST(%s AS INTEGER), CAST(%s AS INTEGER), CAST(%s AS INTEGER))"
    pk_column = str(opts.pk.column)
    assignments = ", ".join(f"{column} = v.column{i}" for i, column in enumerate(columns, 2))
    with connection.cursor() as cursor:
        for chunk in batched(entries, BATCH):
            values = ", ".join([row] * len(chunk))
            params: list[int | Decimal | None] = []
            for pk, rules in chunk:
                params.extend(
                    (
                        pk,
                        rules.unit_price,
                        rules.min_quantity,
                        rules.max_quantity,
                        rules.increment,
                    )
                )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608 - quoted names, values as parameters
                f"WHERE {table}.{quote(pk_column)} = v.column1",
                params,
            )


def _sku_sample(skus: list[str], limit: int = 20) -> str:
    shown = ", ".join(skus[:limit])
    if len(skus) > limit:
        shown += " " + _("(and %(n)s more)") % {"n": len(skus) - limit}
    return shown


def _summary(created: list[str], updated: list[str], deleted: list[str]) -> str:
    """One line for the list's history: "CSV import: 2 entries created (A, B); ...".

    Plain text is stored as written: always in the shop's base language, whatever the
    language of the request that imported, so that the history reads the same for everyone.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _summary_text(created, updated, deleted)


def _summary_text(created: list[str], updated: list[str], deleted: list[str]) -> str:
    n_created, n_updated, n_deleted = len(created), len(updated), len(deleted)
    parts = [
        ngettext("%(n)s entry created", "%(n)s entries created", n_created) % {"n": n_created},
        ngettext("%(n)s entry changed", "%(n)s entries changed", n_updated) % {"n": n_updated},
        ngettext("%(n)s entry deleted", "%(n)s entries deleted", n_deleted) % {"n": n_deleted},
    ]
    listed = [
        f"{text} ({_sku_sample(skus)})" if skus else text
        for text, skus in zip(parts, (created, updated, deleted), strict=True)
    ]
    return _("CSV import: %(changes)s.") % {"changes": "; ".join(listed)}


def _write(
    price_list: PriceList, rows: list[_Row], variant_ids: dict[str, int], *, replace: bool
) -> tuple[list[str], list[str], list[str]]:
    """Upsert the checked rows in bulk; the SKUs (created, updated, deleted)."""
    stored = _stored(price_list)
    new: list[PriceListEntry] = []
    new_rows: list[_Row] = []
    changed: list[tuple[int, EntryRules]] = []
    changed_tiers: list[tuple[int, EntryRules]] = []
    created_skus: list[str] = []
    updated_skus: list[str] = []
    for row in rows:
        variant_id = variant_ids[row.sku]
        current = stored.get(variant_id)
        if current is None:
            new.append(_entry(price_list, variant_id, row.rules))
            new_rows.append(row)
            created_skus.append(row.sku)
            continue
        pk, before = current
        if before == row.rules:
            continue
        updated_skus.append(row.sku)
        changed.append((pk, row.rules))
        if before.tiers != row.rules.tiers:
            changed_tiers.append((pk, row.rules))

    in_file = {variant_ids[row.sku] for row in rows}
    gone = (
        [pk for variant_id, (pk, _r) in stored.items() if variant_id not in in_file]
        if replace
        else []
    )
    deleted_skus: list[str] = []
    if gone:
        for chunk in batched(gone, BATCH):
            deleted_skus.extend(
                PriceListEntry.objects.filter(pk__in=chunk).values_list("variant__sku", flat=True)
            )
            PriceListEntry.objects.filter(pk__in=chunk).delete()

    if changed:
        _update_entries(changed)
        for chunk in batched([pk for pk, _r in changed_tiers], BATCH):
            PriceTier.objects.filter(entry_id__in=chunk).delete()
    created = PriceListEntry.objects.bulk_create(new, batch_size=BATCH)
    tiers = [
        PriceTier(entry_id=entry.pk, min_quantity=q, unit_price=p)
        for entry, row in zip(created, new_rows, strict=True)
        for q, p in row.rules.tiers
    ]
    tiers.extend(
        PriceTier(entry_id=pk, min_quantity=q, unit_price=p)
        for pk, rules in changed_tiers
        for q, p in rules.tiers
    )
    PriceTier.objects.bulk_create(tiers, batch_size=BATCH)

    return created_skus, updated_skus, sorted(deleted_skus)


@transaction.atomic
def price_list_import_csv(
    *,
    price_list: PriceList,
    data: bytes | str,
    replace: bool = False,
    actor: User | None = None,
) -> ImportResult:
    """Import entries and tiers from CSV (see the module's docstring for the format).

    Every row is checked first; if any is bad, nothing is imported and InvalidInput
    INVALID_CSV is raised with `errors` {"line <n>": [reasons]} for every bad line (the
    first 1,000; "more" counts the others): unknown SKU, bad price, quantity rule, bad or
    overlapping tiers, repeated SKU, wrong number of cells. Also INVALID_CSV for a file that
    is not UTF-8 text, has no header or unknown columns; CSV_TOO_LARGE (413) above 5 MB or
    100,000 rows. Entries are upserted by SKU with their tiers replaced; `replace=True`
    also deletes the entries of SKUs absent from the file. Unchanged entries are not
    written. One line in the list's history (counts and SKUs) when `actor` is given."""
    text = csv_files.decode(data, max_bytes=MAX_BYTES)
    rows, errors = _read_rows(text, currency=price_list.currency)
    variant_ids = _variants([row.sku for row in rows])
    for row in rows:
        if row.sku not in variant_ids:
            errors[f"line {row.line}"] = [_("Unknown SKU: %(sku)s.") % {"sku": row.sku[:64]}]
    if errors:
        ordered = sorted(errors.items(), key=lambda item: int(item[0].removeprefix("line ")))
        shown = dict(ordered[:MAX_LINE_ERRORS])
        if len(ordered) > MAX_LINE_ERRORS:
            shown["more"] = [
                _("%(n)s more bad lines not listed.") % {"n": len(ordered) - MAX_LINE_ERRORS}
            ]
        count = len(ordered)
        first_key, first_messages = ordered[0]
        detail = ngettext(
            "%(n)s bad line; nothing was imported. %(line)s: %(reason)s",
            "%(n)s bad lines; nothing was imported. First, %(line)s: %(reason)s",
            count,
        ) % {"n": count, "line": first_key, "reason": first_messages[0]}
        raise csv_files.invalid_csv(detail, shown)

    price_list_lock(price_list)
    created_skus, updated_skus, deleted_skus = _write(
        price_list, rows, variant_ids, replace=replace
    )
    if created_skus or updated_skus or deleted_skus:
        audit(
            actor=actor,
            price_list=price_list,
            flag=CHANGE,
            message=_summary(created_skus, updated_skus, deleted_skus),
        )
    return ImportResult(
        created=len(created_skus),
        updated=len(updated_skus),
        deleted=len(deleted_skus),
        unchanged=len(rows) - len(created_skus) - len(updated_skus),
    )
