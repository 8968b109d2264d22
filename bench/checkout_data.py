"""The checkout bench's data, on top of the generated catalog (`bench.generate`): a
warehouse with ample stock for the variants the scenario buys, and a shipping zone (FR)
with a flat-rate method in the B2C channel. Through the inventory and shipping services, so
the stock ledger balances (`Stock.quantity` = the sum of its receipts). Idempotent and quick:
a second call finds everything and only tops up stock that ran low.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel

B2C = "boutique-france"
WAREHOUSE_CODE = "bench-checkout"
ZONE_REF = "bench-checkout-fr"
METHOD_CODE = "bench-flat"
METHOD_PRICE = Decimal("4.90")
COUNTRY = "FR"
STOCK_VARIANTS = 400
# Units received per variant: one receipt (at most the inventory's 1,000,000 per
# operation); topped up to this when its free stock falls under a tenth of it.
STOCK_QUANTITY = 1_000_000
RECEIPT_REFERENCE = "bench-checkout"


@dataclass(frozen=True)
class CheckoutData:
    channel: str
    warehouse_id: int
    shipping_method_id: int
    skus: list[str]
    seconds: float
    created: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        """Nothing had to be written."""
        return not any(self.created.values())


def checkout_variants(channel: Channel, n: int) -> list[ProductVariant]:
    """The first `n` variants (by id) that a customer of `channel` can buy: the product is
    published there (already, not scheduled) and the variant has a price there."""
    now = timezone.now()
    return list(
        ProductVariant.objects.filter(
            product__channel_listings__channel=channel,
            product__channel_listings__is_published=True,
            product__channel_listings__published_at__lte=now,
            channel_prices__channel=channel,
            channel_prices__amount__gt=0,
        )
        .order_by("id")
        .distinct()[:n]
    )


def _warehouse(channel: Channel, created: dict[str, int]) -> Any:
    from comptoir.inventory import services as inventory
    from comptoir.inventory.models import Warehouse

    warehouse = Warehouse.objects.filter(code=WAREHOUSE_CODE).first()
    if warehouse is None:
        warehouse = inventory.warehouse_create(
            code=WAREHOUSE_CODE,
            name="Bench checkout",
            city="Lyon",
            postal_code="69007",
            country=COUNTRY,
            channels=[channel],
        )
        created["warehouse"] = 1
    elif not warehouse.is_active:
        warehouse = inventory.warehouse_update(warehouse=warehouse, is_active=True)
    return warehouse


def _stock(warehouse: Any, variants: Sequence[ProductVariant], created: dict[str, int]) -> None:
    """One receipt per variant without stock in the warehouse; a top-up receipt where the
    free stock fell under a tenth of STOCK_QUANTITY."""
    from comptoir.inventory import services as inventory
    from comptoir.inventory.models import Stock

    free = dict(
        Stock.objects.filter(warehouse=warehouse, variant__in=variants)
        .annotate(free=F("quantity") - F("quantity_allocated"))
        .values_list("variant_id", "free")
    )
    for variant in variants:
        have = free.get(variant.pk)
        if have is not None and have >= STOCK_QUANTITY // 10:
            continue
        inventory.stock_receive(
            warehouse=warehouse,
            variant=variant,
            quantity=STOCK_QUANTITY - max(0, have or 0),
            reference=RECEIPT_REFERENCE,
            note="bench checkout stock",
        )
        created["receipts"] = created.get("receipts", 0) + 1


def _shipping(channel: Channel, created: dict[str, int]) -> Any:
    """The channel's active zone for FR (the bench's own, created when there is none),
    with the bench's flat method in it."""
    from comptoir.shipping import services as shipping
    from comptoir.shipping.models import ShippingMethod, ShippingZone

    zones = ShippingZone.objects.filter(channel=channel, is_active=True).order_by("id")
    zone = next((z for z in zones if COUNTRY in (z.countries or [])), None)
    if zone is None:
        zone = ShippingZone.objects.filter(external_ref=ZONE_REF).first()
        if zone is not None:
            zone = shipping.shipping_zone_update(
                zone=zone, countries=sorted({*zone.countries, COUNTRY}), is_active=True
            )
        else:
            zone = shipping.shipping_zone_create(
                channel=channel, name="France (bench)", countries=[COUNTRY], external_ref=ZONE_REF
            )
            created["shipping_zone"] = 1
    method = ShippingMethod.objects.filter(zone=zone, code=METHOD_CODE).first()
    if method is None:
        method = shipping.shipping_method_create(
            zone=zone,
            code=METHOD_CODE,
            name="Colissimo (bench)",
            name_en="Colissimo (bench)",
            kind="flat",
            price=METHOD_PRICE,
            delivery_days_min=2,
            delivery_days_max=3,
        )
        created["shipping_method"] = 1
    elif not method.is_active or method.price != METHOD_PRICE:
        method = shipping.shipping_method_update(method=method, is_active=True, price=METHOD_PRICE)
    return method


def ensure_checkout_data(
    *, variants: int = STOCK_VARIANTS, channel_code: str = B2C
) -> CheckoutData:
    """The warehouse, its stock for `variants` buyable variants of `channel_code`, and the
    FR shipping zone with a flat method; created or topped up as needed. Needs the catalog
    (`bench.generate`); raises LookupError without the channel or buyable variants."""
    started = time.perf_counter()
    channel = Channel.objects.filter(code=channel_code).first()
    if channel is None:
        raise LookupError(f"no channel {channel_code}: generate the catalog first")
    chosen = checkout_variants(channel, variants)
    if not chosen:
        raise LookupError(f"no buyable variant in {channel_code}")
    created: dict[str, int] = {}
    with transaction.atomic():
        warehouse = _warehouse(channel, created)
        _stock(warehouse, chosen, created)
        method = _shipping(channel, created)
    return CheckoutData(
        channel=channel.code,
        warehouse_id=warehouse.pk,
        shipping_method_id=method.pk,
        skus=[v.sku for v in chosen],
        seconds=time.perf_counter() - started,
        created=created,
    )
