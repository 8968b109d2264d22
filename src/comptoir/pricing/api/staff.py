"""Staff and integration endpoints for price lists under /api/v1/admin/: the lists, their
entries (unit price, quantity rules, volume tiers) and CSV import/export. Every write goes
through comptoir.pricing.services with the caller as `actor`, so it shows in the price
list's history in the admin."""

from __future__ import annotations

from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.companies.selectors import company_get, customer_group_by_code
from comptoir.core.csv_files import OPENAPI_REQUEST_BODY, request_csv
from comptoir.core.errors import NotFound
from comptoir.core.money import Money
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    staff,
)
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry
from comptoir.pricing.schemas import (
    PriceImportOut,
    PriceListEntryIn,
    PriceListEntryListOut,
    PriceListEntryOut,
    PriceListIn,
    PriceListListOut,
    PriceListOut,
    PriceListPatch,
)
from comptoir.pricing.selectors import staff as reads
from comptoir.pricing.services.csv_io import MAX_BYTES as CSV_MAX_BYTES

admin_router = Router(tags=["admin: pricing"], auth=session_or_bearer)

NULLABLE: Final = frozenset(
    {"company", "customer_group", "valid_from", "valid_until", "external_ref"}
)
LIST_ERRORS: Final = (
    "400 `CURRENCY_MISMATCH` (the list's currency is not its channel's), "
    "`INVALID_PRICE_LIST` (both a company and a customer group), `INVALID_DATES` "
    "(valid_until not after valid_from), `CHANNEL_NOT_FOUND`, `COMPANY_NOT_FOUND`, "
    "`GROUP_NOT_FOUND`, `INVALID_TEXT`, `INVALID_INPUT`; 409 "
    "`PRICE_LIST_CODE_TAKEN`, `EXTERNAL_REF_TAKEN`; 422 `VALIDATION_ERROR`."
)
ENTRY_ERRORS: Final = (
    "400 `INVALID_PRICE` (zero, negative, more than 2 decimals), `QUANTITY_RULE` (minimum "
    "or increment below 1, maximum below minimum, minimum or maximum not a multiple of the "
    "increment), `OVERLAPPING_TIERS` (two tiers from the same quantity), `INVALID_TIER` "
    "(a tier from below 2, at or below the minimum, above the maximum, or whose price is not "
    "lower than the unit price and the previous tier's), `UNKNOWN_SKU`."
)
ACCESS: Final = " 401 anonymous; 403 not staff or missing `pricing.%s_pricelist`."


def price_list_out(price_list: PriceList) -> dict[str, Any]:
    company = price_list.company
    group = price_list.customer_group
    return {
        "code": price_list.code,
        "name": price_list.name,
        "channel": price_list.channel.code,
        "currency": price_list.currency,
        "company": price_list.company_id,
        "company_name": None if company is None else company.legal_name,
        "customer_group": None if group is None else group.code,
        "valid_from": price_list.valid_from,
        "valid_until": price_list.valid_until,
        "is_active": price_list.is_active,
        "allows_promotions": price_list.allows_promotions,
        "priority": price_list.priority,
        "external_ref": price_list.external_ref,
        "metadata": price_list.metadata,
        "entry_count": _entry_count(price_list),
        "created_at": price_list.created_at,
        "updated_at": price_list.updated_at,
    }


def _entry_count(price_list: PriceList) -> int:
    count = getattr(price_list, "entry_count", None)  # annotated by the selectors
    return price_list.entries.count() if count is None else int(count)


def entry_out(entry: PriceListEntry, *, currency: str) -> dict[str, Any]:
    return {
        "sku": entry.variant.sku,
        "variant_id": entry.variant_id,
        "product": str(entry.variant.product),
        "unit_price": Money(entry.unit_price, currency).as_str(),
        "currency": currency,
        "min_quantity": entry.min_quantity,
        "max_quantity": entry.max_quantity,
        "increment": entry.increment,
        "tiers": [
            {"min_quantity": t.min_quantity, "unit_price": Money(t.unit_price, currency).as_str()}
            for t in sorted(entry.tiers.all(), key=lambda t: t.min_quantity)
        ],
    }


