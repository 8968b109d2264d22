"""Product cards: search, attribute filters and sorts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.models import (
    AttributeKind,
    ProductAttributeValue,
    ProductTranslation,
    VariantAttributeValue,
)
from comptoir.catalog.selectors import product_cards
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    ProductTranslationFactory,
    published_product,
)
from comptoir.core.errors import InvalidInput
from comptoir.core.pagination import PageRequest

pytestmark = pytest.mark.django_db

PAGE = PageRequest(page=1, page_size=24)


def slugs(cards: list[Any]) -> list[str]:
    return [c.slug for c in cards]


@pytest.fixture
def searchable(channel: Any) -> dict[str, Any]:
    drill = published_product(
        channel=channel, slug="perceuse", name="Perceuse sans fil", brand="Bosch"
    )
    ProductTranslationFactory(product=drill, name="Cordless drill")
    saw = published_product(channel=channel, slug="scie", name="Scie circulaire", brand="Makita")
    saw.variants.update(sku="MAK-5008")
    lamp = published_product(channel=channel, slug="lampe", name="Lampe 100% LED", brand="Philips")
    return {"drill": drill, "saw": saw, "lamp": lamp}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("perceuse", ["perceuse"]),
        ("PERCEUSE", ["perceuse"]),
        ("cordless", ["perceuse"]),  # translated name, whatever the language asked
        ("makita", ["scie"]),  # brand
        ("mak-50", ["scie"]),  # SKU
        ("sans bosch", ["perceuse"]),  # every word, anywhere
        ("sans makita", []),
        ("100%", ["lampe"]),  # LIKE wildcards are literal
        ("_", []),
        ("   ", ["perceuse", "scie", "lampe"]),
    ],
)
def test_search(channel: Any, searchable: dict[str, Any], search: str, expected: list[str]) -> None:
    cards, count = product_cards(channel=channel, language="fr", page=PAGE, search=search)

    assert slugs(cards) == expected
    assert count == len(expected)


def test_search_ignores_words_under_three_letters_unless_alone(
    channel: Any, searchable: dict[str, Any]
) -> None:
    cards, _count = product_cards(channel=channel, language="fr", page=PAGE, search="à la scie")
    short, _count = product_cards(channel=channel, language="fr", page=PAGE, search="fil")
    only_short, _count = product_cards(channel=channel, language="fr", page=PAGE, search="ci")

    assert slugs(cards) == ["scie"]
    assert slugs(short) == ["perceuse"]  # three letters are enough
    assert slugs(only_short) == ["scie"]  # "Scie circulaire"


@pytest.mark.postgres
def test_search_ignores_accents_on_postgresql(channel: Any) -> None:
    published_product(channel=channel, slug="etagere", name="Étagère murale")

    cards, _count = product_cards(channel=channel, language="fr", page=PAGE, search="etagere")
    cards_accented, _count = product_cards(
        channel=channel, language="fr", page=PAGE, search="ÉTAGÈRE"
    )

    assert slugs(cards) == slugs(cards_accented) == ["etagere"]


@pytest.mark.parametrize("search", ["x" * 201, "a\x00b", " ".join("abcdefghi")])
def test_bad_search_is_invalid_filter(channel: Any, search: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, search=search)
    assert exc.value.code == "INVALID_FILTER"


@pytest.fixture
def attributed(channel: Any) -> dict[str, Any]:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge", value="Rouge")
    blue: Any = AttributeChoiceFactory(attribute=color, slug="bleu", value="Bleu")
    power: Any = AttributeFactory(slug="puissance", kind=AttributeKind.NUMBER, unit="W")
    cordless: Any = AttributeFactory(slug="sans-fil", kind=AttributeKind.BOOLEAN)
    AttributeFactory(slug="interne", kind=AttributeKind.TEXT, filterable=False)
    material: Any = AttributeFactory(slug="matiere", kind=AttributeKind.TEXT)

    a = published_product(channel=channel, slug="a")
    b = published_product(channel=channel, slug="b")
    c = published_product(channel=channel, slug="c")
    ProductAttributeValue.objects.create(product=a, attribute=power, value_number=Decimal(500))
    ProductAttributeValue.objects.create(product=a, attribute=cordless, value_boolean=True)
    ProductAttributeValue.objects.create(product=a, attribute=material, value_text="Acier")
    ProductAttributeValue.objects.create(product=b, attribute=power, value_number=Decimal(1200))
    ProductAttributeValue.objects.create(product=b, attribute=cordless, value_boolean=False)
    # Colors live on the variants.
    VariantAttributeValue.objects.create(variant=a.variants.get(), attribute=color, choice=red)
    VariantAttributeValue.objects.create(variant=b.variants.get(), attribute=color, choice=blue)
    ProductAttributeValue.objects.create(product=c, attribute=color, choice=red)
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (["couleur:rouge"], ["a", "c"]),  # on a variant (a) or on the product (c)
        (["couleur:bleu"], ["b"]),
        (["couleur:rouge", "couleur:bleu"], ["a", "b", "c"]),  # one attribute: any value
        (["couleur:rouge", "sans-fil:true"], ["a"]),  # several attributes: all of them
        (["sans-fil:false"], ["b"]),
        (["puissance:500"], ["a"]),
        (["puissance:500.00"], ["a"]),
        (["puissance:600..1200"], ["b"]),
        (["puissance:..600"], ["a"]),
        (["puissance:501.."], ["b"]),
        (["puissance:0..10000"], ["a", "b"]),
        (["matiere:acier"], ["a"]),
    ],
)
def test_attribute_filters(
    channel: Any, attributed: dict[str, Any], attributes: list[str], expected: list[str]
) -> None:
    cards, count = product_cards(channel=channel, language="fr", page=PAGE, attributes=attributes)

    assert slugs(cards) == expected
    assert count == len(expected)


@pytest.mark.parametrize(
    "attributes",
    [
        ["inconnu:x"],
        ["interne:x"],  # not filterable
        ["couleur:vert"],  # unknown choice
        ["sans-fil:peut-etre"],
        ["puissance:beaucoup"],
        ["puissance:NaN"],
        ["puissance:1e400"],
        ["puissance:.."],
        ["puissance:1..x"],
        ["couleur"],
        ["couleur:"],
        [":rouge"],
        ["couleur:rouge"] * 21,
    ],
)
def test_bad_attribute_filters_are_invalid_filter(
    channel: Any, attributed: dict[str, Any], attributes: list[str]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, attributes=attributes)
    assert exc.value.code == "INVALID_FILTER"


@pytest.fixture
def sortable(channel: Any) -> None:
    for slug, name, name_en, price in [
        ("b", "Banc", "Zebra bench", "30.00"),
        ("a", "Armoire", "Wardrobe", None),
        ("c", "Chaise", None, "10.00"),
    ]:
        product = published_product(channel=channel, slug=slug, name=name)
        product.channel_listings.update(price_from=price)
        if name_en:
            ProductTranslation.objects.create(product=product, language="en", name=name_en)


@pytest.mark.parametrize(
    ("sort", "language", "expected"),
    [
        (None, "fr", ["b", "a", "c"]),
        ("newest", "fr", ["c", "a", "b"]),
        ("name", "fr", ["a", "b", "c"]),
        ("-name", "fr", ["c", "b", "a"]),
        ("name", "en", ["c", "a", "b"]),  # Chaise, Wardrobe, Zebra bench
        ("price", "fr", ["c", "b", "a"]),  # unpriced last
        ("-price", "fr", ["b", "c", "a"]),  # unpriced last
    ],
)
def test_sort(
    channel: Any, sortable: None, sort: str | None, language: str, expected: list[str]
) -> None:
    cards, _count = product_cards(channel=channel, language=language, page=PAGE, sort=sort)

    assert slugs(cards) == expected


@pytest.mark.parametrize("sort", ["prix", "-newest", "name,price"])
def test_unknown_sort_is_invalid_sort(channel: Any, sort: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, sort=sort)
    assert exc.value.code == "INVALID_SORT"
