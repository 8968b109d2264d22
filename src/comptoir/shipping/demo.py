"""The demo's shipping zones and methods (idempotent: only what is missing is added).

boutique-france (B2C, prices tax-included): "France métropolitaine" (FR, MC) with
Colissimo (4.90, free from 60.00 of goods), Chronopost (by weight: 9.90 up to 1 kg, 14.90
up to 5 kg, 29.90 up to 30 kg) and a pick-up in store at the first warehouse serving the
channel; "Union européenne" with an international flat rate (12.90).
comptoir-pro (B2B, prices tax-excluded): "France et Belgique" with "Messagerie" (15.00 HT,
free from 500.00 HT) and a pick-up at the counter.
Pick-ups are skipped while no warehouse serves the channel (run again once one does).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from comptoir.channels.models import Channel
from comptoir.inventory.models import Warehouse
from comptoir.inventory.selectors import warehouses_serving
from comptoir.shipping import services
from comptoir.shipping.models import ShippingKind, ShippingZone

Log = Callable[[str], None]

B2C, B2B = "boutique-france", "comptoir-pro"
EU = ["BE", "DE", "ES", "IT", "NL", "LU", "AT", "PT", "IE"]


def _method(**fields: Any) -> dict[str, Any]:
    return fields


ZONES: list[tuple[str, str, list[str], list[dict[str, Any]]]] = [
    (
        B2C,
        "France métropolitaine",
        ["FR", "MC"],
        [
            _method(
                code="colissimo",
                name="Colissimo",
                name_en="Colissimo",
                description="Livraison à domicile en 48 h",
                description_en="Home delivery in 2 working days",
                kind=ShippingKind.FLAT,
                price=Decimal("4.90"),
                free_over=Decimal("60.00"),
                delivery_days_min=2,
                delivery_days_max=3,
            ),
            _method(
                code="chronopost",
                name="Chronopost express",
                name_en="Chronopost express",
                description="Livraison le lendemain avant 13 h",
                description_en="Next-day delivery before 1 pm",
                kind=ShippingKind.WEIGHT,
                brackets=[
                    (1000, Decimal("9.90")),
                    (5000, Decimal("14.90")),
                    (30000, Decimal("29.90")),
                ],
                delivery_days_min=1,
                delivery_days_max=1,
            ),
            _method(
                code="retrait-magasin",
                name="Retrait en magasin",
                name_en="In-store pick-up",
                description="Gratuit, prêt sous 2 h pendant les heures d'ouverture",
                description_en="Free, ready within 2 hours during opening hours",
                kind=ShippingKind.PICKUP,
                delivery_days_min=0,
                delivery_days_max=1,
            ),
        ],
    ),
    (
        B2C,
        "Union européenne",
        EU,
        [
            _method(
                code="international",
                name="Livraison internationale",
                name_en="International delivery",
                description="Livraison à domicile en 3 à 6 jours ouvrés",
                description_en="Home delivery in 3 to 6 working days",
                kind=ShippingKind.FLAT,
                price=Decimal("12.90"),
                delivery_days_min=3,
                delivery_days_max=6,
            ),
        ],
    ),
    (
        B2B,
        "France et Belgique",
        ["FR", "BE"],
        [
            _method(
                code="messagerie",
                name="Messagerie",
                name_en="Freight delivery",
                description="Livraison sur chantier ou en atelier, sur rendez-vous",
                description_en="Delivery to site or workshop, by appointment",
                kind=ShippingKind.FLAT,
                price=Decimal("15.00"),
                free_over=Decimal("500.00"),
                delivery_days_min=2,
                delivery_days_max=4,
            ),
            _method(
                code="retrait-comptoir",
                name="Retrait au comptoir",
                name_en="Counter pick-up",
                description="Au comptoir professionnel, dès 7 h",
                description_en="At the trade counter, from 7 am",
                kind=ShippingKind.PICKUP,
                delivery_days_min=0,
                delivery_days_max=1,
            ),
        ],
    ),
]


def _channels() -> dict[str, Channel]:
    channels = {c.code: c for c in Channel.objects.filter(code__in=[B2C, B2B])}
    if B2B not in channels:
        pro = Channel.objects.filter(is_b2b=True).order_by("id").first()
        if pro is not None:
            channels[B2B] = pro
    return channels


def seed(*, log: Log = lambda message: None) -> int:
    """Create the demo's zones and methods that are missing; returns how many methods were
    created. Channels that do not exist are skipped."""
    created = 0
    channels = _channels()
    with transaction.atomic():
        for channel_code, zone_name, countries, methods in ZONES:
            channel = channels.get(channel_code)
            if channel is None:
                continue
            zone = ShippingZone.objects.filter(channel=channel, name=zone_name).first()
            if zone is None:
                zone = services.shipping_zone_create(
                    channel=channel, name=zone_name, countries=countries
                )
            existing = set(zone.methods.values_list("code", flat=True))
            warehouse = (
                Warehouse.objects.filter(warehouses_serving(channel)).order_by("priority", "id")
            ).first()
            for position, fields in enumerate(methods):
                if fields["code"] in existing:
                    continue
                data = dict(fields)
                if data["kind"] == ShippingKind.PICKUP:
                    if warehouse is None:
                        continue
                    data["pickup_warehouse"] = warehouse
                    data["description"] = f"{warehouse.name} — {data['description']}"
                    data["description_en"] = f"{warehouse.name} — {data['description_en']}"
                services.shipping_method_create(zone=zone, position=position, **data)
                created += 1
    if created:
        log(f"Shipping: {created} methods.")
    return created
