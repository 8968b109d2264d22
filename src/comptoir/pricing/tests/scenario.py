"""A small priced world shared by the engine tests: two channels, a product with two
variants, a French company with a contract list and tiers, a group list, a Belgian company
under reverse charge, a catalog promotion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import ProductChannelListing, VariantChannelPrice
from comptoir.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
)
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    CustomerGroupFactory,
)
from comptoir.pricing.tests.factories import (
    PriceListEntryFactory,
    PriceListFactory,
    PriceTierFactory,
)


@dataclass
class World:
    b2c: Any
    b2b: Any
    category: Any
    product: Any
    drill: Any  # variant A
    drill_xl: Any  # variant B
    group: Any
    martin: Any  # FR company, group member, contract list
    buyer: Any
    belge: Any  # BE company, valid VAT number
    belge_buyer: Any
    shopper: Any
    contract: Any
    group_list: Any


def build_world() -> World:
    b2c = ChannelFactory.create()
    b2b = B2BChannelFactory.create()
    category = CategoryFactory(slug="perceuses")
    product = ProductFactory.create(category=category, slug="perceuse")
    drill = ProductVariantFactory.create(product=product, sku="DRILL", position=0)
    drill_xl = ProductVariantFactory.create(product=product, sku="DRILL-XL", position=1)
    for channel, prices in ((b2c, ("24.00", "36.00")), (b2b, ("20.00", "30.00"))):
        for variant, amount in zip((drill, drill_xl), prices, strict=True):
            VariantChannelPrice.objects.create(
                variant=variant, channel=channel, amount=Decimal(amount)
            )
        ProductChannelListing.objects.create(
            product=product, channel=channel, is_published=True, price_from=Decimal(prices[0])
        )
    group = CustomerGroupFactory.create(code="pros")
    martin = CompanyFactory.create(
        legal_name="Atelier Martin SARL",
        country="FR",
        vat_number="FR40303265045",
        customer_group=group,
    )
    buyer = UserFactory.create()
    CompanyMemberFactory.create(company=martin, user=buyer)
    belge = CompanyFactory.create(
        legal_name="Bois & Co SRL", country="BE", vat_number="BE0403019261"
    )
    belge_buyer = UserFactory.create()
    CompanyMemberFactory.create(company=belge, user=belge_buyer)
    contract = PriceListFactory.create(code="contrat-martin", channel=b2b, company=martin)
    entry = PriceListEntryFactory.create(
        price_list=contract, variant=drill, unit_price=Decimal("15.00")
    )
    PriceTierFactory.create(entry=entry, min_quantity=10, unit_price=Decimal("14.00"))
    PriceTierFactory.create(entry=entry, min_quantity=50, unit_price=Decimal("13.00"))
    group_list = PriceListFactory.create(code="pros", channel=b2b, customer_group=group)
    PriceListEntryFactory.create(price_list=group_list, variant=drill, unit_price=Decimal("17.00"))
    PriceListEntryFactory.create(
        price_list=group_list,
        variant=drill_xl,
        unit_price=Decimal("27.00"),
        min_quantity=6,
        increment=6,
    )
    return World(
        b2c=b2c,
        b2b=b2b,
        category=category,
        product=product,
        drill=drill,
        drill_xl=drill_xl,
        group=group,
        martin=martin,
        buyer=buyer,
        belge=belge,
        belge_buyer=belge_buyer,
        shopper=UserFactory.create(),
        contract=contract,
        group_list=group_list,
    )
