"""Writes for tax classes and rates. Every change makes the rate table every process keeps
(`selectors.rate_table`) stale once it commits (`taxes_version_bump`).

Error codes: TAX_CLASS_CODE_TAKEN (409), INVALID_TAX_CLASS_CODE (400), TAX_CLASS_REQUIRED
(409: the standard class cannot be deleted or renamed), TAX_CLASS_IN_USE (409: products or
product types name the class), INVALID_TAX_RATE (400), INVALID_COUNTRY (400),
TAX_RATE_NOT_FOUND (404), INVALID_TEXT (400), INVALID_INPUT (400, other field errors).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.validation import UNSET, Unset, text_check, validate
from comptoir.taxes.models import STANDARD, TaxClass, TaxRate
from comptoir.taxes.selectors import taxes_version_bump

MAX_RATE: Final = Decimal(100)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def _taxes_changed() -> None:
    """Bump the taxes version when the current transaction commits (never before: a
    request could otherwise copy the old rates under the new version). Robust: a cache
    error after COMMIT is logged, never a failed request."""
    transaction.on_commit(taxes_version_bump, robust=True)


def _check_code(code: str, *, exclude_pk: int | None = None) -> None:
    """A code is a slug of at most 50 characters, unique among the classes."""
    try:
        if not code or len(code) > 50:
            raise DjangoValidationError("")
        validate_slug(code)
    except DjangoValidationError:
        message = _("Use 1 to 50 letters, digits, hyphens or underscores.")
        raise InvalidInput(
            _("Invalid tax class code."), code="INVALID_TAX_CLASS_CODE", errors={"code": [message]}
        ) from None
    taken = TaxClass.objects.filter(code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(
            _("The tax class code %(code)s is already taken.") % {"code": code},
            code="TAX_CLASS_CODE_TAKEN",
            errors={"code": ["TAX_CLASS_CODE_TAKEN"]},
        )


def tax_country(country: str) -> str:
    """`country` as an ISO 3166-1 alpha-2 code known to django-countries, upper-cased
    ("fr" -> "FR"); InvalidInput(INVALID_COUNTRY) otherwise."""
    code = country.upper() if isinstance(country, str) else ""
    if not _COUNTRY.match(code) or code not in countries:
        raise InvalidInput(
            _("Unknown country: %(country)s.") % {"country": str(country)[:10]},
            code="INVALID_COUNTRY",
            errors={"country": [_("Use an ISO 3166-1 alpha-2 code such as FR.")]},
        )
    return code


def tax_rate_parse(rate: Decimal | str | int) -> Decimal:
    """`rate` as a Decimal percent from 0 to 100 with at most three decimals ("5.5",
    "20.000", 7); InvalidInput(INVALID_TAX_RATE) otherwise."""
    try:
        value = Decimal(rate.strip() if isinstance(rate, str) else rate)
    except (InvalidOperation, TypeError, ValueError):
        value = None
    if (
        isinstance(rate, bool)
        or value is None
        or not value.is_finite()
        or not Decimal(0) <= value <= MAX_RATE
        or (value * 1000) != (value * 1000).to_integral_value()
    ):
        raise InvalidInput(
            _("Invalid tax rate: %(rate)s.") % {"rate": str(rate)[:20]},
            code="INVALID_TAX_RATE",
            errors={"rate": [_("A percentage from 0 to 100 with at most three decimals.")]},
        )
    return value.quantize(Decimal("0.001"))


@transaction.atomic
def tax_class_create(
    *, code: str, name: str, name_en: str = "", position: int | None = None
) -> TaxClass:
    """Create a tax class. The code is a unique slug (INVALID_TAX_CLASS_CODE,
    TAX_CLASS_CODE_TAKEN); without a position it goes after the others. A class without a
    rate in a country is taxed there at the country's standard rate."""
    text_check(code=code, name=name, name_en=name_en)
    _check_code(code)
    if position is None:
        last = TaxClass.objects.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    tax_class = TaxClass(code=code, name=name, name_en=name_en, position=position)
    validate(tax_class)
    try:
        with transaction.atomic():
            tax_class.save()
    except IntegrityError:  # the same code was created meanwhile
        _check_code(code)
        raise
    _taxes_changed()
    return tax_class


