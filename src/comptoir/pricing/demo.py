"""The demo's companies, price lists, promotions and coupons (idempotent).

What it shows, for the same product (the 18 V cordless drill driver, and every workshop
tool): the public tax-included price to Léa on boutique-france; Atelier Martin's contract
price, tax-excluded, with volume tiers, to its buyer on comptoir-pro; and a reverse-charge
0 % VAT line to the Belgian company's buyer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from comptoir.catalog.models import Category, VariantChannelPrice
from comptoir.channels.models import Channel
from comptoir.companies.models import Company, CompanyMember, CustomerGroup
from comptoir.companies.services import company_roles_ensure
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.promotions.models import (
    Coupon,
    Promotion,
    PromotionKind,
    RewardType,
    Stacking,
)

Log = Callable[[str], None]

# Tools sold to professionals: the contract and group lists price these categories.
TOOL_CATEGORIES = (
    "perceuses",
    "scies",
    "ponceuses-meuleuses",
    "tournevis-cles",
    "frappe-coupe",
    "mesure-tracage",
)
# Sold by the box of 6 on the contract.
BOXED_CATEGORIES = ("vis", "chevilles", "boulonnerie")

COMPANIES = [
    # legal name, country, VAT number, SIREN, SIRET, group, members
    (
        "Atelier Martin SARL",
        "FR",
        "FR19812345676",
        "812345676",
        "81234567600017",
        "pros-batiment",
        ("acheteur@atelier-martin.fr", "direction@atelier-martin.fr"),
    ),
    (
        "Bois & Co SRL",
        "BE",
        "BE0477472701",
        "",
        "",
        "pros-batiment",
        ("achats@bois-co.be",),
    ),
]


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _descendants(slugs: tuple[str, ...]) -> list[int]:
    ids = set(Category.objects.filter(slug__in=slugs).values_list("id", flat=True))
    frontier = set(ids)
    while frontier:
        frontier = (
            set(Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        )
        ids |= frontier
    return sorted(ids)


def _list_prices(
    price_list: PriceList,
    *,
    pro: Channel,
    categories: list[int],
    factor: Decimal,
    tiers: tuple[tuple[int, Decimal], ...] = (),
    boxed: bool = False,
) -> int:
    existing = set(price_list.entries.values_list("variant_id", flat=True))
    bases = list(
        VariantChannelPrice.objects.filter(
            channel=pro, variant__product__category_id__in=categories
        )
        .exclude(variant_id__in=existing)
        .order_by("variant_id")
        .values_list("variant_id", "amount")
    )
    entries = PriceListEntry.objects.bulk_create(
        [
            PriceListEntry(
                price_list=price_list,
                variant_id=variant_id,
                unit_price=_cents(amount * factor),
                min_quantity=6 if boxed else 1,
                increment=6 if boxed else 1,
            )
            for variant_id, amount in bases
        ]
    )
    amounts = dict(bases)
    PriceTier.objects.bulk_create(
        [
            PriceTier(
                entry=entry,
                min_quantity=quantity,
                unit_price=_cents(amounts[entry.variant_id] * tier_factor),
            )
            for entry in PriceListEntry.objects.filter(
                price_list=price_list, variant_id__in=amounts
            )
            for quantity, tier_factor in tiers
        ]
    )
    return len(entries)


def demo_pricing_load(*, log: Log = lambda message: None) -> None:
    """Create what is missing of the demo's pricing data."""
    channels = {c.code: c for c in Channel.objects.all()}
    shop, pro = channels.get("boutique-france"), channels.get("comptoir-pro")
    if shop is None or pro is None:
        return
    users = {u.email: u for u in get_user_model().objects.all()}
    with transaction.atomic():
        group, _created = CustomerGroup.objects.get_or_create(
            code="pros-batiment",
            defaults={
                "name": "Professionnels du bâtiment",
                "description": "Artisans et entreprises du bâtiment.",
            },
        )
        companies = {}
        for legal_name, country, vat, siren, siret, _group, members in COMPANIES:
            company, _created = Company.objects.get_or_create(
                legal_name=legal_name,
                defaults={
                    "country": country,
                    "vat_number": vat,
                    "siren": siren,
                    "siret": siret,
                    "customer_group": group,
                    "external_ref": f"demo:{country}:{legal_name}",
                },
            )
            companies[legal_name] = company
            roles = company_roles_ensure(company=company)
            for email in members:
                user = users.get(email)
                if user is not None:
                    CompanyMember.objects.get_or_create(
                        user=user, defaults={"company": company, "role": roles["admin"]}
                    )

        tools = _descendants(TOOL_CATEGORIES)
        boxed = _descendants(BOXED_CATEGORIES)
        group_list, created = PriceList.objects.get_or_create(
            code="pros-batiment",
            defaults={
                "name": "Tarif professionnels du bâtiment",
                "channel": pro,
                "currency": pro.currency,
                "customer_group": group,
            },
        )
        count = _list_prices(group_list, pro=pro, categories=tools + boxed, factor=Decimal("0.93"))
        if count:
            log(f"Group price list: {count} prices.")
        contract, created = PriceList.objects.get_or_create(
            code="contrat-atelier-martin",
            defaults={
                "name": "Contrat Atelier Martin 2026",
                "channel": pro,
                "currency": pro.currency,
                "company": companies["Atelier Martin SARL"],
                "priority": 10,
            },
        )
        count = _list_prices(
            contract,
            pro=pro,
            categories=tools,
            factor=Decimal("0.85"),
            tiers=((10, Decimal("0.80")), (50, Decimal("0.75"))),
        )
        count += _list_prices(
            contract, pro=pro, categories=boxed, factor=Decimal("0.80"), boxed=True
        )
        if count:
            log(f"Atelier Martin's contract: {count} prices.")

        now = timezone.now()
        spring, created = Promotion.objects.get_or_create(
            code="printemps-jardin",
            defaults={
                "name": "Printemps au jardin : -15 %",
                "name_en": "Spring garden sale: 15% off",
                "kind": PromotionKind.CATALOG,
                "reward_type": RewardType.PERCENTAGE,
                "reward_value": Decimal("15"),
                "starts_at": now - timedelta(days=1),
                "ends_at": now + timedelta(days=60),
                "priority": 10,
                "stacking": Stacking.EXCLUSIVE,
                "applies_to_all": False,
            },
        )
        if created:
            spring.channels.add(shop)
            spring.categories.add(*Category.objects.filter(slug="jardin"))
        shipping, created = Promotion.objects.get_or_create(
            code="livraison-offerte",
            defaults={
                "name": "Livraison offerte dès 80 €",
                "name_en": "Free delivery over €80",
                "kind": PromotionKind.CART,
                "reward_type": RewardType.FREE_SHIPPING,
                "min_subtotal": Decimal("80.00"),
            },
        )
        if created:
            shipping.channels.add(shop)
        welcome, created = Promotion.objects.get_or_create(
            code="bienvenue",
            defaults={
                "name": "Bienvenue : -10 % sur la première commande",
                "name_en": "Welcome: 10% off your first order",
                "kind": PromotionKind.CART,
                "reward_type": RewardType.PERCENTAGE,
                "reward_value": Decimal("10"),
                "min_subtotal": Decimal("50.00"),
                "requires_coupon": True,
            },
        )
        if created:
            welcome.channels.add(shop)
        Coupon.objects.get_or_create(
            code="BIENVENUE10",
            defaults={"promotion": welcome, "per_customer_limit": 1, "usage_limit": 1000},
        )
