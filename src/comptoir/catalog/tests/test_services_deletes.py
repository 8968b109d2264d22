"""Deleting catalog structure: categories, attributes and product types, refused while in
use."""

import pytest

from comptoir.catalog import services
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    Product,
    ProductAttributeValue,
    ProductType,
)
from comptoir.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_services import raises, typed_product
from comptoir.core.errors import Conflict

pytestmark = pytest.mark.django_db


# Deleting catalog structure -----------------------------------------------------------------


def test_category_delete_removes_it_with_its_translations() -> None:
    category = services.category_create(name="Jardin")
    services.category_translation_set(category=category, language="en", name="Garden")

    services.category_delete(category=category)

    assert not Category.objects.filter(slug="jardin").exists()
    assert not CategoryTranslation.objects.exists()


def test_category_with_products_or_subcategories_is_not_deleted() -> None:
    with_product = CategoryFactory.create(slug="outillage")
    ProductFactory.create(category=with_product)
    with_child = CategoryFactory.create(slug="jardin")
    CategoryFactory.create(slug="tondeuses", parent=with_child)

    with raises(Conflict, "CATEGORY_IN_USE"):
        services.category_delete(category=with_product)
    with raises(Conflict, "CATEGORY_IN_USE"):
        services.category_delete(category=with_child)

    assert set(Category.objects.values_list("slug", flat=True)) == {
        "jardin",
        "outillage",
        "tondeuses",
    }
    assert Product.objects.filter(category=with_product).count() == 1


def test_attribute_delete_removes_it_with_its_choices_and_translations() -> None:
    color = services.attribute_create(
        name="Couleur", kind="choice", choices=["Rouge", "Bleu"], name_en="Colour"
    )

    services.attribute_delete(attribute=color)

    assert (Attribute.objects.count(), AttributeChoice.objects.count()) == (0, 0)
    assert AttributeTranslation.objects.count() == 0


def test_attribute_in_use_is_not_deleted() -> None:
    product, attributes = typed_product()
    variant = ProductVariantFactory.create(product=product)
    services.variant_attribute_set(variant=variant, attribute=attributes["taille"], value="m")
    # A value left from before the attribute was taken out of the type still blocks it.
    orphan = services.attribute_create(name="Ancien", kind="text")
    ProductAttributeValue.objects.create(product=product, attribute=orphan, value_text="x")

    for slug in ("puissance", "taille"):  # listed by the type at product and variant level
        with raises(Conflict, "ATTRIBUTE_IN_USE"):
            services.attribute_delete(attribute=attributes[slug])
    with raises(Conflict, "ATTRIBUTE_IN_USE"):
        services.attribute_delete(attribute=orphan)
    services.product_type_update(
        product_type=product.product_type, product_attributes=[], variant_attributes=[]
    )
    services.attribute_delete(attribute=attributes["puissance"])  # now free

    assert Attribute.objects.count() == 5
    assert AttributeChoice.objects.filter(attribute=attributes["taille"]).count() == 2


def test_product_type_delete_keeps_its_attributes() -> None:
    size = AttributeFactory.create(slug="taille")
    product_type = services.product_type_create(name="Gant", variant_attributes=[size])

    services.product_type_delete(product_type=product_type)

    assert not ProductType.objects.exists()
    assert list(Attribute.objects.values_list("slug", flat=True)) == ["taille"]


def test_product_type_in_use_is_not_deleted() -> None:
    product = ProductFactory.create()

    with raises(Conflict, "PRODUCT_TYPE_IN_USE"):
        services.product_type_delete(product_type=product.product_type)

    assert ProductType.objects.filter(pk=product.product_type_id).exists()
