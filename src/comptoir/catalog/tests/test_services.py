"""Catalog write services: what every test_services_*.py module shares (the `raises`
helper, a typed product), and the checks every service makes (text that cannot be stored).
Each subject has its own module: categories, attributes, products, variants, deletes,
media, concurrency."""

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.catalog import services
from comptoir.catalog.models import Attribute, Category, Product, ProductType, ProductVariant
from comptoir.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.core.errors import DomainError, InvalidInput

pytestmark = pytest.mark.django_db

DIRTY = '<p onclick="steal()">Solide<script>alert(1)</script></p><img src=x onerror=alert(2)>'
CLEAN = "<p>Solide</p>"


class raises:  # noqa: N801 - reads like pytest.raises
    """`with raises(Conflict, "SKU_TAKEN"):` asserts the exception type and its code."""

    def __init__(self, error: type[DomainError], code: str) -> None:
        self.error, self.code = error, code
        self.errors: dict[str, list[str]] = {}

    def __enter__(self) -> "raises":
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        assert exc is not None, f"expected {self.error.__name__}({self.code})"
        assert isinstance(exc, self.error), exc
        assert exc.code == self.code, (exc.code, exc.detail)
        self.errors = exc.errors
        return True


def typed_product() -> tuple[Product, dict[str, Attribute]]:
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


# Text no database column can hold ------------------------------------------------------------

NUL, SURROGATE = "\x00", "\ud800"


def _product_type() -> ProductType:
    return ProductTypeFactory.create()


BAD_TEXT: list[tuple[str, Callable[[], Any], str]] = [
    ("category name", lambda: services.category_create(name=f"A{SURROGATE}"), "name"),
    (
        "category metadata key",
        lambda: services.category_create(name="A", metadata={"a": {NUL: 1}}),
        "metadata",
    ),
    (
        "category translation",
        lambda: services.category_translation_set(
            category=CategoryFactory.create(), language="en", name="A", seo_title=NUL
        ),
        "seo_title",
    ),
    (
        "choice spec",
        lambda: services.attribute_create(
            name="Couleur", kind="choice", choices=[services.ChoiceSpec("Rouge", f"R{NUL}")]
        ),
        "choices",
    ),
    (
        "product metadata deep in lists",
        lambda: services.product_create(
            product_type=_product_type(),
            category=CategoryFactory.create(),
            name="P",
            metadata={"a": [1, {"b": [None, f"{SURROGATE}"]}]},
        ),
        "metadata",
    ),
    (
        "variant sku",
        lambda: services.variant_create(product=ProductFactory.create(), sku=f"A{NUL}"),
        "sku",
    ),
    (
        "variant metadata",
        lambda: services.variant_update(
            variant=ProductVariantFactory.create(), metadata={SURROGATE: "x"}
        ),
        "metadata",
    ),
]


@pytest.mark.parametrize("call", BAD_TEXT, ids=[name for name, _call, _field in BAD_TEXT])
def test_text_that_cannot_be_stored_is_refused(call: tuple[str, Callable[[], Any], str]) -> None:
    _name, write, field = call

    with raises(InvalidInput, "INVALID_TEXT") as refusal:
        write()

    assert list(refusal.errors) == [field]
    assert not Category.objects.filter(name__startswith="A").exists()
    assert not Attribute.objects.exists()
    assert not Product.objects.filter(name="P").exists()
    assert not ProductVariant.objects.exclude(metadata={}).exists()
    assert not ProductVariant.objects.filter(sku__startswith="A").exists()


def test_several_fields_are_named_and_deep_metadata_is_walked() -> None:
    deep: Any = f"{NUL}"
    for _level in range(5000):  # deeper than the recursion limit
        deep = [deep]

    with raises(InvalidInput, "INVALID_TEXT") as refusal:
        services.category_create(name=f"A{NUL}", seo_title="ok", metadata={"deep": deep})

    assert sorted(refusal.errors) == ["metadata", "name"]
    assert Category.objects.count() == 0
