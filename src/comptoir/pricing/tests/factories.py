from decimal import Decimal

import factory

from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier


class PriceListFactory(factory.django.DjangoModelFactory[PriceList]):
    class Meta:
        model = PriceList

    code = factory.Sequence(lambda n: f"liste-{n}")
    name = factory.Sequence(lambda n: f"Liste {n}")
    channel = factory.SubFactory(ChannelFactory)
    currency = factory.LazyAttribute(lambda o: o.channel.currency)


class PriceListEntryFactory(factory.django.DjangoModelFactory[PriceListEntry]):
    class Meta:
        model = PriceListEntry

    price_list = factory.SubFactory(PriceListFactory)
    variant = factory.SubFactory(ProductVariantFactory)
    unit_price = Decimal("10.00")


class PriceTierFactory(factory.django.DjangoModelFactory[PriceTier]):
    class Meta:
        model = PriceTier

    entry = factory.SubFactory(PriceListEntryFactory)
    min_quantity = 10
    unit_price = Decimal("9.00")
