"""Writes for shipping zones, methods and weight brackets (see docs/shipping.md).

Keyword-only and atomic; bad input raises a DomainError with a stable code and changes
nothing. Every write makes the copy of the shipping table kept in each process stale once
it commits (`selectors.shipping_version_bump`) and, when an `actor` is given, is recorded
in the admin's history (LogEntry) of the zone or method.

Error codes: INVALID_COUNTRY (400: not ISO 3166-1 alpha-2, or no country), INVALID_PRICE
(400: not an amount >= 0 with at most the currency's decimals), INVALID_BRACKETS (400),
WEIGHT_BRACKETS_REQUIRED (400), PICKUP_WAREHOUSE_REQUIRED (400), INVALID_PICKUP_WAREHOUSE
(400: inactive or not serving the zone's channel), INVALID_WEIGHT_RANGE (400),
INVALID_DELIVERY_DAYS (400), INVALID_TEXT (400), INVALID_INPUT (400, other field errors),
COUNTRY_IN_ANOTHER_ZONE (409: a country in two active zones of a channel),
METHOD_CODE_TAKEN (409, per zone), EXTERNAL_REF_TAKEN (409), CONFLICT (409: another
database constraint, e.g. a concurrent write).
"""

from comptoir.shipping.services._common import (
    METHOD_FIELDS,
    ZONE_FIELDS,
    amount_parse,
    brackets_parse,
    countries_parse,
)
from comptoir.shipping.services.methods import (
    method_check,
    shipping_method_create,
    shipping_method_delete,
    shipping_method_update,
    weight_brackets_set,
)
from comptoir.shipping.services.zones import (
    shipping_zone_create,
    shipping_zone_delete,
    shipping_zone_update,
)

__all__ = [
    "METHOD_FIELDS",
    "ZONE_FIELDS",
    "amount_parse",
    "brackets_parse",
    "countries_parse",
    "method_check",
    "shipping_method_create",
    "shipping_method_delete",
    "shipping_method_update",
    "shipping_zone_create",
    "shipping_zone_delete",
    "shipping_zone_update",
    "weight_brackets_set",
]