@transaction.atomic
def tax_class_update(
    *,
    tax_class: TaxClass,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    name_en: str | Unset = UNSET,
    position: int | Unset = UNSET,
) -> TaxClass:
    """Change the given fields. The standard class keeps its code (TAX_CLASS_REQUIRED):
    products without a class are taxed at it."""
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "code": code,
            "name": name,
            "name_en": name_en,
            "position": position,
        }.items()
        if value is not UNSET
    }
    text_check(**{k: v for k, v in changes.items() if isinstance(v, str)})
    if "code" in changes and changes["code"] != tax_class.code:
        if tax_class.code == STANDARD:
            raise _required()
        _check_code(changes["code"], exclude_pk=tax_class.pk)
    original = {field: getattr(tax_class, field) for field in changes}
    for field, value in changes.items():
        setattr(tax_class, field, value)
    try:
        validate(tax_class)
    except InvalidInput:
        for field, value in original.items():
            setattr(tax_class, field, value)
        raise
    tax_class.save()
    _taxes_changed()
    return tax_class


def _required() -> Conflict:
    return Conflict(
        _("The standard tax class is required: products without a class are taxed at it."),
        code="TAX_CLASS_REQUIRED",
        errors={"code": ["TAX_CLASS_REQUIRED"]},
    )


@transaction.atomic
def tax_class_delete(*, tax_class: TaxClass) -> None:
    """Delete a tax class and its rates. Refused for the standard class
    (TAX_CLASS_REQUIRED) and for a class that products or product types name
    (TAX_CLASS_IN_USE: give them another class first)."""
    if tax_class.code == STANDARD:
        raise _required()
    try:
        with transaction.atomic():
            tax_class.delete()
    except ProtectedError:
        raise Conflict(
            _("Products or product types still use the tax class %(name)s.")
            % {"name": tax_class.name},
            code="TAX_CLASS_IN_USE",
            errors={"code": ["TAX_CLASS_IN_USE"]},
        ) from None
    _taxes_changed()


@transaction.atomic
def tax_rate_set(*, tax_class: TaxClass, country: str, rate: Decimal | str | int) -> TaxRate:
    """Create or change the rate of `tax_class` in `country` (INVALID_COUNTRY,
    INVALID_TAX_RATE: a percentage from 0 to 100 with at most three decimals)."""
    country = tax_country(country)
    value = tax_rate_parse(rate)
    found = TaxRate.objects.select_for_update().filter(tax_class=tax_class, country=country)
    tax_rate = found.first()
    if tax_rate is None:
        tax_rate = TaxRate(tax_class=tax_class, country=country, rate=value)
        validate(tax_rate)
        try:
            with transaction.atomic():
                tax_rate.save()
        except IntegrityError:  # created meanwhile by another request: change it instead
            tax_rate = found.get()
    if tax_rate.rate != value:
        tax_rate.rate = value
        validate(tax_rate)
        tax_rate.save(update_fields=["rate"])
    _taxes_changed()
    return tax_rate


@transaction.atomic
def tax_rate_delete(*, tax_class: TaxClass, country: str) -> None:
    """Remove the rate of `tax_class` in `country` (TAX_RATE_NOT_FOUND when there is none):
    the class is then taxed at the country's standard rate, and a country without a
    standard rate has no rates at all."""
    country = tax_country(country)
    deleted, _rows = TaxRate.objects.filter(tax_class=tax_class, country=country).delete()
    if not deleted:
        raise NotFound(
            _("No %(tax_class)s rate in %(country)s.")
            % {"tax_class": tax_class.code, "country": country},
            code="TAX_RATE_NOT_FOUND",
        )
    _taxes_changed()
