"""Staff catalog API: text no database column can hold (NUL characters, lone surrogates) and
publication dates out of range are a 4xx problem+json that changes nothing, on SQLite and
PostgreSQL alike (run this module with DATABASE_URL=postgres://... too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeKind,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    Product,
    ProductAttributeValue,
    ProductChannelListing,
    ProductTranslation,
    ProductType,
    ProductVariant,
    VariantAttributeValue,
)
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_api_admin import Api, problem
from comptoir.channels.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

NUL = "\x00"
SURROGATE = "\ud800"  # sent as the JSON escape "\ud800", a lone UTF-16 surrogate

ROWS: tuple[type[models.Model], ...] = (
    Category,
    CategoryTranslation,
    Attribute,
    AttributeTranslation,
    AttributeChoice,
    ProductType,
    Product,
    ProductTranslation,
    ProductAttributeValue,
    ProductVariant,
    VariantAttributeValue,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table the staff API writes, to show nothing changed."""
    return {
        model.__name__: sorted(
            tuple(str(v) for v in row)
            for row in model._default_manager.values_list(
                *[f.attname for f in model._meta.concrete_fields]
            )
        )
        for model in ROWS
    }


@pytest.fixture
def api(client: Client) -> Api:
    user: Any = StaffFactory()
    raw, _token = api_token_create(user=user)
    return Api(client, raw)


@pytest.fixture
def ids() -> dict[str, int]:
    brand: Any = AttributeFactory(slug="marque", kind=AttributeKind.TEXT)
    size: Any = AttributeFactory(slug="taille", kind=AttributeKind.CHOICE)
    choice: Any = AttributeChoiceFactory(attribute=size, slug="m")
    product_type: Any = ProductTypeFactory(slug="outillage")
    product_type.product_attributes.set([brand])
    product_type.variant_attributes.set([size])
    category: Any = CategoryFactory(slug="perceuses")
    product: Any = ProductFactory(product_type=product_type, category=category)
    variant: Any = ProductVariantFactory(product=product, sku="PVS-1")
    return {
        "category": category.pk,
        "attribute": brand.pk,
        "size": size.pk,
        "choice": choice.pk,
        "type": product_type.pk,
        "product": product.pk,
        "variant": variant.pk,
    }


PRODUCT = {"product_type": "outillage", "category": "perceuses", "name": "Perceuse"}

# (method, path, body, the field named in the error); {x} is filled from the `ids` fixture.
WRITES: list[tuple[str, str, dict[str, Any], str]] = [
    ("post", "categories", {"name": f"Jar{NUL}din"}, "name"),
    ("post", "categories", {"name": "Jardin", "metadata": {"erp": f"A{NUL}"}}, "metadata"),
    ("post", "categories", {"name": "Jardin", "metadata": {SURROGATE: 1}}, "metadata"),
    ("post", "categories", {"name": "Jardin", "external_ref": f"E{NUL}"}, "external_ref"),
    ("patch", "categories/{category}", {"seo_title": f"T{NUL}"}, "seo_title"),
    ("patch", "categories/{category}", {"metadata": {"a": [f"{SURROGATE}"]}}, "metadata"),
    ("put", "categories/{category}/translations/en", {"name": f"Gar{NUL}den"}, "name"),
    ("post", "attributes", {"name": f"Cou{NUL}leur", "kind": "text"}, "name"),
    (
        "post",
        "attributes",
        {"name": "Couleur", "kind": "choice", "choices": [{"value": f"Ro{NUL}uge"}]},
        "choices",
    ),
    ("patch", "attributes/{attribute}", {"name": f"M{NUL}"}, "name"),
    ("put", "attributes/{attribute}/translations/en", {"name": f"B{NUL}rand"}, "name"),
    ("post", "attributes/{size}/choices", {"value": f"L{NUL}"}, "value"),
    ("patch", "attributes/{size}/choices/{choice}", {"value_en": f"M{NUL}"}, "value_en"),
    ("post", "product-types", {"name": f"Ty{NUL}pe"}, "name"),
    ("patch", "product-types/{type}", {"name": f"Ty{NUL}pe"}, "name"),
    ("post", "products", {**PRODUCT, "name": f"Per{NUL}ceuse"}, "name"),
    ("post", "products", {**PRODUCT, "metadata": {"a": [{"b": f"{NUL}"}]}}, "metadata"),
    ("post", "products", {**PRODUCT, "external_ref": f"ERP{NUL}"}, "external_ref"),
    ("patch", "products/{product}", {"brand": f"Vol{NUL}tis"}, "brand"),
    ("patch", "products/{product}", {"description": f"<p>{NUL}</p>"}, "description"),
    ("patch", "products/{product}", {"metadata": {SURROGATE: "x"}}, "metadata"),
    ("put", "products/{product}/translations/en", {"name": f"Dr{NUL}ill"}, "name"),
    ("put", "products/{product}/attributes/marque", {"value": f"Vol{NUL}tis"}, "value"),
    ("post", "products/{product}/variants", {"sku": f"A{NUL}B"}, "sku"),
    ("post", "products/{product}/variants", {"sku": "AB", "name": f"N{NUL}"}, "name"),
    ("patch", "variants/{variant}", {"external_ref": f"{NUL}"}, "external_ref"),
    ("patch", "variants/{variant}", {"metadata": {"k": {f"{NUL}": 1}}}, "metadata"),
    ("put", "variants/{variant}/attributes/taille", {"value": f"m{NUL}"}, "value"),
]


