"""Catalog write services: happy paths, every refusal with its stable code, and nothing
changed after a refusal."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.catalog import services
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    Category,
    Product,
    ProductAttributeValue,
    ProductChannelListing,
    ProductType,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.errors import Conflict, DomainError, InvalidInput

pytestmark = pytest.mark.django_db

DIRTY = '<p onclick="steal()">Solide<script>alert(1)</script></p><img src=x onerror=alert(2)>'
CLEAN = "<p>Solide</p>"


class raises:  # noqa: N801 - reads like pytest.raises
    """`with raises(Conflict, "SKU_TAKEN"):` asserts the exception type and its code."""

    def __init__(self, error: type[DomainError], code: str) -> None:
        self.error, self.code = error, code

    def __enter__(self) -> "raises":
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        assert exc is not None, f"expected {self.error.__name__}({self.code})"
        assert isinstance(exc, self.error), exc
        assert exc.code == self.code, (exc.code, exc.detail)
        return True


# Categories -----------------------------------------------------------------------------


def test_category_create_slugifies_and_sanitises() -> None:
    parent = services.category_create(name="Outillage à main")

    child = services.category_create(name="Tournevis", parent=parent, description=DIRTY)

    assert parent.slug == "outillage-a-main"
    assert child.parent == parent
    assert child.description == CLEAN


def test_category_slug_taken_is_a_conflict_and_creates_nothing() -> None:
    CategoryFactory.create(slug="jardin")

    with raises(Conflict, "SLUG_TAKEN"):
        services.category_create(name="Jardin")

    assert Category.objects.count() == 1


def test_category_cannot_move_under_itself_or_a_descendant() -> None:
    top = services.category_create(name="Cuisine")
    middle = services.category_create(name="Ustensiles", parent=top)
    leaf = services.category_create(name="Louches", parent=middle)

    with raises(InvalidInput, "PARENT_CYCLE"):
        services.category_update(category=top, parent=leaf)
    with raises(InvalidInput, "PARENT_CYCLE"):
        services.category_update(category=top, parent=top)

    top.refresh_from_db()
    assert top.parent is None


def test_category_update_restores_the_object_when_refused() -> None:
    category = services.category_create(name="Jardin")
    CategoryFactory.create(slug="deco")

    with raises(Conflict, "SLUG_TAKEN"):
        services.category_update(category=category, name="Déco", slug="deco")
    with raises(InvalidInput, "INVALID_INPUT"):
        services.category_update(category=category, name="x" * 121)

    assert (category.name, category.slug) == ("Jardin", "jardin")
    category.refresh_from_db()
    assert category.name == "Jardin"


def test_category_translation_is_upserted_and_sanitised() -> None:
    category = services.category_create(name="Jardin")

    services.category_translation_set(category=category, language="en", name="Gardn")
    translation = services.category_translation_set(
        category=category, language="en", name="Garden", description=DIRTY
    )

    assert category.translations.count() == 1
    assert (translation.name, translation.description) == ("Garden", CLEAN)
    with raises(InvalidInput, "LANGUAGE_INVALID"):
        services.category_translation_set(category=category, language="de", name="Garten")


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
    product, attributes = _typed_product()
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
    product, attributes = _typed_product()
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


def _typed_product() -> tuple[Product, dict[str, Attribute]]:
    attributes = {
        "puissance": services.attribute_create(name="Puissance", kind="number", unit="W"),
        "marque": services.attribute_create(name="Marque", kind="text"),
        "sans-fil": services.attribute_create(name="Sans fil", kind="boolean"),
        "couleur": services.attribute_create(
            name="Couleur", kind="choice", choices=["Rouge", "Bleu"]
        ),
        "taille": services.attribute_create(name="Taille", kind="choice", choices=["M", "L"]),
    }
    product_type = services.product_type_create(
        name="Outil",
        product_attributes=[attributes[k] for k in ("puissance", "marque", "sans-fil", "couleur")],
        variant_attributes=[attributes["taille"]],
    )
    return ProductFactory.create(product_type=product_type), attributes


def test_product_attribute_set_stores_each_kind() -> None:
    product, attributes = _typed_product()

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
    product, attributes = _typed_product()
    services.product_attribute_set(product=product, attribute=attributes["puissance"], value=500)
    if value == "other-attribute-choice":
        value = attributes["taille"].choices.first()

    with raises(InvalidInput, "ATTRIBUTE_VALUE_INVALID"):
        services.product_attribute_set(product=product, attribute=attributes[slug], value=value)

    assert list(product.attribute_values.values_list("attribute__slug", "value_number")) == [
        ("puissance", Decimal("500"))
    ]


def test_attribute_outside_the_product_type_is_refused() -> None:
    product, attributes = _typed_product()
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


# Variants ----------------------------------------------------------------------------------


def test_variant_create_normalises_the_gtin_and_positions() -> None:
    product = ProductFactory.create()

    first = services.variant_create(product=product, sku="PVS-18", gtin="4006381-333931")
    second = services.variant_create(
        product=product, sku="PVS-18-2", weight_grams=1500, length_mm=0, gtin="73513537"
    )

    assert (first.gtin, first.position) == ("4006381333931", 0)
    assert (second.gtin, second.position, second.weight_grams) == ("73513537", 1, 1500)


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"gtin": "4006381333932"}, InvalidInput, "GTIN_INVALID"),
        ({"gtin": "12345"}, InvalidInput, "GTIN_INVALID"),
        ({"gtin": "400638133393A"}, InvalidInput, "GTIN_INVALID"),
        ({"sku": "TAKEN"}, Conflict, "SKU_TAKEN"),
        ({"sku": "with space"}, InvalidInput, "SKU_INVALID"),
        ({"sku": ""}, InvalidInput, "SKU_INVALID"),
        ({"weight_grams": -1}, InvalidInput, "DIMENSION_INVALID"),
        ({"height_mm": 1.5}, InvalidInput, "DIMENSION_INVALID"),
        ({"width_mm": True}, InvalidInput, "DIMENSION_INVALID"),
    ],
)
def test_variant_create_refusals(kwargs: dict[str, Any], error: Any, code: str) -> None:
    product = ProductFactory.create()
    ProductVariantFactory.create(sku="TAKEN")
    values = {"product": product, "sku": "NEW-1", **kwargs}

    with raises(error, code):
        services.variant_create(**values)

    assert ProductVariant.objects.count() == 1


def test_variant_update_refusal_leaves_the_variant_as_it_was() -> None:
    variant = ProductVariantFactory.create(sku="A-1", gtin="")
    ProductVariantFactory.create(sku="B-1")

    with raises(Conflict, "SKU_TAKEN"):
        services.variant_update(variant=variant, sku="B-1", name="Nouveau")
    with raises(InvalidInput, "GTIN_INVALID"):
        services.variant_update(variant=variant, gtin="4006381333932")
    with raises(InvalidInput, "DIMENSION_INVALID"):
        services.variant_update(variant=variant, weight_grams=-5)

    assert (variant.sku, variant.name, variant.gtin, variant.weight_grams) == (
        "A-1",
        "Standard",
        "",
        None,
    )
    services.variant_update(variant=variant, weight_grams=None, gtin=" 73513537 ")
    variant.refresh_from_db()
    assert variant.gtin == "73513537"


def test_single_variant_types_take_one_variant() -> None:
    product = ProductFactory.create(
        product_type=ProductTypeFactory.create(slug="simple", has_variants=False)
    )
    services.variant_create(product=product, sku="ONE")

    with raises(InvalidInput, "VARIANTS_NOT_ALLOWED"):
        services.variant_create(product=product, sku="TWO")

    assert product.variants.count() == 1


# Prices and publication --------------------------------------------------------------------


def test_variant_price_set_keeps_price_from_at_the_lowest_variant_price() -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    small = ProductVariantFactory.create(product=product)
    large = ProductVariantFactory.create(product=product)
    listing = services.product_publish(product=product, channel=channel)
    assert listing.price_from is None

    services.variant_price_set(variant=large, channel=channel, amount=Decimal("39.90"))
    services.variant_price_set(variant=small, channel=channel, amount=Decimal("24.90"))
    listing.refresh_from_db()
    assert listing.price_from == Decimal("24.90")

    services.variant_price_set(variant=small, channel=channel, amount=Decimal("44.90"))
    listing.refresh_from_db()
    assert listing.price_from == Decimal("39.90")

    services.variant_price_remove(variant=large, channel=channel)
    listing.refresh_from_db()
    assert listing.price_from == Decimal("44.90")

    services.variant_delete(variant=small)
    listing.refresh_from_db()
    assert listing.price_from is None


def test_prices_are_per_channel() -> None:
    b2c, b2b = ChannelFactory.create(), B2BChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.product_publish(product=variant.product, channel=b2c)
    services.product_publish(product=variant.product, channel=b2b)

    services.variant_price_set(variant=variant, channel=b2c, amount=Decimal("12.00"))
    services.variant_price_set(variant=variant, channel=b2b, amount=Decimal(8))

    assert dict(ProductChannelListing.objects.values_list("channel__code", "price_from")) == {
        "boutique-france": Decimal("12.00"),
        "comptoir-pro": Decimal("8.00"),
    }


@pytest.mark.parametrize(
    "amount", [Decimal("-0.01"), Decimal("1.999"), 19.9, "19.90", Decimal("Infinity"), True]
)
def test_variant_price_set_refuses_bad_amounts(amount: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.variant_price_set(variant=variant, channel=channel, amount=Decimal("5.00"))

    with raises(InvalidInput, "PRICE_INVALID"):
        services.variant_price_set(variant=variant, channel=channel, amount=amount)

    assert VariantChannelPrice.objects.get().amount == Decimal("5.00")


def test_product_listing_refresh_prices_in_bulk_with_constant_queries() -> None:
    channel = ChannelFactory.create()
    products = [ProductFactory.create() for _ in range(6)]
    for index, product in enumerate(products):
        for extra in (0, 5):
            variant = ProductVariantFactory.create(product=product)
            VariantChannelPrice.objects.create(
                variant=variant, channel=channel, amount=Decimal(10 + index + extra)
            )
        ProductChannelListing.objects.create(product=product, channel=channel)

    with CaptureQueriesContext(connection) as queries:
        changed = services.product_listing_refresh_prices(
            product_ids=[p.pk for p in products], channel=channel
        )

    assert changed == 6
    assert len(queries) <= 5  # prices, listings, one bulk update, savepoint in/out
    assert list(
        ProductChannelListing.objects.order_by("product_id").values_list("price_from", flat=True)
    ) == [Decimal(10 + i) for i in range(6)]
    assert services.product_listing_refresh_prices(product_ids=[p.pk for p in products]) == 0


def test_publish_and_unpublish_keep_the_first_publication_date() -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    assert services.product_unpublish(product=product, channel=channel) is None

    first = services.product_publish(product=product, channel=channel)
    hidden = services.product_unpublish(product=product, channel=channel)
    again = services.product_publish(product=product, channel=channel)

    assert hidden is not None
    assert hidden.is_published is False
    assert again.is_published is True
    assert again.published_at == first.published_at
    assert ProductChannelListing.objects.count() == 1
    services.product_listing_delete(product=product, channel=channel)
    assert ProductChannelListing.objects.count() == 0