def _references(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the channel code, company id and customer group code of a body with the
    objects; an unknown one is bad input (400 with its NOT_FOUND code)."""
    lookups = (
        ("channel", lambda v: reads.channel_by_code(code=v)),
        ("company", lambda v: company_get(company_id=v)),
        ("customer_group", lambda v: customer_group_by_code(code=v)),
    )
    for field, lookup in lookups:
        if data.get(field) is not None:
            try:
                data[field] = lookup(data[field])
            except NotFound as exc:
                raise as_bad_reference(exc, field) from None
    return data


# --- price lists --------------------------------------------------------------------------


@admin_router.get(
    "price-lists",
    response=PriceListListOut,
    summary="Price lists",
    description="Every price list, active or not, ordered by code; filtered by `channel` "
    "(code), `company` (id), `customer_group` (code) and `search` (code, name, external "
    "reference). 400 `INVALID_PAGINATION`." + ACCESS % "view",
)
def admin_list_price_lists(
    request: HttpRequest,
    *,
    channel: str | None = Query(None),
    company: int | None = Query(None),
    customer_group: str | None = Query(None),
    search: str | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "pricing.view_pricelist")
    page_req = page_request(page, page_size)
    rows, count = reads.price_list_admin_list(
        page=page_req,
        channel=channel,
        company=company,
        customer_group=customer_group,
        search=search,
    )
    return paginated(request, page_req, count, [price_list_out(p) for p in rows])


@admin_router.post(
    "price-lists",
    response={201: PriceListOut},
    summary="Create a price list",
    description="A price list in a channel and its currency, for a company (contract), a "
    "customer group, or no one yet. " + LIST_ERRORS + ACCESS % "add",
)
def admin_create_price_list(request: HttpRequest, payload: PriceListIn) -> Status[dict[str, Any]]:
    user = staff(request, "pricing.add_pricelist")
    price_list = services.price_list_create(**_references(payload.model_dump()), actor=user)
    return Status(201, price_list_out(reads.price_list_by_code(code=price_list.code)))


@admin_router.get(
    "price-lists/{code}",
    response=PriceListOut,
    summary="A price list",
    description="404 `PRICE_LIST_NOT_FOUND`." + ACCESS % "view",
)
def admin_get_price_list(request: HttpRequest, code: str) -> dict[str, Any]:
    staff(request, "pricing.view_pricelist")
    return price_list_out(reads.price_list_by_code(code=code))


@admin_router.patch(
    "price-lists/{code}",
    response=PriceListOut,
    summary="Change a price list",
    description="Only the fields sent change; `company`, `customer_group`, `valid_from`, "
    "`valid_until` and `external_ref` may be null. 404 `PRICE_LIST_NOT_FOUND`; "
    + LIST_ERRORS
    + ACCESS % "change",
)
def admin_update_price_list(
    request: HttpRequest, code: str, payload: PriceListPatch
) -> dict[str, Any]:
    user = staff(request, "pricing.change_pricelist")
    price_list = reads.price_list_by_code(code=code)
    updated = services.price_list_update(
        price_list=price_list, actor=user, **_references(patch_changes(payload, nullable=NULLABLE))
    )
    return price_list_out(reads.price_list_by_code(code=updated.code))


@admin_router.delete(
    "price-lists/{code}",
    response={204: None},
    summary="Delete a price list",
    description="With its entries and tiers. 404 `PRICE_LIST_NOT_FOUND`; 409 "
    "`PRICE_LIST_IN_USE`." + ACCESS % "delete",
)
def admin_delete_price_list(request: HttpRequest, code: str) -> Status[None]:
    user = staff(request, "pricing.delete_pricelist")
    services.price_list_delete(price_list=reads.price_list_by_code(code=code), actor=user)
    return Status(204, None)


# --- entries ------------------------------------------------------------------------------


@admin_router.get(
    "price-lists/{code}/entries",
    response=PriceListEntryListOut,
    summary="The entries of a price list",
    description="Ordered by SKU, with their quantity rules and tiers; `search` is a SKU "
    "prefix. 404 `PRICE_LIST_NOT_FOUND`; 400 `INVALID_PAGINATION`." + ACCESS % "view",
)
def admin_list_entries(
    request: HttpRequest,
    code: str,
    search: str | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "pricing.view_pricelist")
    price_list = reads.price_list_by_code(code=code)
    page_req = page_request(page, page_size)
    rows, count = reads.price_list_entry_list(price_list=price_list, page=page_req, search=search)
    results = [entry_out(e, currency=price_list.currency) for e in rows]
    return paginated(request, page_req, count, results)


@admin_router.put(
    "price-lists/{code}/entries/{sku}",
    response=PriceListEntryOut,
    summary="Set the price of a SKU in a price list",
    description="Creates or replaces the entry: unit price, quantity rules and tiers (the "
    "tiers sent replace the stored ones). 404 `PRICE_LIST_NOT_FOUND`; "
    + ENTRY_ERRORS
    + ACCESS % "change",
)
def admin_set_entry(
    request: HttpRequest, code: str, sku: str, payload: PriceListEntryIn
) -> dict[str, Any]:
    user = staff(request, "pricing.change_pricelist")
    price_list = reads.price_list_by_code(code=code)
    entry = services.price_list_entry_set(
        price_list=price_list,
        sku=sku,
        unit_price=payload.unit_price,
        min_quantity=payload.min_quantity,
        max_quantity=payload.max_quantity,
        increment=payload.increment,
        tiers=[(t.min_quantity, t.unit_price) for t in payload.tiers],
        actor=user,
    )
    return entry_out(entry, currency=price_list.currency)


@admin_router.delete(
    "price-lists/{code}/entries/{sku}",
    response={204: None},
    summary="Remove a SKU from a price list",
    description="404 `PRICE_LIST_NOT_FOUND`, `PRICE_LIST_ENTRY_NOT_FOUND`." + ACCESS % "change",
)
def admin_delete_entry(request: HttpRequest, code: str, sku: str) -> Status[None]:
    user = staff(request, "pricing.change_pricelist")
    price_list = reads.price_list_by_code(code=code)
    entry = reads.price_list_entry_by_sku(price_list=price_list, sku=sku)
    services.price_list_entry_delete(entry=entry, actor=user)
    return Status(204, None)


# --- CSV ----------------------------------------------------------------------------------

CSV_FORMAT: Final = (
    "Header `sku,unit_price,min_quantity,max_quantity,increment,tier_quantities,tier_prices` "
    "(only `sku` and `unit_price` required); tiers as `10|50` and `9.50|9.00`; UTF-8 with or "
    "without BOM; `,` or `;` delimiter (with `;`, a decimal comma is accepted)."
)


@admin_router.post(
    "price-lists/{code}/import",
    response=PriceImportOut,
    summary="Import a price list's entries from CSV",
    description="The CSV as the request body (`text/csv`) or as the `file` field of a "
    "multipart/form-data body. "
    + CSV_FORMAT
    + " Entries are upserted by SKU with their tiers replaced; `replace=true` also deletes "
    "the entries whose SKU is not in the file. Every row is checked first: one bad row and "
    "nothing is imported. Returns the counts. 400 `INVALID_CSV` with `errors` "
    '{"line <n>": [reasons]} for every bad line (unknown SKU, bad price, quantity rule, '
    "overlapping or invalid tiers, repeated SKU), a file that is not UTF-8, a bad header; "
    "413 `CSV_TOO_LARGE` (over 5 MB or 100,000 rows); 404 `PRICE_LIST_NOT_FOUND`."
    + ACCESS
    % "change",
    openapi_extra=OPENAPI_REQUEST_BODY,
)
def admin_import_entries(
    request: HttpRequest, code: str, replace: bool = Query(False)
) -> dict[str, Any]:
    user = staff(request, "pricing.change_pricelist")
    price_list = reads.price_list_by_code(code=code)
    result = services.price_list_import_csv(
        price_list=price_list,
        data=request_csv(request, max_bytes=CSV_MAX_BYTES),
        replace=replace,
        actor=user,
    )
    return {
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "unchanged": result.unchanged,
    }


@admin_router.get(
    "price-lists/{code}/export",
    response={200: None},
    summary="Export a price list's entries as CSV",
    description="A `text/csv` download in the format the import reads: "
    + CSV_FORMAT
    + " 404 `PRICE_LIST_NOT_FOUND`."
    + ACCESS % "view",
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSV file.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def admin_export_entries(request: HttpRequest, code: str) -> HttpResponse:
    staff(request, "pricing.view_pricelist")
    price_list = reads.price_list_by_code(code=code)
    response = HttpResponse(
        services.price_list_export_csv(price_list=price_list),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{price_list.code}.csv"'
    return response
