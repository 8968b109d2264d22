"""Staff and integration endpoints of taxes under /api/v1/admin/: tax classes and their
rates per country.

Every handler checks the caller's Django model permission (taxes.*_taxclass,
taxes.*_taxrate), then calls one service (writes) or reads the rows. Rates are strings in
percent with three decimals ("20.000")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.core.errors import NotFound
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    reject_unknown_parameters,
    staff,
)
from comptoir.core.text import text_storable
from comptoir.taxes import services
from comptoir.taxes.models import TaxClass, TaxRate
from comptoir.taxes.schemas import (
    TaxClassIn,
    TaxClassListOut,
    TaxClassOut,
    TaxClassPatch,
    TaxRateIn,
    TaxRateListOut,
    TaxRateOut,
)

admin_router = Router(tags=["admin: taxes"], auth=session_or_bearer)

ACCESS_ERRORS = "401 `UNAUTHORIZED`, 403 `PERMISSION_DENIED`"


# --- access, pages and reads --------------------------------------------------------------


def _page(
    request: HttpRequest,
    rows: QuerySet[Any],
    page: int | None,
    size: int | None,
    out: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    page_req = page_request(page, size)
    count = rows.count()
    results = rows[page_req.offset : page_req.offset + page_req.page_size]
    return paginated(request, page_req, count, [out(row) for row in results])


def _classes() -> QuerySet[TaxClass]:
    return TaxClass.objects.prefetch_related("rates").order_by("position", "id")


def tax_class_by_code(code: str) -> TaxClass:
    """The tax class with `code` and its rates; NotFound(TAX_CLASS_NOT_FOUND)."""
    found = (
        _classes().filter(code=code).first() if len(code) <= 50 and text_storable(code) else None
    )
    if found is None:
        raise NotFound(
            _("Unknown tax class: %(code)s.") % {"code": code[:50]}, code="TAX_CLASS_NOT_FOUND"
        )
    return found


def rate_str(rate: Any) -> str:
    return f"{rate:.3f}"


def tax_class_out(tax_class: TaxClass) -> dict[str, Any]:
    rates = sorted(tax_class.rates.all(), key=lambda r: str(r.country))
    return {
        "code": tax_class.code,
        "name": tax_class.name,
        "name_en": tax_class.name_en,
        "position": tax_class.position,
        "rates": {str(r.country): rate_str(r.rate) for r in rates},
    }


def tax_rate_out(tax_rate: TaxRate) -> dict[str, Any]:
    return {
        "country": str(tax_rate.country),
        "tax_class": tax_rate.tax_class.code,
        "rate": rate_str(tax_rate.rate),
    }


# --- tax classes --------------------------------------------------------------------------


@admin_router.get(
    "tax-classes",
    response=TaxClassListOut,
    summary="All tax classes",
    description="The tax classes in their order, each with its rate per country. Errors: "
    f"{ACCESS_ERRORS}, 400 `INVALID_PAGINATION`.",
)
def admin_list_tax_classes(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "taxes.view_taxclass")
    return _page(request, _classes(), page, page_size, tax_class_out)


@admin_router.post(
    "tax-classes",
    response={201: TaxClassOut},
    summary="Create a tax class",
    description="A class without a rate in a country is taxed there at the country's "
    f"standard rate. Errors: {ACCESS_ERRORS}, 400 `INVALID_TAX_CLASS_CODE`, "
    "409 `TAX_CLASS_CODE_TAKEN`, 400 `INVALID_TEXT`, 400 `INVALID_INPUT`, "
    "422 `VALIDATION_ERROR`.",
)
def admin_create_tax_class(request: HttpRequest, payload: TaxClassIn) -> Status[dict[str, Any]]:
    staff(request, "taxes.add_taxclass")
    tax_class = services.tax_class_create(**payload.model_dump())
    return Status(201, tax_class_out(tax_class_by_code(tax_class.code)))


@admin_router.get(
    "tax-classes/{code}",
    response=TaxClassOut,
    summary="A tax class",
    description=f"Errors: {ACCESS_ERRORS}, 404 `TAX_CLASS_NOT_FOUND`.",
)
def admin_get_tax_class(request: HttpRequest, code: str) -> dict[str, Any]:
    staff(request, "taxes.view_taxclass")
    return tax_class_out(tax_class_by_code(code))


@admin_router.patch(
    "tax-classes/{code}",
    response=TaxClassOut,
    summary="Change a tax class",
    description="Sets the fields given; null is refused. The standard class keeps its code. "
    f"Errors: {ACCESS_ERRORS}, 404 `TAX_CLASS_NOT_FOUND`, 400 `INVALID_TAX_CLASS_CODE`, "
    "409 `TAX_CLASS_CODE_TAKEN`, 409 `TAX_CLASS_REQUIRED`, 400 `INVALID_TEXT`, "
    "400 `INVALID_INPUT`, 422 `VALIDATION_ERROR`.",
)
def admin_update_tax_class(
    request: HttpRequest, code: str, payload: TaxClassPatch
) -> dict[str, Any]:
    staff(request, "taxes.change_taxclass")
    tax_class = tax_class_by_code(code)
    updated = services.tax_class_update(tax_class=tax_class, **patch_changes(payload))
    return tax_class_out(tax_class_by_code(updated.code))


@admin_router.delete(
    "tax-classes/{code}",
    response={204: None},
    summary="Delete a tax class",
    description="Deletes the class and its rates. Errors: "
    f"{ACCESS_ERRORS}, 404 `TAX_CLASS_NOT_FOUND`, 409 `TAX_CLASS_REQUIRED` (the standard "
    "class), 409 `TAX_CLASS_IN_USE` (products or product types name it).",
)
def admin_delete_tax_class(request: HttpRequest, code: str) -> Status[None]:
    staff(request, "taxes.delete_taxclass")
    services.tax_class_delete(tax_class=tax_class_by_code(code))
    return Status(204, None)


# --- tax rates ----------------------------------------------------------------------------


@admin_router.get(
    "tax-rates",
    response=TaxRateListOut,
    summary="Tax rates",
    description="The rates by country, then class order, optionally of one country or one "
    f"class. Errors: {ACCESS_ERRORS}, 400 `INVALID_COUNTRY`, 400 `TAX_CLASS_NOT_FOUND` "
    "(unknown `tax_class`), 400 `INVALID_PAGINATION`, 400 `UNKNOWN_PARAMETER`.",
)
def admin_list_tax_rates(
    request: HttpRequest,
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 code, e.g. FR."),
    tax_class: str | None = Query(None, description="A tax class code."),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "taxes.view_taxrate")
    reject_unknown_parameters(request, {"country", "tax_class", "page", "page_size"})
    rates = TaxRate.objects.select_related("tax_class").order_by(
        "country", "tax_class__position", "tax_class_id"
    )
    if country:
        rates = rates.filter(country=services.tax_country(country))
    if tax_class:
        try:
            rates = rates.filter(tax_class=tax_class_by_code(tax_class))
        except NotFound as exc:
            raise as_bad_reference(exc, "tax_class") from None
    return _page(request, rates, page, page_size, tax_rate_out)


@admin_router.put(
    "tax-rates/{country}/{class_code}",
    response=TaxRateOut,
    summary="Set a tax rate",
    description="Creates or changes the rate of a class in a country (creating needs "
    "taxes.add_taxrate too). Errors: "
    f"{ACCESS_ERRORS}, 404 `TAX_CLASS_NOT_FOUND`, 400 `INVALID_COUNTRY`, "
    "400 `INVALID_TAX_RATE` (not a percentage from 0 to 100 with at most three decimals), "
    "422 `VALIDATION_ERROR`.",
)
def admin_set_tax_rate(
    request: HttpRequest, country: str, class_code: str, payload: TaxRateIn
) -> dict[str, Any]:
    staff(request, "taxes.change_taxrate")
    tax_class = tax_class_by_code(class_code)
    code = services.tax_country(country)
    if not TaxRate.objects.filter(tax_class=tax_class, country=code).exists():
        staff(request, "taxes.add_taxrate")
    tax_rate = services.tax_rate_set(tax_class=tax_class, country=code, rate=payload.rate)
    return tax_rate_out(tax_rate)


@admin_router.delete(
    "tax-rates/{country}/{class_code}",
    response={204: None},
    summary="Remove a tax rate",
    description="The class is then taxed at the country's standard rate there. Errors: "
    f"{ACCESS_ERRORS}, 404 `TAX_CLASS_NOT_FOUND`, 404 `TAX_RATE_NOT_FOUND`, "
    "400 `INVALID_COUNTRY`.",
)
def admin_delete_tax_rate(request: HttpRequest, country: str, class_code: str) -> Status[None]:
    staff(request, "taxes.delete_taxrate")
    tax_class = tax_class_by_code(class_code)
    services.tax_rate_delete(tax_class=tax_class, country=country)
    return Status(204, None)
