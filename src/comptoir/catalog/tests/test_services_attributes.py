"""Attribute and product type services: kinds, choices, levels."""

from typing import Any

import pytest

from comptoir.catalog import services
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeTranslation,
    ProductAttributeValue,
    ProductType,
)
from comptoir.catalog.tests.factories import AttributeFactory
from comptoir.catalog.tests.test_services import raises, typed_product
from comptoir.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


# Attributes and product types -------------------------------------------------------------


def test_attribute_create_with_choices_and_english_name() -> None:
    colour = services.attribute_create(
        name="Couleur",
        kind="choice",
        name_en="Colour",
        choices=[services.ChoiceSpec("Vert sauge", "Sage green"), "Noir"],
    )

    assert colour.slug == "couleur"
    assert list(colour.choices.values_list("slug", "value", "value_en", "position")) == [
        ("vert-sauge", "Vert sauge", "Sage green", 0),
        ("noir", "Noir", "", 1),
    ]
    assert colour.translations.get(language="en").name == "Colour"
    added = services.attribute_choice_add(attribute=colour, value="Blanc", value_en="White")
    assert (added.slug, added.position) == ("blanc", 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"kind": "colour"}, InvalidInput, "ATTRIBUTE_KIND_INVALID"),
        ({"kind": "text", "unit": "mm"}, InvalidInput, "ATTRIBUTE_UNIT_INVALID"),
        ({"kind": "number", "choices": ["Rouge"]}, InvalidInput, "ATTRIBUTE_CHOICES_INVALID"),
        ({"kind": "choice", "choices": ["Rouge", "rouge"]}, Conflict, "ATTRIBUTE_CHOICE_TAKEN"),
        ({"kind": "choice", "choices": ["!!"]}, InvalidInput, "ATTRIBUTE_CHOICE_INVALID"),
    ],
)
def test_attribute_create_refusals(kwargs: dict[str, Any], error: Any, code: str) -> None:
    with raises(error, code):
        services.attribute_create(name="Couleur", **kwargs)

    assert Attribute.objects.count() == 0
    assert AttributeChoice.objects.count() == 0


def test_attribute_slug_and_choice_slug_conflicts() -> None:
    attribute = services.attribute_create(name="Matière", kind="choice", choices=["Inox"])

    with raises(Conflict, "SLUG_TAKEN"):
        services.attribute_create(name="Matière", kind="text")
    with raises(Conflict, "ATTRIBUTE_CHOICE_TAKEN"):
        services.attribute_choice_add(attribute=attribute, value="Inox")
    with raises(InvalidInput, "ATTRIBUTE_UNIT_INVALID"):
        services.attribute_update(attribute=attribute, unit="kg")

    assert attribute.choices.count() == 1
    assert attribute.unit == ""


def test_attribute_choice_in_use_cannot_be_deleted() -> None:
    product, attributes = typed_product()
    choice = attributes["couleur"].choices.get(slug="rouge")
    services.product_attribute_set(product=product, attribute=attributes["couleur"], value=choice)

    with raises(Conflict, "ATTRIBUTE_CHOICE_IN_USE"):
        services.attribute_choice_delete(choice=choice)
    services.attribute_choice_delete(choice=attributes["couleur"].choices.get(slug="bleu"))

    assert list(attributes["couleur"].choices.values_list("slug", flat=True)) == ["rouge"]


def test_product_type_refuses_an_attribute_on_both_levels() -> None:
    size = AttributeFactory.create(slug="taille")

    with raises(InvalidInput, "ATTRIBUTE_LEVEL_CONFLICT"):
        services.product_type_create(
            name="Gant", product_attributes=[size], variant_attributes=[size]
        )

    assert ProductType.objects.count() == 0


def test_product_type_update_drops_values_of_removed_attributes() -> None:
    product, attributes = typed_product()
    services.product_attribute_set(product=product, attribute=attributes["marque"], value="X")
    services.product_attribute_set(product=product, attribute=attributes["sans-fil"], value=True)

    services.product_type_update(
        product_type=product.product_type, product_attributes=[attributes["sans-fil"]]
    )

    assert list(
        ProductAttributeValue.objects.filter(product=product).values_list(
            "attribute__slug", flat=True
        )
    ) == ["sans-fil"]


def test_attribute_translation_delete_forgets_one_language() -> None:
    colour = services.attribute_create(name="Couleur", kind="text", name_en="Colour")
    size = services.attribute_create(name="Taille", kind="text", name_en="Size")

    services.attribute_translation_delete(attribute=colour, language="en")
    services.attribute_translation_delete(attribute=colour, language="en")  # already gone

    assert list(AttributeTranslation.objects.values_list("attribute__slug", "name")) == [
        ("taille", "Size")
    ]
    assert size.translations.count() == 1


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_attribute_translation_refuses_an_empty_or_overlong_name(name: str) -> None:
    attribute = AttributeFactory.create()

    with pytest.raises(InvalidInput) as info:
        services.attribute_translation_set(attribute=attribute, language="en", name=name)

    assert info.value.code == "INVALID_INPUT"
    assert "name" in info.value.errors
    assert attribute.translations.count() == 0
