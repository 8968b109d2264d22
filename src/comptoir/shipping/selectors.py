"""Reads of shipping (see docs/shipping.md and docs/checkout.md).

`shipping_options` prices the methods a cart may use. The zones, methods and brackets of
every channel are small and read by every cart: each process keeps a copy
(`VersionedMemo`), reloaded when a shipping service bumps SHIPPING_VERSION_KEY or a
warehouse change bumps inventory's warehouses version on commit, and at least every
minute. A warm read costs no query: the rates come with the pricing
context, the methods from the copy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump
from comptoir.core.money import to_minor
from comptoir.core.pagination import PageRequest
from comptoir.inventory.selectors import warehouses_version
from comptoir.pricing.engine import Engine, PricingContext
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone, WeightBracket
from comptoir.shipping.records import ShippingOption

SHIPPING_VERSION_KEY = "shipping:version"


# --- the copy kept in each process ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MethodData:
    """An active method as the selectors need it, amounts in minor units of its channel's
    currency (as the channel enters prices)."""

    id: int
    code: str
    name: str
    name_en: str
    description: str
    description_en: str
    kind: str
    price: int
    free_over: int | None
    min_weight_grams: int | None
    max_weight_grams: int | None
    tax_class_id: int | None
    pickup_warehouse_id: int | None
    delivery_days_min: int
    delivery_days_max: int
    position: int
    # (up to grams, price), lightest first.
    brackets: tuple[tuple[int, int], ...] = ()

    def label(self, language: str) -> tuple[str, str]:
        """(name, description) in `language` (English when asked and given)."""
        if language.startswith("en"):
            return self.name_en or self.name, self.description_en or self.description
        return self.name, self.description

    def entered_price(self, weight_grams: int) -> int | None:
        """The price before free shipping for a parcel of `weight_grams`; None when the
        method cannot carry it (outside its weight limits, heavier than its brackets)."""
        if self.min_weight_grams is not None and weight_grams < self.min_weight_grams:
            return None
        if self.max_weight_grams is not None and weight_grams > self.max_weight_grams:
            return None
        if self.kind != ShippingKind.WEIGHT:
            return self.price
        for up_to, price in self.brackets:
            if weight_grams <= up_to:
                return price
        return None


@dataclass(frozen=True, slots=True)
class ZoneData:
    id: int
    countries: frozenset[str]
    methods: tuple[MethodData, ...]


# channel id -> its active zones (by id), each with its active methods (by position, id).
type ShippingTable = dict[int, tuple[ZoneData, ...]]


def _load() -> ShippingTable:
    """Three queries: active zones, their active methods (pick-ups at active warehouses
    only), the brackets of those methods."""
    zones = list(
        ShippingZone.objects.filter(is_active=True)
        .order_by("id")
        .values_list("id", "channel_id", "countries", "channel__currency")
    )
    currencies = {zone_id: currency for zone_id, _c, _countries, currency in zones}
    methods = list(
        ShippingMethod.objects.filter(zone_id__in=currencies, is_active=True)
        .filter(Q(pickup_warehouse__isnull=True) | Q(pickup_warehouse__is_active=True))
        .order_by("position", "id")
        .values(
            "id",
            "zone_id",
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
            "tax_class_id",
            "pickup_warehouse_id",
            "delivery_days_min",
            "delivery_days_max",
            "position",
        )
    )
    method_zone = {row["id"]: row["zone_id"] for row in methods}
    brackets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    weighted = [row["id"] for row in methods if row["kind"] == ShippingKind.WEIGHT]
    if weighted:
        for method_id, up_to, price in (
            WeightBracket.objects.filter(method_id__in=weighted)
            .order_by("method_id", "up_to_grams")
            .values_list("method_id", "up_to_grams", "price")
        ):
            currency = currencies[method_zone[method_id]]
            brackets[method_id].append((up_to, to_minor(price, currency)))
    by_zone: dict[int, list[MethodData]] = defaultdict(list)
    for row in methods:
        currency = currencies[row["zone_id"]]
        free_over = row["free_over"]
        by_zone[row["zone_id"]].append(
            MethodData(
                id=row["id"],
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                description=row["description"],
                description_en=row["description_en"],
                kind=row["kind"],
                price=to_minor(row["price"], currency),
                free_over=None if free_over is None else to_minor(free_over, currency),
                min_weight_grams=row["min_weight_grams"],
                max_weight_grams=row["max_weight_grams"],
                tax_class_id=row["tax_class_id"],
                pickup_warehouse_id=row["pickup_warehouse_id"],
                delivery_days_min=row["delivery_days_min"],
                delivery_days_max=row["delivery_days_max"],
                position=row["position"],
                brackets=tuple(brackets.get(row["id"], ())),
            )
        )
    table: dict[int, list[ZoneData]] = defaultdict(list)
    for zone_id, channel_id, countries, _currency in zones:
        table[channel_id].append(
            ZoneData(
                id=zone_id,
                countries=frozenset(str(c).upper() for c in countries or () if isinstance(c, str)),
                methods=tuple(by_zone.get(zone_id, ())),
            )
        )
    return {channel_id: tuple(found) for channel_id, found in table.items()}


def _version() -> int:
    """The shipping version and the warehouses' as one number: a warehouse deactivated in
    inventory (`warehouses_version_bump`) makes the copy stale like a shipping change,
    so its pick-ups drop out at once."""
    return cache_version(SHIPPING_VERSION_KEY) << 64 | warehouses_version()


_memo: VersionedMemo[ShippingTable] = VersionedMemo(
    version=_version,
    load=_load,
    check_seconds=lambda: 1.0,
    # Reloaded at least once a minute, should a bump never reach this process.
    max_age_seconds=lambda: 60.0,
)


def shipping_table() -> ShippingTable:
    """The active zones and methods of every channel (the process's copy)."""
    return _memo.get()


def shipping_version_bump() -> int:
    """Make every copy of the shipping table stale. Shipping services call it through
    `transaction.on_commit(shipping_version_bump, robust=True)`."""
    _memo.reset()
    try:
        return cache_version_bump(SHIPPING_VERSION_KEY)
    finally:
        _memo.reset()


# --- options of a cart ----------------------------------------------------------------------


def zone_for(*, channel_id: int, country: str) -> ZoneData | None:
    """The active zone of a channel that holds `country` (the oldest if several did)."""
    code = country.upper() if isinstance(country, str) else ""
    for zone in shipping_table().get(channel_id, ()):
        if code in zone.countries:
            return zone
    return None


def _options(
    *,
    ctx: PricingContext,
    country: str,
    goods_amount: int,
    weight_grams: int,
    free_shipping: bool,
    language: str | None,
    method_id: int | None = None,
) -> list[ShippingOption]:
    zone = zone_for(channel_id=ctx.channel_id, country=country)
    if zone is None:
        return []
    lang = language or translation.get_language() or "fr"
    weight = max(weight_grams, 0)
    engine: Engine | None = None
    ranked: list[tuple[int, int, int, ShippingOption]] = []
    for method in zone.methods:
        if method_id is not None and method.id != method_id:
            continue
        amount = method.entered_price(weight)
        if amount is None:
            continue
        if (free_shipping and method.kind != ShippingKind.PICKUP) or (
            method.free_over is not None and goods_amount >= method.free_over
        ):
            amount = 0
        # Taxed like a product line of the method's tax class, under the context's treatment
        # (the rate prices were entered at, then the sale's rate).
        engine = engine or Engine(ctx)
        price = engine.taxed(amount, method.tax_class_id)
        name, description = method.label(lang)
        option = ShippingOption(
            method_id=method.id,
            code=method.code,
            name=name,
            description=description,
            kind=method.kind,
            price=price,
            tax_rate=engine.rates(method.tax_class_id)[1],
            free=amount == 0,
            delivery_days_min=method.delivery_days_min,
            delivery_days_max=method.delivery_days_max,
            pickup_warehouse_id=method.pickup_warehouse_id,
        )
        ranked.append((method.position, price.shown(ctx.display_gross), method.id, option))
    ranked.sort(key=lambda item: item[:3])
    return [option for *_key, option in ranked]


def shipping_options(
    *,
    ctx: PricingContext,
    country: str,
    goods_amount: int,
    weight_grams: int,
    free_shipping: bool = False,
    language: str | None = None,
) -> list[ShippingOption]:
    """The methods a parcel of `weight_grams` going to `country` (ISO alpha-2) may use in
    ctx's channel, priced under ctx's tax treatment, by position then price.

    `goods_amount` is the discounted goods subtotal in the channel's entry mode (minor
    units), compared to each method's `free_over`; `free_shipping` (a promotion) makes
    every method but pick-up free. `language` picks the names (None: the active language).
    No zone for the country (an export the shop does not serve): no options. No query
    while the process's copy is current.
    """
    return _options(
        ctx=ctx,
        country=country,
        goods_amount=goods_amount,
        weight_grams=weight_grams,
        free_shipping=free_shipping,
        language=language,
    )


def shipping_option(
    *,
    ctx: PricingContext,
    country: str,
    goods_amount: int,
    weight_grams: int,
    free_shipping: bool = False,
    method_id: int,
    language: str | None = None,
) -> ShippingOption | None:
    """The option of one method as `shipping_options` would give it; None when the method
    is not offered for this destination and parcel (another zone or channel, inactive,
    too heavy)."""
    found = _options(
        ctx=ctx,
        country=country,
        goods_amount=goods_amount,
        weight_grams=weight_grams,
        free_shipping=free_shipping,
        language=language,
        method_id=method_id,
    )
    return found[0] if found else None


# --- staff reads ------------------------------------------------------------------------------


def _methods_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "methods",
        queryset=ShippingMethod.objects.select_related("tax_class", "pickup_warehouse")
        .prefetch_related("brackets")
        .order_by("position", "id"),
    )


