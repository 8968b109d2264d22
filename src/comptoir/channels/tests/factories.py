import factory

from comptoir.channels.models import Channel, PriceDisplay


class ChannelFactory(factory.django.DjangoModelFactory[Channel]):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = "boutique-france"
    name = "Boutique France"
    currency = "EUR"
    default_language = "fr"
    languages = factory.LazyFunction(lambda: ["fr", "en"])
    price_display = PriceDisplay.GROSS
    default_country = "FR"


class B2BChannelFactory(ChannelFactory):
    code = "comptoir-pro"
    name = "Comptoir Pro"
    price_display = PriceDisplay.NET
    is_b2b = True
