"""What the product page says of stock and delivery: each variant's availability (in stock,
only a few left, on backorder, out of stock) from the inventory, and when a parcel ordered
now would arrive by each delivery method of the channel's country.

Delivery dates count business days: Monday to Friday, less the country's public holidays
(the `holidays` library). An order placed after the dispatch cut-off hour
(COMPTOIR_DISPATCH_CUTOFF_HOUR, 14 by default, in the shop's time zone) or on a day off
leaves on the next business day; a method's "1 to 3 days" then counts from that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import holidays
from babel.dates import format_date
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.catalog.selectors import ProductDetail
from comptoir.channels.models import Channel
from comptoir.inventory.selectors import available_quantities
from comptoir.shipping.models import ShippingKind
from comptoir.shipping.selectors import zone_for

# At or under this many free units, the page says "only N left".
LOW_STOCK: Final = 5
# Delivery methods shown under the price.
MAX_METHODS: Final = 3


@dataclass(frozen=True, slots=True)
class Availability:
    # "in_stock", "low", "backorder" or "out".
    status: str
    label: str
    # schema.org ItemAvailability.
    schema: str

    @property
    def buyable(self) -> bool:
        return self.status != "out"


@dataclass(frozen=True, slots=True)
class DeliveryDate:
    method: str
    earliest: dt.date
    latest: dt.date
    text: str


def variant_availability(product: ProductDetail, channel: Channel) -> dict[int, Availability]:
    """Each variant's availability in `channel` (one query for all of them)."""
    free = available_quantities(variant_ids=[v.id for v in product.variants], channel=channel)
    return {
        v.id: availability(free.get(v.id, 0), product.allow_backorders) for v in product.variants
    }


def availability(free: int, allow_backorders: bool) -> Availability:
    if free > LOW_STOCK:
        return Availability("in_stock", _("In stock"), "https://schema.org/InStock")
    if free > 0:
        label = ngettext("Only %(n)d left", "Only %(n)d left", free) % {"n": free}
        return Availability("low", label, "https://schema.org/LimitedAvailability")
    if allow_backorders:
        return Availability(
            "backorder",
            _("On backorder: ships when back in stock"),
            "https://schema.org/BackOrder",
        )
    return Availability("out", _("Out of stock"), "https://schema.org/OutOfStock")


@lru_cache(maxsize=16)
def _days_off(country: str, year: int) -> frozenset[dt.date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:  # a country the library does not know: weekends only
        return frozenset()


def _business_day(day: dt.date, country: str) -> bool:
    return day.weekday() < 5 and day not in _days_off(country, day.year)


def _add_business_days(day: dt.date, days: int, country: str) -> dt.date:
    while days > 0:
        day += dt.timedelta(days=1)
        if _business_day(day, country):
            days -= 1
    return day


def dispatch_day(now: dt.datetime, country: str) -> dt.date:
    """The day an order placed at `now` (aware) leaves the warehouse."""
    local = timezone.localtime(now)
    day = local.date()
    cutoff = settings.COMPTOIR_DISPATCH_CUTOFF_HOUR
    if _business_day(day, country) and local.hour < cutoff:
        return day
    return _add_business_days(day, 1, country)


def day_text(day: dt.date, locale: str) -> str:
    """ "Friday 4 December" / "vendredi 4 décembre": a day of the coming weeks."""
    return format_date(day, "EEEE d MMMM", locale=locale)


def _date_text(earliest: dt.date, latest: dt.date, locale: str) -> str:
    first = day_text(earliest, locale)
    if earliest == latest:
        return _("delivered %(date)s") % {"date": first}
    last = day_text(latest, locale)
    return _("delivered between %(first)s and %(last)s") % {"first": first, "last": last}


def delivery_dates(
    *, channel: Channel, locale: str, language: str, now: dt.datetime | None = None
) -> list[DeliveryDate]:
    """When an order placed `now` would arrive by each delivery method (not pick-up) of the
    zone holding the channel's default country, fastest first. No query while the
    shipping copy is current."""
    country = str(channel.default_country)
    zone = zone_for(channel_id=channel.pk, country=country)
    if zone is None:
        return []
    leaves = dispatch_day(now or timezone.now(), country)
    dates = []
    methods = sorted(
        (m for m in zone.methods if m.kind != ShippingKind.PICKUP),
        key=lambda m: (m.delivery_days_max, m.delivery_days_min, m.position),
    )
    for method in methods[:MAX_METHODS]:
        earliest = _add_business_days(leaves, method.delivery_days_min, country)
        latest = _add_business_days(leaves, method.delivery_days_max, country)
        dates.append(
            DeliveryDate(
                method=method.label(language)[0],
                earliest=earliest,
                latest=latest,
                text=_date_text(earliest, latest, locale),
            )
        )
    return dates