@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p} {f}" for m, p, _b, f in WRITES])
def test_unstorable_text_is_refused_and_changes_nothing(
    api: Api, ids: dict[str, int], write: tuple[str, str, dict[str, Any], str]
) -> None:
    method, path, body, field = write
    before = snapshot()

    response = api.send(method, path.format(**ids), body)

    payload = problem(response, 400, "INVALID_TEXT")
    assert list(payload["errors"]) == [field]
    assert snapshot() == before


# --- publication dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_at", "status", "code"),
    [
        ("0001-01-01T00:00:00+05:00", 400, "PUBLISHED_AT_INVALID"),  # year 0 in UTC
        ("0001-01-01T00:00:00Z", 400, "PUBLISHED_AT_INVALID"),
        ("1969-12-31T23:59:59Z", 400, "PUBLISHED_AT_INVALID"),
        ("1970-01-01T00:59:59+01:00", 400, "PUBLISHED_AT_INVALID"),  # 1969 in UTC
        ("9999-12-31T23:59:59Z", 400, "PUBLISHED_AT_INVALID"),  # not shown in every zone
        ("9999-12-31T23:00:00-05:00", 400, "PUBLISHED_AT_INVALID"),  # year 10000 in UTC
        ("2026-05-01T10:00:00", 422, "VALIDATION_ERROR"),  # naive: which zone?
        ("2026-02-30T10:00:00Z", 422, "VALIDATION_ERROR"),
    ],
)
def test_publication_date_out_of_range_is_refused(
    api: Api, ids: dict[str, int], published_at: str, status: int, code: str
) -> None:
    channel: Any = ChannelFactory()
    path = f"products/{ids['product']}/channels/{channel.code}"

    response = api.put(path, {"is_published": True, "published_at": published_at})

    problem(response, status, code)
    assert not ProductChannelListing.objects.exists()
    assert api.get(f"products/{ids['product']}").status_code == 200


@pytest.mark.parametrize(
    ("published_at", "stored"),
    [
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2026-05-01T12:00:00+02:00", "2026-05-01T10:00:00Z"),
        ("9999-12-30T12:00:00+00:00", "9999-12-30T12:00:00Z"),
    ],
)
def test_publication_date_in_range_is_stored_in_utc(
    api: Api, ids: dict[str, int], published_at: str, stored: str
) -> None:
    channel: Any = ChannelFactory()
    path = f"products/{ids['product']}/channels/{channel.code}"

    response = api.put(path, {"is_published": True, "published_at": published_at})

    assert response.status_code == 200, response.content
    listing = ProductChannelListing.objects.get()
    assert listing.published_at is not None
    assert listing.published_at.isoformat().replace("+00:00", "Z") == stored
    detail = api.get(f"products/{ids['product']}")
    assert detail.status_code == 200
    assert detail.json()["listings"][0]["published_at"].replace("+00:00", "Z") == stored
