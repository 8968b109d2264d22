"""Shared pieces of the shipping services: limits, parsing of countries, amounts and weight
brackets (also used by the admin's forms), the version bump on commit, the history
(core.audit, re-exported) and saves that turn a constraint violation into a Conflict."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from babel.numbers import get_currency_precision
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django_countries import countries as known_countries

from comptoir.core.audit import audit, changed_fields  # noqa: F401 - audit: re-exported
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.validation import (  # noqa: F401 - ensure_unique: re-exported
    decimal_or_none,
    ensure_unique,
)
from comptoir.shipping.selectors import shipping_version_bump

PRICE_MAX: Final = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
STORED_DIGITS: Final = 2
WEIGHT_MAX: Final = 2_147_483_647  # PositiveIntegerField on every database
POSITION_MAX: Final = 2_147_483_647
DAYS_MAX: Final = 365
MAX_BRACKETS: Final = 100
MAX_COUNTRIES: Final = 300
_COUNTRY = re.compile(r"^[A-Z]{2}$")

type BracketInput = tuple[Any, Any] | Mapping[str, Any]

# Fields a caller may set on a method, with the name the history shows.
METHOD_FIELDS: Final = (
    "code",
    "name",
    "name_en",
    "description",
    "description_en",
    "kind",
    "price",
    "free_over",
    "min_weight_grams",
    "max_weight_grams",
    "tax_class",
    "pickup_warehouse",
    "delivery_days_min",
    "delivery_days_max",
    "position",
    "is_active",
    "external_ref",
    "metadata",
)
ZONE_FIELDS: Final = ("name", "countries", "is_active", "external_ref", "metadata")


# --- plumbing -------------------------------------------------------------------------------


def shipping_changed() -> None:
    """Bump the shipping version when the transaction commits (never before: a request
    could otherwise copy the old rows under the new version). Robust: a cache error after
    COMMIT is logged, never a failed request."""
    transaction.on_commit(shipping_version_bump, robust=True)


def save_or_conflict(obj: models.Model, recheck: Callable[[], None]) -> None:
    """Save in a savepoint. A constraint violation means another request wrote meanwhile:
    `recheck` raises the precise Conflict (it sees the committed row now), else CONFLICT."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        recheck()
        raise Conflict(
            _("This change conflicts with another one made meanwhile. Try again."),
            code="CONFLICT",
        ) from exc


def invalid(field: str, message: str, code: str = "INVALID_INPUT") -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def whole(value: object, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise invalid(
            field,
            _("Use a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum},
        )
    return value


def optional_whole(value: object, field: str, *, minimum: int, maximum: int) -> int | None:
    return None if value is None else whole(value, field, minimum=minimum, maximum=maximum)


def metadata_check(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("metadata", _("Metadata must be a JSON object."))
    return value


# --- checks shared with the admin -----------------------------------------------------------


def countries_parse(countries: object) -> list[str]:
    """A zone's countries as upper-case ISO 3166-1 alpha-2 codes known to django-countries,
    without repeats, in the given order ("fr" -> "FR"). InvalidInput(INVALID_COUNTRY) for
    anything else, for an empty list and for more than 300 codes."""
    if isinstance(countries, str) or not isinstance(countries, list | tuple):
        raise invalid("countries", _("Give a list of ISO 3166-1 alpha-2 codes."), "INVALID_COUNTRY")
    if not countries or len(countries) > MAX_COUNTRIES:
        raise invalid(
            "countries",
            _("A zone has from 1 to %(max)s countries.") % {"max": MAX_COUNTRIES},
            "INVALID_COUNTRY",
        )
    codes: list[str] = []
    bad: list[str] = []
    for item in countries:
        code = item.strip().upper() if isinstance(item, str) else ""
        if not _COUNTRY.match(code) or code not in known_countries:
            bad.append(str(item)[:10])
        elif code not in codes:
            codes.append(code)
    if bad:
        raise InvalidInput(
            _("Unknown countries: %(codes)s.") % {"codes": ", ".join(bad[:20])},
            code="INVALID_COUNTRY",
            errors={"countries": [_("Use ISO 3166-1 alpha-2 codes such as FR.")]},
        )
    return codes


def amount_parse(value: object, *, currency: str, field: str = "price") -> Decimal:
    """An amount >= 0 (Decimal, int or decimal string with ASCII digits) with at most the
    currency's decimals (2 for EUR, 0 for JPY), quantized. InvalidInput(INVALID_PRICE)."""
    amount = decimal_or_none(value)
    digits = min(get_currency_precision(currency), STORED_DIGITS)
    message = ""
    if amount is None:
        message = _("Not a valid amount: “%(value)s”.") % {"value": str(value)[:30]}
    elif amount < 0:
        message = _("An amount cannot be negative (got %(value)s).") % {"value": amount}
    elif amount > PRICE_MAX:
        message = _("An amount cannot exceed %(max)s.") % {"max": PRICE_MAX}
    elif amount != amount.quantize(Decimal(1).scaleb(-digits)):
        message = _("Too many decimals in %(value)s: %(currency)s amounts have %(digits)s.") % {
            "value": amount,
            "currency": currency,
            "digits": digits,
        }
    if message or amount is None:
        raise invalid(field, message, "INVALID_PRICE")
    return amount.quantize(Decimal("0.01"))


def brackets_parse(brackets: object, *, currency: str) -> list[tuple[int, Decimal]]:
    """Weight brackets as (up to grams, price) pairs sorted by weight. Each is a pair or
    a mapping {up_to_grams, price}; weights are whole grams from 1, each at most once
    (INVALID_BRACKETS); prices as `amount_parse` (INVALID_PRICE); 100 brackets at most."""
    if isinstance(brackets, str | bytes | Mapping) or not isinstance(brackets, Iterable):
        raise invalid("brackets", _("Give a list of brackets."), "INVALID_BRACKETS")
    pairs: list[tuple[int, Decimal]] = []
    for item in brackets:
        if isinstance(item, Mapping):
            weight, price = item.get("up_to_grams"), item.get("price")
        elif isinstance(item, list | tuple) and len(item) == 2:
            weight, price = item
        else:
            raise invalid("brackets", _("A bracket is a weight and a price."), "INVALID_BRACKETS")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= WEIGHT_MAX:
            raise invalid(
                "brackets",
                _("A bracket's weight is a whole number of grams from 1 to %(max)s.")
                % {"max": WEIGHT_MAX},
                "INVALID_BRACKETS",
            )
        pairs.append((weight, amount_parse(price, currency=currency, field="brackets")))
        if len(pairs) > MAX_BRACKETS:
            raise invalid(
                "brackets",
                _("A method has at most %(max)s brackets.") % {"max": MAX_BRACKETS},
                "INVALID_BRACKETS",
            )
    weights = [w for w, _p in pairs]
    repeated = sorted({w for w in weights if weights.count(w) > 1})
    if repeated:
        raise invalid(
            "brackets",
            _("Two brackets up to the same weight: %(weights)s g.")
            % {"weights": ", ".join(map(str, repeated))},
            "INVALID_BRACKETS",
        )
    return sorted(pairs)


def changed_message(model: type[models.Model], fields: Sequence[str]) -> list[Any]:
    """Django's JSON change message naming the fields by their verbose names (core.audit's
    `changed_fields`; a method's brackets are its "weight brackets")."""
    return changed_fields(model, ["weight brackets" if f == "brackets" else f for f in fields])