def zones_admin(
    *, channel: Channel | None = None, active: bool | None = None
) -> QuerySet[ShippingZone]:
    """Zones for staff, by id, with their channel and methods (brackets included)."""
    zones = ShippingZone.objects.select_related("channel").prefetch_related(_methods_prefetch())
    if channel is not None:
        zones = zones.filter(channel=channel)
    if active is not None:
        zones = zones.filter(is_active=active)
    return zones.annotate(method_count=Count("methods")).order_by("id")


def zone_admin_page(
    *, page: PageRequest, channel: Channel | None = None, active: bool | None = None
) -> tuple[list[ShippingZone], int]:
    zones = zones_admin(channel=channel, active=active)
    count = zones.count()
    if page.offset >= count:  # past the end; also keeps an offset over 2**63 out of SQL
        return [], count
    return list(zones[page.offset : page.offset + page.page_size]), count


def methods_admin(*, zone: ShippingZone | None = None) -> QuerySet[ShippingMethod]:
    methods = ShippingMethod.objects.select_related(
        "zone", "zone__channel", "tax_class", "pickup_warehouse"
    ).prefetch_related("brackets")
    if zone is not None:
        methods = methods.filter(zone=zone)
    return methods.order_by("zone_id", "position", "id")


def method_admin_page(
    *, page: PageRequest, zone: ShippingZone | None = None
) -> tuple[list[ShippingMethod], int]:
    methods = methods_admin(zone=zone)
    count = methods.count()
    if page.offset >= count:  # past the end; also keeps an offset over 2**63 out of SQL
        return [], count
    return list(methods[page.offset : page.offset + page.page_size]), count


_LIMIT = 2**63 - 1


def zone_by_id(zone_id: int) -> ShippingZone:
    """A zone for staff with its methods; NotFound(ZONE_NOT_FOUND)."""
    found = zones_admin().filter(pk=zone_id).first() if 0 < zone_id <= _LIMIT else None
    if found is None:
        raise NotFound(_("Unknown shipping zone: %(id)s.") % {"id": zone_id}, code="ZONE_NOT_FOUND")
    return found


def method_by_id(method_id: int) -> ShippingMethod:
    """A method for staff with its brackets; NotFound(METHOD_NOT_FOUND)."""
    found = methods_admin().filter(pk=method_id).first() if 0 < method_id <= _LIMIT else None
    if found is None:
        raise NotFound(
            _("Unknown shipping method: %(id)s.") % {"id": method_id}, code="METHOD_NOT_FOUND"
        )
    return found
