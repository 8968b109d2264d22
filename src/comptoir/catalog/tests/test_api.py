"""Public catalog API: categories, product list (filters, pages, errors), product detail."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from comptoir.catalog.models import (
    AttributeKind,
    CategoryTranslation,
    ProductAttributeValue,
    ProductImage,
    ProductTranslation,
)
from comptoir.catalog.schemas import ProductDetailOut, ProductListOut
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductTranslationFactory,
    published_product,
)
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def assert_rendered_as(response: Any, schema: type[BaseModel]) -> None:
    """The list and the detail render their dicts without ninja validating them: the body
    must be byte for byte what validating against the documented schema would render."""
    assert response["Content-Type"] == "application/json; charset=utf-8"
    validated = schema.model_validate(response.json()).model_dump()
    assert response.content.decode() == json.dumps(validated)


# --- categories ---------------------------------------------------------------------------


@pytest.fixture
def categories() -> None:
    tools: Any = CategoryFactory(slug="outillage", name="Outillage", description="<p>Outils</p>")
    CategoryFactory(slug="perceuses", name="Perceuses", parent=tools)
    CategoryFactory(slug="cache", name="Caché", is_active=False)
    CategoryTranslation.objects.create(category=tools, language="en", name="Tools")


def test_category_tree_in_french_and_english(client: Client, categories: None) -> None:
    french = client.get(f"{API}/categories", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get(f"{API}/categories", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert french.status_code == 200
    assert french.json() == [
        {
            "slug": "outillage",
            "name": "Outillage",
            "description": "<p>Outils</p>",
            "seo_title": "",
            "seo_description": "",
            "children": [
                {
                    "slug": "perceuses",
                    "name": "Perceuses",
                    "description": "",
                    "seo_title": "",
                    "seo_description": "",
                    "children": [],
                }
            ],
        }
    ]
    assert [c["name"] for c in english.json()] == ["Tools"]
    assert english["Content-Language"] == "en"


def test_one_category(client: Client, categories: None) -> None:
    response = client.get(f"{API}/categories/outillage", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert (response.json()["name"], len(response.json()["children"])) == ("Tools", 1)


def test_category_translation_falls_back_within_itself(client: Client) -> None:
    # Given French SEO texts, and an English translation with a name only
    garden: Any = CategoryFactory(
        slug="jardin",
        name="Jardin",
        description="<p>Tout pour le jardin</p>",
        seo_title="Jardin pas cher",
        seo_description="Outils de jardin",
    )
    CategoryTranslation.objects.create(category=garden, language="en", name="Garden")

    english = client.get(f"{API}/categories/jardin", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get(f"{API}/categories/jardin", HTTP_ACCEPT_LANGUAGE="fr").json()

    # then English never shows French text: the SEO title is the English name
    assert {k: english[k] for k in ("name", "description", "seo_title", "seo_description")} == {
        "name": "Garden",
        "description": "",
        "seo_title": "Garden",
        "seo_description": "",
    }
    assert (french["seo_title"], french["seo_description"]) == (
        "Jardin pas cher",
        "Outils de jardin",
    )


def test_category_seo_description_is_an_excerpt_of_the_translated_description(
    client: Client,
) -> None:
    garden: Any = CategoryFactory(slug="jardin", seo_description="Outils de jardin")
    CategoryTranslation.objects.create(
        category=garden,
        language="en",
        name="Garden",
        description="<p>Tools <strong>&amp;</strong> seeds</p><script>x()</script>",
    )

    body = client.get(f"{API}/categories/jardin", HTTP_ACCEPT_LANGUAGE="en").json()

    assert (body["description"], body["seo_description"]) == (
        "<p>Tools <strong>&amp;</strong> seeds</p>",
        "Tools & seeds",
    )


@pytest.mark.parametrize("slug", ["inconnue", "cache", "a%00b", "x" * 300])
def test_unknown_category_is_404(client: Client, categories: None, slug: str) -> None:
    problem(client.get(f"{API}/categories/{slug}"), 404, "CATEGORY_NOT_FOUND")


# --- product list -------------------------------------------------------------------------


def test_product_list(client: Client, channel: Any) -> None:
    drill = published_product(
        channel=channel, slug="perceuse", name="Perceuse", brand="Bosch", variants=2
    )
    ProductTranslationFactory(product=drill, name="Drill")
    ProductImage.objects.create(product=drill, image="p/d.jpg", thumbnail="p/d-t.jpg")
    unpriced = published_product(channel=channel, slug="devis", name="Sur devis")
    unpriced.channel_listings.update(price_from=None)
    # One of the drill's variants is in stock; the other product has none.
    stock_receive(
        warehouse=WarehouseFactory.create(), variant=drill.variants.order_by("id")[0], quantity=3
    )

    response = client.get(f"{API}/products", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": drill.id,
                "slug": "perceuse",
                "name": "Drill",
                "brand": "Bosch",
                "category": drill.category.slug,
                "price": {
                    "net": "16.58",
                    "tax": "3.32",
                    "gross": "19.90",
                    "currency": "EUR",
                    "rule": "base",
                    "tax_rate": "20",
                    "undiscounted": None,
                },
                "thumbnail_url": "http://testserver/media/p/d-t.jpg",
                "variant_count": 2,
                "in_stock": True,
            },
            {
                "id": unpriced.id,
                "slug": "devis",
                "name": "Sur devis",
                "brand": "",
                "category": unpriced.category.slug,
                "price": None,
                "thumbnail_url": None,
                "variant_count": 1,
                "in_stock": False,
            },
        ],
    }
    assert_rendered_as(response, ProductListOut)
    french = client.get(f"{API}/products", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert [r["name"] for r in french["results"]] == ["Perceuse", "Sur devis"]


def test_product_list_pages_keep_the_filters(client: Client, channel: Any) -> None:
    for i in range(5):
        published_product(channel=channel, slug=f"p{i}", name=f"Produit {i}")

    response = client.get(f"{API}/products", {"page": "2", "page_size": "2", "search": "produit"})

    body = response.json()
    assert body["count"] == 5
    assert [r["slug"] for r in body["results"]] == ["p2", "p3"]
    assert body["next"] == f"{API}/products?search=produit&page=3&page_size=2"
    assert body["previous"] == f"{API}/products?search=produit&page=1&page_size=2"


def test_product_list_of_another_channel(client: Client, channel: Any) -> None:
    pro = B2BChannelFactory()
    published_product(channel=channel, slug="grand-public")
    published_product(channel=pro, slug="pro", price=Decimal("8.00"))

    response = client.get(f"{API}/products", {"channel": "comptoir-pro"})

    assert [(r["slug"], r["price"]) for r in response.json()["results"]] == [
        (
            "pro",
            {
                "net": "8.00",
                "tax": "1.60",
                "gross": "9.60",
                "currency": "EUR",
                "rule": "base",
                "tax_rate": "20",
                "undiscounted": None,
            },
        )
    ]


def test_product_list_filters(client: Client, channel: Any) -> None:
    tools: Any = CategoryFactory(slug="outillage")
    drills: Any = CategoryFactory(slug="perceuses", parent=tools)
    power: Any = AttributeFactory(slug="puissance", kind=AttributeKind.NUMBER, unit="W")
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge")
    a = published_product(channel=channel, slug="a", name="Perceuse", category=drills)
    b = published_product(
        channel=channel, slug="b", name="Perceuse forte", category=drills, price=Decimal(5)
    )
    published_product(channel=channel, slug="c", name="Vase")
    ProductAttributeValue.objects.create(product=a, attribute=power, value_number=500)
    ProductAttributeValue.objects.create(product=b, attribute=power, value_number=900)
    ProductAttributeValue.objects.create(product=b, attribute=color, choice=red)

    def slugs(**params: Any) -> list[str]:
        response = client.get(f"{API}/products", params)
        assert response.status_code == 200, response.content
        return [r["slug"] for r in response.json()["results"]]

    assert slugs(category="outillage") == ["a", "b"]
    assert slugs(search="perceuse forte") == ["b"]
    assert slugs(attr="puissance:400..600") == ["a"]
    assert slugs(attr=["puissance:400..", "couleur:rouge"]) == ["b"]
    assert slugs(category="outillage", sort="price") == ["b", "a"]
    assert slugs(sort="-name") == ["c", "b", "a"]


@pytest.fixture
def hidden_products(channel: Any) -> None:
    """ "visible" in an active category; "inactive" in an inactive one; "under-inactive" in
    an active subcategory of an inactive one."""
    shown: Any = CategoryFactory(slug="montre")
    archive: Any = CategoryFactory(slug="archive", is_active=False)
    below: Any = CategoryFactory(slug="sous-archive", parent=archive)
    published_product(channel=channel, slug="visible", name="Perceuse visible", category=shown)
    published_product(channel=channel, slug="inactive", name="Perceuse rangee", category=archive)
    published_product(channel=channel, slug="under-inactive", name="Perceuse sous", category=below)


def test_products_of_hidden_categories_are_not_listed(
    client: Client, hidden_products: None
) -> None:
    def listed(**params: Any) -> tuple[int, list[str]]:
        body = client.get(f"{API}/products", params).json()
        return body["count"], [r["slug"] for r in body["results"]]

    assert listed() == (1, ["visible"])
    assert listed(search="perceuse") == (1, ["visible"])
    assert listed(sort="name") == (1, ["visible"])
    assert listed(search="sous") == (0, [])


@pytest.mark.parametrize("slug", ["inactive", "under-inactive"])
def test_product_of_a_hidden_category_is_404(
    client: Client, hidden_products: None, slug: str
) -> None:
    assert client.get(f"{API}/products/visible").status_code == 200
    problem(client.get(f"{API}/products/{slug}"), 404, "PRODUCT_NOT_FOUND")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"page_size": 101}, 400, "INVALID_PAGINATION"),
        ({"page_size": 0}, 400, "INVALID_PAGINATION"),
        ({"page": 0}, 400, "INVALID_PAGINATION"),
        ({"page": -3}, 400, "INVALID_PAGINATION"),
        ({"page": "abc"}, 422, "VALIDATION_ERROR"),
        ({"page_size": "1e3"}, 422, "VALIDATION_ERROR"),
        ({"sort": "prix"}, 400, "INVALID_SORT"),
        ({"attr": "inconnu:1"}, 400, "INVALID_FILTER"),
        ({"attr": "pas-de-valeur"}, 400, "INVALID_FILTER"),
        ({"search": "x" * 201}, 400, "INVALID_FILTER"),
        ({"search": "a\x00b"}, 400, "INVALID_FILTER"),
        ({"category": "inconnue"}, 404, "CATEGORY_NOT_FOUND"),
        ({"channel": "inconnu"}, 404, "CHANNEL_NOT_FOUND"),
        ({"channel": "a\x00b"}, 404, "CHANNEL_NOT_FOUND"),
        ({"colour": "red"}, 400, "UNKNOWN_PARAMETER"),
        ({"limit": "10", "offset": "20"}, 400, "UNKNOWN_PARAMETER"),
    ],
)
def test_product_list_bad_input(
    client: Client, channel: Any, params: dict[str, Any], status: int, code: str
) -> None:
    published_product(channel=channel)

    body = problem(client.get(f"{API}/products", params), status, code)

    assert body["detail"]


def test_unknown_parameter_names_them(client: Client, channel: Any) -> None:
    response = client.get(f"{API}/products", {"colour": "red"}, HTTP_ACCEPT_LANGUAGE="en")
    body = problem(response, 400, "UNKNOWN_PARAMETER")

    assert body["errors"] == {"colour": ["Unknown parameter."]}


def test_empty_parameters_are_ignored(client: Client, channel: Any) -> None:
    published_product(channel=channel)

    response = client.get(
        f"{API}/products", {"channel": "", "category": "", "search": "", "attr": "", "sort": ""}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_page_beyond_the_last_is_empty(client: Client, channel: Any) -> None:
    published_product(channel=channel)

    response = client.get(f"{API}/products", {"page": 10**12})

    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (1, [])


@pytest.mark.parametrize("page_size", [5, 48])
def test_product_list_query_count_does_not_grow_with_the_page(
    client: Client, channel: Any, django_assert_num_queries: Any, page_size: int
) -> None:
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", variants=2)
        ProductTranslation.objects.create(product=product, language="en", name=f"P{i}")
        ProductImage.objects.create(product=product, image=f"p/{i}.jpg")

    # Hidden categories are excluded inside the same statements.
    archive: Any = CategoryFactory(slug="archive", is_active=False)
    published_product(channel=channel, slug="hidden", category=archive)

    # Cold: channel + tax classes + tax rates + promotions + count + page + the page's
    # stock; then the channel, taxes and promotions are kept in the process: count + page +
    # stock (counts under COUNT_CACHE_MIN are always exact). Pricing a visitor's cards
    # costs no query.
    with django_assert_num_queries(7):
        response = client.get(
            f"{API}/products", {"page_size": page_size}, HTTP_ACCEPT_LANGUAGE="en"
        )
    with django_assert_num_queries(3):
        warm = client.get(f"{API}/products", {"page_size": page_size}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(response.json()["results"]) == page_size
    assert warm.json() == response.json()


@pytest.mark.parametrize("page_size", [5, 48])
def test_filtered_product_list_query_count_does_not_grow_with_the_page(
    client: Client, channel: Any, django_assert_num_queries: Any, page_size: int
) -> None:
    category: Any = CategoryFactory(slug="outillage")
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge")
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", category=category)
        ProductAttributeValue.objects.create(product=product, attribute=color, choice=red)

    query = {
        "page_size": str(page_size),
        "category": "outillage",
        "attr": "couleur:rouge",
        "search": "produit",
    }
    # Cold: channel + tax classes + tax rates + promotions + categories + attributes + count
    # + page + stock; then the channel, taxes, promotions and the category tree are kept in
    # the process: attributes + count + page + stock.
    with django_assert_num_queries(9):
        response = client.get(f"{API}/products", query)
    with django_assert_num_queries(4):
        warm = client.get(f"{API}/products", query)
    assert warm.json() == response.json()
    assert len(response.json()["results"]) == page_size


# --- product detail -----------------------------------------------------------------------


def test_product_detail(client: Client, channel: Any) -> None:
    category: Any = CategoryFactory(slug="outillage", name="Outillage")
    CategoryTranslation.objects.create(category=category, language="en", name="Tools")
    weight: Any = AttributeFactory(slug="poids", name="Poids", kind=AttributeKind.NUMBER, unit="kg")
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        brand="Bosch",
        category=category,
        model_3d="products/perceuse/3d/p.glb",
        variants=2,
    )
    ProductTranslationFactory(product=product, name="Drill", description="<p>Strong</p>")
    ProductAttributeValue.objects.create(
        product=product, attribute=weight, value_number=Decimal("1.5")
    )
    first = product.variants.order_by("position").first()
    assert first is not None
    first.gtin, first.weight_grams = "4006381333931", 1500
    first.save()
    stock_receive(warehouse=WarehouseFactory.create(), variant=first, quantity=2)
    ProductImage.objects.create(product=product, image="p/1.jpg", alt="Vue", alt_en="View")
    product.documents.create(kind="technical_sheet", title="Fiche", file="d/fiche.pdf")

    response = client.get(f"{API}/products/perceuse", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    price = {
        "net": "16.58",
        "tax": "3.32",
        "gross": "19.90",
        "currency": "EUR",
        "rule": "base",
        "tax_rate": "20",
        "undiscounted": None,
    }
    assert {k: body[k] for k in ("id", "slug", "name", "description", "brand", "product_type")} == {
        "id": product.id,
        "slug": "perceuse",
        "name": "Drill",
        "description": "<p>Strong</p>",
        "brand": "Bosch",
        "product_type": "outillage",
    }
    assert body["category"] == {"slug": "outillage", "name": "Tools"}
    assert (body["price"], body["in_stock"]) == (price, True)
    assert body["attributes"] == [
        {
            "slug": "poids",
            "name": "Poids",
            "kind": "number",
            "value": "1.5",
            "display": "1.5 kg",
            "unit": "kg",
        }
    ]
    assert body["variants"][0] == {
        "id": first.id,
        "sku": first.sku,
        "gtin": "4006381333931",
        "name": "Standard",
        "price": price,
        "tiers": [],
        "quantity_rule": {"minimum": 1, "maximum": None, "increment": 1},
        "in_stock": True,
        "weight_grams": 1500,
        "length_mm": None,
        "width_mm": None,
        "height_mm": None,
        "attributes": [],
    }
    assert body["variants"][1]["price"]["gross"] == "20.90"
    assert body["variants"][1]["in_stock"] is False  # no stock of its own
    assert body["media"] == [
        {
            "url": "http://testserver/media/p/1.jpg",
            "thumbnail_url": "http://testserver/media/p/1.jpg",
            "alt": "View",
            "variant_id": None,
            "width": None,
            "height": None,
            "renditions": [],
        }
    ]
    assert body["documents"] == [
        {
            "kind": "technical_sheet",
            "kind_label": "Technical data sheet",
            "title": "Fiche",
            "language": "fr",
            "url": "http://testserver/media/d/fiche.pdf",
        }
    ]
    assert body["model_3d"] == {
        "gltf_url": "http://testserver/media/products/perceuse/3d/p.glb",
        "usdz_url": None,
    }
    assert_rendered_as(response, ProductDetailOut)
    french = client.get(f"{API}/products/perceuse", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (french["name"], french["category"]["name"]) == ("Perceuse", "Outillage")
    assert french["attributes"][0]["display"] == "1,5 kg"


def test_product_detail_in_another_channel(client: Client, channel: Any) -> None:
    pro = B2BChannelFactory()
    published_product(channel=pro, slug="pro", price=Decimal("8.00"))

    problem(client.get(f"{API}/products/pro"), 404, "PRODUCT_NOT_FOUND")
    response = client.get(f"{API}/products/pro", {"channel": "comptoir-pro"})
    # A tax-excluded channel: the amount entered is the net.
    net = {
        "net": "8.00",
        "tax": "1.60",
        "gross": "9.60",
        "currency": "EUR",
        "rule": "base",
        "tax_rate": "20",
        "undiscounted": None,
    }
    assert response.json()["price"] == net
    assert response.json()["variants"][0]["price"] == net
    assert response.json()["model_3d"] is None


SEO_FIELDS = ("name", "description", "seo_title", "seo_description")


def test_product_translation_falls_back_within_itself(client: Client, channel: Any) -> None:
    # Given French SEO texts, and an English translation with a name only
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        description="<p>Solide</p>",
        seo_title="Perceuse pas chère",
        seo_description="La meilleure perceuse",
    )
    ProductTranslationFactory(product=product, name="Drill")

    english = client.get(f"{API}/products/perceuse", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get(f"{API}/products/perceuse", HTTP_ACCEPT_LANGUAGE="fr").json()

    # then nothing French leaks into English: the SEO title is the English name
    assert {k: english[k] for k in SEO_FIELDS} == {
        "name": "Drill",
        "description": "",
        "seo_title": "Drill",
        "seo_description": "",
    }
    assert {k: french[k] for k in SEO_FIELDS} == {
        "name": "Perceuse",
        "description": "<p>Solide</p>",
        "seo_title": "Perceuse pas chère",
        "seo_description": "La meilleure perceuse",
    }


def test_product_seo_description_is_an_excerpt_of_the_translated_description(
    client: Client, channel: Any
) -> None:
    product = published_product(channel=channel, slug="perceuse", seo_description="Solide")
    long_text = "Sturdy " * 40
    ProductTranslationFactory(
        product=product,
        name="Drill",
        seo_title="Best drill",
        description=f"<p>{long_text}</p>",
    )

    body = client.get(f"{API}/products/perceuse", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["seo_title"] == "Best drill"
    assert body["seo_description"] == long_text[:159] + "…"
    assert len(body["seo_description"]) == 160


def test_price_object_schema_has_every_amount(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json").json()["components"]["schemas"]["PriceOut"]

    for name in ("net", "tax", "gross"):
        assert schema["properties"][name]["type"] == "string", name
    assert set(schema["required"]) == {
        "net",
        "tax",
        "gross",
        "currency",
        "rule",
        "tax_rate",
        "undiscounted",
    }


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("products/inconnu", 404, "PRODUCT_NOT_FOUND"),
        ("products/masque", 404, "PRODUCT_NOT_FOUND"),
        ("products/a%00b", 404, "PRODUCT_NOT_FOUND"),
        ("products/visible?channel=nulle-part", 404, "CHANNEL_NOT_FOUND"),
    ],
)
def test_product_detail_bad_input(
    client: Client, channel: Any, path: str, status: int, code: str
) -> None:
    published_product(channel=channel, slug="visible")
    hidden = published_product(channel=channel, slug="masque")
    hidden.channel_listings.update(is_published=False)

    problem(client.get(f"{API}/{path}"), status, code)


@pytest.mark.parametrize("variants", [1, 5])
def test_product_detail_query_count_does_not_grow_with_variants(
    client: Client, channel: Any, django_assert_num_queries: Any, variants: int
) -> None:
    product = published_product(channel=channel, slug="p", variants=variants)
    for variant in product.variants.all():
        ProductImage.objects.create(product=product, variant=variant, image="p/x.jpg")
    CategoryFactory(slug="archive", is_active=False)

    # channel + tax classes + tax rates + promotions + product + attributes + variant
    # attributes + documents + variants + images + the variants' free stock, then the
    # channel, taxes and promotions are kept in the process
    with django_assert_num_queries(11):
        response = client.get(f"{API}/products/p", HTTP_ACCEPT_LANGUAGE="en")
    with django_assert_num_queries(7):
        client.get(f"{API}/products/p", HTTP_ACCEPT_LANGUAGE="en")
    assert len(response.json()["variants"]) == variants
