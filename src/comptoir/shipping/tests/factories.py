from decimal import Decimal

import factory

from comptoir.channels.tests.factories import ChannelFactory
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone, WeightBracket


class ShippingZoneFactory(factory.django.DjangoModelFactory[ShippingZone]):
    class Meta:
        model = ShippingZone

    channel = factory.SubFactory(ChannelFactory)
    name = factory.Sequence(lambda n: f"Zone {n}")
    countries = factory.LazyFunction(lambda: ["FR", "MC"])


class ShippingMethodFactory(factory.django.DjangoModelFactory[ShippingMethod]):
    class Meta:
        model = ShippingMethod

    zone = factory.SubFactory(ShippingZoneFactory)
    code = factory.Sequence(lambda n: f"methode-{n}")
    name = factory.Sequence(lambda n: f"Méthode {n}")
    kind = ShippingKind.FLAT
    price = Decimal("4.90")


class WeightBracketFactory(factory.django.DjangoModelFactory[WeightBracket]):
    class Meta:
        model = WeightBracket

    method = factory.SubFactory(ShippingMethodFactory, kind=ShippingKind.WEIGHT, price=0)
    up_to_grams = 1000
    price = Decimal("9.90")
