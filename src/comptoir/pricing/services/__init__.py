"""Price list writes (the staff side of pricing). Every function is keyword-only and
atomic, raises comptoir.core.errors with a stable code and changes nothing when it does,
and records what it changed in the price list's admin history (LogEntry) when given the
acting user as `actor`. Import from here: `from comptoir.pricing import services`."""

from comptoir.pricing.services._common import UNSET, Unset
from comptoir.pricing.services.csv_io import (
    COLUMNS,
    ImportResult,
    price_list_export_csv,
    price_list_export_rows,
    price_list_import_csv,
)
from comptoir.pricing.services.entries import (
    EntryRules,
    entry_check,
    price_list_entry_delete,
    price_list_entry_set,
    price_parse,
    variant_by_sku,
)
from comptoir.pricing.services.price_lists import (
    price_list_check,
    price_list_create,
    price_list_delete,
    price_list_update,
)

__all__ = [
    "COLUMNS",
    "UNSET",
    "EntryRules",
    "ImportResult",
    "Unset",
    "entry_check",
    "price_list_check",
    "price_list_create",
    "price_list_delete",
    "price_list_entry_delete",
    "price_list_entry_set",
    "price_list_export_csv",
    "price_list_export_rows",
    "price_list_import_csv",
    "price_list_update",
    "price_parse",
    "variant_by_sku",
]
