"""Staff catalog API: access (anonymous 401, customer 403, permissions), CRUD through the
services, and bad input (a 4xx problem+json with a stable code, nothing changed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import (
    Attribute,
    AttributeKind,
    Category,
    Product,
    ProductChannelListing,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.core.testing import ADMIN, Api, api_for, problem  # noqa: F401 (ADMIN: re-exported)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Api:
    return api_for(StaffFactory.create(), client)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "products"),
        ("post", "products"),
        ("get", "categories"),
        ("post", "categories"),
        ("patch", "categories/1"),
        ("get", "attributes"),
        ("get", "product-types"),
        ("delete", "products/1"),
        ("put", "variants/1/prices/boutique-france"),
    ],
)
def test_anonymous_is_401(client: Client, method: str, path: str) -> None:
    api = Api(client, None)
    response = api.get(path) if method == "get" else api.send(method, path, {})

    problem(response, 401, "UNAUTHORIZED")


def test_bad_or_expired_token_is_401(client: Client) -> None:
    problem(Api(client, "not-a-token").get("products"), 401, "UNAUTHORIZED")


def test_customer_is_403_and_nothing_changes(client: Client) -> None:
    customer: Any = UserFactory()
    raw, _token = api_token_create(user=customer)
    api = Api(client, raw)

    problem(api.get("products"), 403, "PERMISSION_DENIED")
    problem(api.post("categories", {"name": "Intrus"}), 403, "PERMISSION_DENIED")
    assert not Category.objects.exists()


def test_staff_needs_the_model_permission(client: Client) -> None:
    clerk: Any = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_category"))
    raw, _token = api_token_create(user=clerk)
    api = Api(client, raw)

    assert api.get("categories").status_code == 200
    problem(api.post("categories", {"name": "Outils"}), 403, "PERMISSION_DENIED")
    problem(api.get("products"), 403, "PERMISSION_DENIED")
    assert not Category.objects.exists()


def test_staff_session_works(client: Client) -> None:
    user: Any = StaffFactory()
    client.force_login(user)

    response = Api(client, None).get("categories")

    assert response.status_code == 200


# --- categories ---------------------------------------------------------------------------


def test_category_crud(api: Api) -> None:
    root = api.post(
        "categories", {"name": "Outillage", "description": "<p>Ok<script>x</script></p>"}
    )
    assert root.status_code == 201, root.content
    created = root.json()
    assert {k: created[k] for k in ("slug", "name", "parent", "description", "is_active")} == {
        "slug": "outillage",
        "name": "Outillage",
        "parent": None,
        "description": "<p>Ok</p>",
        "is_active": True,
    }
    child = api.post("categories", {"name": "Perceuses", "parent": "outillage", "position": 2})
    assert (child.status_code, child.json()["parent"]) == (201, "outillage")

    moved = api.patch(f"categories/{child.json()['id']}", {"parent": None, "name": "Forets"})
    assert (moved.json()["parent"], moved.json()["name"]) == (None, "Forets")

    tr = api.put(f"categories/{created['id']}/translations/en", {"name": "Tools"})
    assert tr.json() == {
        "language": "en",
        "name": "Tools",
        "description": "",
        "seo_title": "",
        "seo_description": "",
    }
    listed = api.get("categories").json()
    assert listed["count"] == 2
    assert listed["results"][0]["translations"][0]["name"] == "Tools"
    assert api.delete(f"categories/{created['id']}/translations/en").status_code == 204
    assert api.get(f"categories/{created['id']}").json()["translations"] == []


def test_category_bad_input_changes_nothing(api: Api) -> None:
    parent: Any = CategoryFactory(slug="outillage")
    child: Any = CategoryFactory(slug="perceuses", parent=parent)

    problem(api.post("categories", {"name": "Autre", "slug": "outillage"}), 409, "SLUG_TAKEN")
    problem(api.post("categories", {"name": "X", "parent": "inconnue"}), 400, "CATEGORY_NOT_FOUND")
    problem(api.post("categories", {"name": "X", "slug": "pas un slug"}), 422, "VALIDATION_ERROR")
    problem(api.post("categories", {"name": ""}), 422, "VALIDATION_ERROR")
    problem(api.post("categories", "{not json"), 400, "BAD_REQUEST")
    problem(api.patch(f"categories/{parent.id}", {"parent": "perceuses"}), 400, "PARENT_CYCLE")
    problem(api.patch(f"categories/{parent.id}", {"name": None}), 400, "INVALID_INPUT")
    problem(
        api.put(f"categories/{parent.id}/translations/de", {"name": "Werkzeug"}),
        400,
        "LANGUAGE_INVALID",
    )
    problem(api.get("categories/999999"), 404, "CATEGORY_NOT_FOUND")
    problem(api.get(f"categories/{10**30}"), 404, "CATEGORY_NOT_FOUND")
    problem(api.get("categories", {"page_size": 500}), 400, "INVALID_PAGINATION")

    assert Category.objects.count() == 2
    child.refresh_from_db()
    parent.refresh_from_db()
    assert (parent.parent_id, parent.name, child.parent_id) == (None, parent.name, parent.id)
    assert not parent.translations.exists()


# --- attributes and product types ---------------------------------------------------------


def test_attribute_and_product_type_crud(api: Api) -> None:
    color = api.post(
        "attributes",
        {
            "name": "Couleur",
            "kind": "choice",
            "name_en": "Colour",
            "choices": [{"value": "Rouge", "value_en": "Red"}, {"value": "Bleu"}],
        },
    )
    assert color.status_code == 201, color.content
    body = color.json()
    assert (body["slug"], body["kind"], body["translations"]) == (
        "couleur",
        "choice",
        {"en": "Colour"},
    )
    assert [(c["slug"], c["value_en"], c["position"]) for c in body["choices"]] == [
        ("rouge", "Red", 0),
        ("bleu", "", 1),
    ]
    green = api.post(f"attributes/{body['id']}/choices", {"value": "Vert", "value_en": "Green"})
    assert (green.status_code, green.json()["position"]) == (201, 2)
    renamed = api.patch(
        f"attributes/{body['id']}/choices/{green.json()['id']}", {"value_en": "Lime"}
    )
    assert renamed.json()["value_en"] == "Lime"
    power = api.post("attributes", {"name": "Puissance", "kind": "number", "unit": "W"}).json()
    assert api.patch(f"attributes/{power['id']}", {"unit": "kW"}).json()["unit"] == "kW"
    assert api.put(f"attributes/{power['id']}/translations/en", {"name": "Power"}).json()[
        "translations"
    ] == {"en": "Power"}

    drill = api.post(
        "product-types",
        {
            "name": "Perceuse",
            "product_attributes": ["puissance"],
            "variant_attributes": ["couleur"],
        },
    )
    assert drill.status_code == 201, drill.content
    assert drill.json()["product_attributes"] == ["puissance"]
    changed = api.patch(f"product-types/{drill.json()['id']}", {"variant_attributes": []})
    assert changed.json()["variant_attributes"] == []
    assert api.get("product-types").json()["count"] == 1
    assert api.get("attributes").json()["count"] == 2


def test_attribute_bad_input_changes_nothing(api: Api) -> None:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    AttributeChoiceFactory(attribute=color, slug="rouge", value="Rouge")

    problem(api.post("attributes", {"name": "X", "kind": "colour"}), 400, "ATTRIBUTE_KIND_INVALID")
    problem(
        api.post("attributes", {"name": "X", "kind": "text", "unit": "W"}),
        400,
        "ATTRIBUTE_UNIT_INVALID",
    )
    problem(api.post("attributes", {"name": "Couleur", "kind": "text"}), 409, "SLUG_TAKEN")
    problem(
        api.post(f"attributes/{color.id}/choices", {"value": "Rouge"}),
        409,
        "ATTRIBUTE_CHOICE_TAKEN",
    )
    problem(
        api.patch(f"attributes/{color.id}/choices/999999", {"value": "X"}),
        404,
        "ATTRIBUTE_CHOICE_NOT_FOUND",
    )
    problem(
        api.post("product-types", {"name": "T", "product_attributes": ["inconnu"]}),
        400,
        "ATTRIBUTE_NOT_FOUND",
    )
    problem(
        api.post(
            "product-types",
            {"name": "T", "product_attributes": ["couleur"], "variant_attributes": ["couleur"]},
        ),
        400,
        "ATTRIBUTE_LEVEL_CONFLICT",
    )

    assert Attribute.objects.count() == 1
    assert color.choices.count() == 1


# --- products, variants, prices, publication ----------------------------------------------


@pytest.fixture
def catalog() -> dict[str, Any]:
    weight: Any = AttributeFactory(slug="poids", kind=AttributeKind.NUMBER, unit="kg")
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    AttributeChoiceFactory(attribute=color, slug="rouge")
    product_type: Any = ProductTypeFactory(slug="outillage")
    product_type.product_attributes.set([weight])
    product_type.variant_attributes.set([color])
    return {"category": CategoryFactory(slug="perceuses"), "type": product_type}


def test_product_lifecycle(api: Api, client: Client, channel: Any, catalog: dict[str, Any]) -> None:
    created = api.post(
        "products",
        {
            "product_type": "outillage",
            "category": "perceuses",
            "name": "Perceuse à percussion",
            "brand": "Bosch",
            "description": '<p onclick="x()">Solide</p>',
            "external_ref": "ERP-1",
        },
    )
    assert created.status_code == 201, created.content
    product = created.json()
    assert (product["slug"], product["description"]) == ("perceuse-a-percussion", "<p>Solide</p>")
    pid = product["id"]

    assert api.put(f"products/{pid}/attributes/poids", {"value": "1.5"}).json()["attributes"] == [
        {"attribute": "poids", "kind": "number", "value": "1.5", "choice": None}
    ]
    assert api.put(f"products/{pid}/translations/en", {"name": "Hammer drill"}).status_code == 200
    variant = api.post(
        f"products/{pid}/variants",
        {"sku": "PERC-1", "gtin": "4006381333931", "name": "Rouge", "weight_grams": 1800},
    )
    assert variant.status_code == 201, variant.content
    vid = variant.json()["id"]
    colored = api.put(f"variants/{vid}/attributes/couleur", {"value": "rouge"})
    assert colored.json()["attributes"] == [
        {"attribute": "couleur", "kind": "choice", "value": "rouge", "choice": "rouge"}
    ]
    priced = api.put(f"variants/{vid}/prices/boutique-france", {"amount": "129.90"})
    assert priced.json()["prices"] == [
        {"channel": "boutique-france", "amount": "129.90", "currency": "EUR"}
    ]
    published = api.put(f"products/{pid}/channels/boutique-france", {"is_published": True})
    assert published.status_code == 200, published.content
    assert (published.json()["is_published"], published.json()["price_from"]) == (True, "129.90")

    public = client.get("/api/v1/products", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(r["name"], r["price"]["gross"]) for r in public["results"]] == [
        ("Hammer drill", "129.90")
    ]
    detail = client.get(f"/api/v1/products/{product['slug']}").json()
    assert [(v["sku"], v["attributes"][0]["value"]) for v in detail["variants"]] == [
        ("PERC-1", "rouge")
    ]

    renamed = api.patch(f"products/{pid}", {"name": "Perceuse SDS", "external_ref": None})
    assert (renamed.json()["name"], renamed.json()["external_ref"]) == ("Perceuse SDS", None)
    hidden = api.put(f"products/{pid}/channels/boutique-france", {"is_published": False})
    assert hidden.json()["is_published"] is False
    assert client.get("/api/v1/products").json()["count"] == 0

    full = api.get(f"products/{pid}").json()
    assert [v["sku"] for v in full["variants"]] == ["PERC-1"]
    assert [t["language"] for t in full["translations"]] == ["en"]
    assert api.get("products", {"search": "sds"}).json()["count"] == 1

    assert api.delete(f"variants/{vid}/prices/boutique-france").status_code == 204
    assert api.delete(f"variants/{vid}/attributes/couleur").status_code == 204
    assert api.delete(f"products/{pid}/attributes/poids").status_code == 204
    assert api.delete(f"products/{pid}/translations/en").status_code == 204
    assert api.delete(f"variants/{vid}").status_code == 204
    assert api.delete(f"products/{pid}").status_code == 204
    assert not Product.objects.exists()


def test_product_bad_input_changes_nothing(api: Api, catalog: dict[str, Any]) -> None:
    existing: Any = ProductFactory(
        slug="perceuse", product_type=catalog["type"], category=catalog["category"]
    )
    base = {"product_type": "outillage", "category": "perceuses", "name": "Perceuse"}

    problem(api.post("products", base), 409, "SLUG_TAKEN")
    problem(
        api.post("products", {**base, "slug": "autre", "category": "inconnue"}),
        400,
        "CATEGORY_NOT_FOUND",
    )
    problem(
        api.post("products", {**base, "slug": "autre", "product_type": "inconnu"}),
        400,
        "PRODUCT_TYPE_NOT_FOUND",
    )
    problem(api.post("products", {"name": "Sans type"}), 422, "VALIDATION_ERROR")
    problem(
        api.put(f"products/{existing.id}/attributes/poids", {"value": "lourd"}),
        400,
        "ATTRIBUTE_VALUE_INVALID",
    )
    problem(
        api.put(f"products/{existing.id}/attributes/couleur", {"value": "rouge"}),
        400,
        "ATTRIBUTE_NOT_IN_TYPE",
    )
    problem(
        api.put(f"products/{existing.id}/attributes/inconnu", {"value": "1"}),
        404,
        "ATTRIBUTE_NOT_FOUND",
    )
    problem(
        api.patch(f"products/{existing.id}", {"category": "inconnue"}), 400, "CATEGORY_NOT_FOUND"
    )
    problem(
        api.put(f"products/{existing.id}/channels/nulle-part", {"is_published": True}),
        404,
        "CHANNEL_NOT_FOUND",
    )
    problem(api.get("products/999999"), 404, "PRODUCT_NOT_FOUND")
    problem(api.delete("products/999999"), 404, "PRODUCT_NOT_FOUND")

    assert list(Product.objects.values_list("slug", flat=True)) == ["perceuse"]
    assert not existing.attribute_values.exists()
    assert not ProductChannelListing.objects.exists()


def test_variant_bad_input_changes_nothing(api: Api, channel: Any, catalog: dict[str, Any]) -> None:
    variant: Any = ProductVariantFactory(sku="PERC-1", product__product_type=catalog["type"])
    pid = variant.product_id

    problem(api.post(f"products/{pid}/variants", {"sku": "PERC-1"}), 409, "SKU_TAKEN")
    problem(
        api.post(f"products/{pid}/variants", {"sku": "PERC-2", "gtin": "4006381333932"}),
        400,
        "GTIN_INVALID",
    )
    problem(api.post(f"products/{pid}/variants", {"sku": "PERC 2"}), 400, "SKU_INVALID")
    problem(
        api.post(f"products/{pid}/variants", {"sku": "PERC-2", "weight_grams": -1}),
        422,
        "VALIDATION_ERROR",
    )
    problem(api.patch(f"variants/{variant.id}", {"gtin": "123"}), 400, "GTIN_INVALID")
    problem(
        api.put(f"variants/{variant.id}/prices/boutique-france", {"amount": "-1"}),
        400,
        "PRICE_INVALID",
    )
    problem(
        api.put(f"variants/{variant.id}/prices/boutique-france", {"amount": "1.999"}),
        400,
        "PRICE_INVALID",
    )
    problem(
        api.put(f"variants/{variant.id}/prices/boutique-france", {"amount": "cher"}),
        422,
        "VALIDATION_ERROR",
    )
    problem(
        api.put(f"variants/{variant.id}/attributes/couleur", {"value": "vert"}),
        400,
        "ATTRIBUTE_VALUE_INVALID",
    )
    problem(api.get("variants/999999"), 404, "VARIANT_NOT_FOUND")

    assert list(ProductVariant.objects.values_list("sku", "gtin")) == [("PERC-1", "")]
    assert not VariantChannelPrice.objects.exists()
    assert not variant.attribute_values.exists()


def test_price_amount_is_stored_to_the_cent(api: Api, channel: Any) -> None:
    variant: Any = ProductVariantFactory()

    api.put(f"variants/{variant.id}/prices/boutique-france", {"amount": 12.5})

    assert VariantChannelPrice.objects.get().amount == Decimal("12.50")
