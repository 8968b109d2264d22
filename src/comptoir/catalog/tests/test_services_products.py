"""Product services: sanitised descriptions, conflicts, translations and typed attribute
values."""

from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog import services
from comptoir.catalog.models import Product
from comptoir.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_services import CLEAN, DIRTY, raises, typed_product
from comptoir.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


# Products ----------------------------------------------------------------------------------


def test_product_create_and_update_sanitise_the_description() -> None:
    product_type = ProductTypeFactory.create()
    category = CategoryFactory.create()

    product = services.product_create(
        product_type=product_type, category=category, name="Perceuse 18 V", description=DIRTY
    )
    assert (product.slug, product.description) == ("perceuse-18-v", CLEAN)

    services.product_update(product=product, description='<a href="javascript:x()">lien</a>')
    product.refresh_from_db()
    assert product.description == '<a rel="noopener noreferrer nofollow">lien</a>'


def test_product_slug_and_external_ref_conflicts_change_nothing() -> None:
    ProductFactory.create(slug="perceuse", external_ref="ERP-1")
    product = ProductFactory.create(slug="visseuse", name="Visseuse")

    with raises(Conflict, "SLUG_TAKEN"):
        services.product_create(
            product_type=product.product_type, category=product.category, name="Perceuse"
        )
    with raises(Conflict, "SLUG_TAKEN"):
        services.product_update(product=product, name="Autre", slug="perceuse")
    with raises(Conflict, "EXTERNAL_REF_TAKEN"):
        services.product_update(product=product, external_ref="ERP-1")

    assert Product.objects.count() == 2
    assert (product.name, product.slug) == ("Visseuse", "visseuse")
    product.refresh_from_db()
    assert (product.name, product.slug, product.external_ref) == ("Visseuse", "visseuse", None)


def test_product_translation_set_upserts_and_sanitises() -> None:
    product = ProductFactory.create()

    services.product_translation_set(product=product, language="en", name="Drill")
    translation = services.product_translation_set(
        product=product, language="en", name="Cordless drill", description=DIRTY
    )

    assert product.translations.count() == 1
    assert (translation.name, translation.description) == ("Cordless drill", CLEAN)
    with raises(InvalidInput, "LANGUAGE_INVALID"):
        services.product_translation_set(product=product, language="xx", name="?")
    services.product_translation_delete(product=product, language="en")
    assert product.translations.count() == 0


def test_product_attribute_set_stores_each_kind() -> None:
    product, attributes = typed_product()

    services.product_attribute_set(
        product=product, attribute=attributes["puissance"], value=Decimal("750.5")
    )
    services.product_attribute_set(
        product=product, attribute=attributes["marque"], value=" Voltis "
    )
    services.product_attribute_set(product=product, attribute=attributes["sans-fil"], value=False)
    services.product_attribute_set(product=product, attribute=attributes["couleur"], value="bleu")

    values = {
        v.attribute.slug: (
            v.value_text,
            v.value_number,
            v.value_boolean,
            v.choice and v.choice.slug,
        )
        for v in product.attribute_values.select_related("attribute", "choice")
    }
    assert values == {
        "puissance": ("", Decimal("750.5"), None, None),
        "marque": ("Voltis", None, None, None),
        "sans-fil": ("", None, False, None),
        "couleur": ("", None, None, "bleu"),
    }
    services.product_attribute_set(product=product, attribute=attributes["marque"], value=None)
    assert product.attribute_values.count() == 3


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        ("puissance", 1.5),
        ("puissance", True),
        ("puissance", "beaucoup"),
        ("puissance", Decimal("NaN")),
        ("puissance", Decimal("0.00001")),
        ("puissance", Decimal("12345678901")),
        ("marque", ""),
        ("marque", 12),
        ("marque", "x" * 256),
        ("sans-fil", "oui"),
        ("sans-fil", 1),
        ("couleur", "vert"),
        ("couleur", 3),
        ("couleur", "other-attribute-choice"),
    ],
)
def test_product_attribute_set_refuses_values_of_the_wrong_kind(slug: str, value: Any) -> None:
    product, attributes = typed_product()
    services.product_attribute_set(product=product, attribute=attributes["puissance"], value=500)
    if value == "other-attribute-choice":
        value = attributes["taille"].choices.first()

    with raises(InvalidInput, "ATTRIBUTE_VALUE_INVALID"):
        services.product_attribute_set(product=product, attribute=attributes[slug], value=value)

    assert list(product.attribute_values.values_list("attribute__slug", "value_number")) == [
        ("puissance", Decimal("500"))
    ]


def test_attribute_outside_the_product_type_is_refused() -> None:
    product, attributes = typed_product()
    variant = ProductVariantFactory.create(product=product)

    with raises(InvalidInput, "ATTRIBUTE_NOT_IN_TYPE"):
        services.product_attribute_set(product=product, attribute=attributes["taille"], value="m")
    with raises(InvalidInput, "ATTRIBUTE_NOT_IN_TYPE"):
        services.variant_attribute_set(variant=variant, attribute=attributes["marque"], value="X")
    row = services.variant_attribute_set(variant=variant, attribute=attributes["taille"], value="l")

    assert row is not None
    assert row.choice is not None
    assert row.choice.value == "L"
    assert product.attribute_values.count() == 0
