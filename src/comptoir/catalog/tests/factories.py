from decimal import Decimal

import factory

from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeKind,
    Category,
    Product,
    ProductChannelListing,
    ProductTranslation,
    ProductType,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.channels.tests.factories import ChannelFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"categorie-{n}")
    name = factory.Sequence(lambda n: f"Catégorie {n}")


class AttributeFactory(factory.django.DjangoModelFactory[Attribute]):
    class Meta:
        model = Attribute

    slug = factory.Sequence(lambda n: f"attribut-{n}")
    name = factory.Sequence(lambda n: f"Attribut {n}")
    kind = AttributeKind.TEXT


class AttributeChoiceFactory(factory.django.DjangoModelFactory[AttributeChoice]):
    class Meta:
        model = AttributeChoice

    attribute = factory.SubFactory(AttributeFactory, kind=AttributeKind.CHOICE)
    slug = factory.Sequence(lambda n: f"choix-{n}")
    value = factory.Sequence(lambda n: f"Choix {n}")


class ProductTypeFactory(factory.django.DjangoModelFactory[ProductType]):
    class Meta:
        model = ProductType
        django_get_or_create = ("slug",)

    slug = "outillage"
    name = "Outillage"


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    product_type = factory.SubFactory(ProductTypeFactory)
    category = factory.SubFactory(CategoryFactory)
    slug = factory.Sequence(lambda n: f"produit-{n}")
    name = factory.Sequence(lambda n: f"Produit {n}")
    description = "<p>Un produit solide.</p>"


class ProductTranslationFactory(factory.django.DjangoModelFactory[ProductTranslation]):
    class Meta:
        model = ProductTranslation

    product = factory.SubFactory(ProductFactory)
    language = "en"
    name = factory.LazyAttribute(lambda o: f"{o.product.name} (en)")


class ProductVariantFactory(factory.django.DjangoModelFactory[ProductVariant]):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = "Standard"


class ProductChannelListingFactory(factory.django.DjangoModelFactory[ProductChannelListing]):
    class Meta:
        model = ProductChannelListing

    product = factory.SubFactory(ProductFactory)
    channel = factory.SubFactory(ChannelFactory)
    is_published = True


class VariantChannelPriceFactory(factory.django.DjangoModelFactory[VariantChannelPrice]):
    class Meta:
        model = VariantChannelPrice

    variant = factory.SubFactory(ProductVariantFactory)
    channel = factory.SubFactory(ChannelFactory)
    amount = Decimal("19.90")


def published_product(
    *,
    channel: object = None,
    price: Decimal = Decimal("19.90"),
    variants: int = 1,
    **kwargs: object,
) -> Product:
    """A product with `variants` variants, published in `channel` with a base price each."""
    channel = channel or ChannelFactory()
    product = ProductFactory.create(**kwargs)
    for i in range(variants):
        variant = ProductVariantFactory(product=product, position=i)
        VariantChannelPriceFactory(variant=variant, channel=channel, amount=price + i)
    ProductChannelListingFactory(product=product, channel=channel, price_from=price)
    return product
