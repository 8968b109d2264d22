"""Shared catalogs: a company assigned to some sees only their categories' and products'
items, in listings, product pages, search and the API, and cannot price, add to a cart or
order anything else; companies assigned to none and consumers see the public catalog."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import User
from comptoir.catalog.models import Category, Product, SharedCatalog
from comptoir.catalog.selectors.shared import restriction_for_company
from comptoir.catalog.services import shared as services
from comptoir.catalog.tests.factories import CategoryFactory, published_product
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.testing import LanguageClient, api_for, clerk_api, problem
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.search.services import search_reindex_all

pytestmark = pytest.mark.django_db


@dataclass
class World:
    channel: Channel
    tools: Category
    drills: Category
    garden: Category
    drill: Product
    saw: Product
    mower: Product
    lamp: Product
    company: Company
    buyer: User
    other_buyer: User
    catalog: SharedCatalog


def _sku(product: Product) -> str:
    return str(product.variants.get().sku)


@pytest.fixture
def world(db: None) -> World:
    cache.clear()
    channel = ChannelFactory.create()
    tools = CategoryFactory.create(slug="outillage", name="Outillage")
    drills = CategoryFactory.create(slug="perceuses", name="Perceuses", parent=tools)
    saws = CategoryFactory.create(slug="scies", name="Scies", parent=tools)
    garden = CategoryFactory.create(slug="jardin", name="Jardin")
    drill = published_product(channel=channel, category=drills, slug="perceuse", name="Perceuse")
    saw = published_product(channel=channel, category=saws, slug="scie", name="Scie")
    mower = published_product(channel=channel, category=garden, slug="tondeuse", name="Tondeuse")
    lamp = published_product(channel=channel, category=garden, slug="lampe", name="Lampe")
    company = CompanyFactory.create()
    buyer = CompanyMemberFactory.create(company=company).user
    other_buyer = CompanyMemberFactory.create().user  # a company with no shared catalog
    catalog = services.shared_catalog_create(
        code="atelier",
        name="Atelier",
        categories=["outillage"],
        products=["lampe"],
        companies=[company.pk],
    )
    services.shared_catalogs_version_bump()
    return World(
        channel,
        tools,
        drills,
        garden,
        drill,
        saw,
        mower,
        lamp,
        company,
        buyer,
        other_buyer,
        catalog,
    )


def _api(user: User, path: str, body: Any = None) -> Any:
    api = api_for(user)
    if body is None:
        return api.client.get(f"/api/v1/{path}", headers=api.headers)
    return api.client.post(
        f"/api/v1/{path}", json.dumps(body), content_type="application/json", headers=api.headers
    )


# --- the restriction ----------------------------------------------------------------------


def test_the_restriction_holds_categories_with_descendants_and_products(world: World) -> None:
    restriction = restriction_for_company(world.company.pk)
    assert restriction is not None
    assert restriction.allows(world.drill.pk, world.drills.pk)
    assert restriction.allows(world.saw.pk, world.saw.category_id)
    assert restriction.allows(world.lamp.pk, world.garden.pk)
    assert not restriction.allows(world.mower.pk, world.garden.pk)
    assert restriction_for_company(world.other_buyer.company_membership.company_id) is None
    assert restriction_for_company(None) is None


def test_several_catalogs_add_up_and_inactive_ones_do_not_count(world: World) -> None:
    garden = services.shared_catalog_create(
        code="jardin", name="Jardin", categories=[world.garden.pk], companies=[world.company.pk]
    )
    restriction = restriction_for_company(world.company.pk)
    assert restriction is not None
    assert restriction.allows(world.mower.pk, world.garden.pk)
    services.shared_catalog_update(catalog=garden, is_active=False)
    services.shared_catalogs_version_bump()
    restriction = restriction_for_company(world.company.pk)
    assert restriction is not None
    assert not restriction.allows(world.mower.pk, world.garden.pk)


def test_a_change_is_seen_once_committed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.shared_catalog_update(catalog=world.catalog, companies=[])
    assert restriction_for_company(world.company.pk) is None


def test_the_engine_refuses_what_is_outside(world: World) -> None:
    ctx = pricing_context(channel=world.channel, user=world.buyer)
    inside, outside = price_lines(ctx=ctx, lines=[(_sku(world.drill), 1), (_sku(world.mower), 1)])
    assert inside.problem is None
    assert inside.unit is not None
    assert outside.problem == "NOT_FOR_SALE"
    assert outside.unit is None
    public = pricing_context(channel=world.channel, user=world.other_buyer)
    (line,) = price_lines(ctx=public, lines=[(_sku(world.mower), 1)])
    assert line.problem is None


# --- API ------------------------------------------------------------------------------------


def test_the_product_list_keeps_to_the_shared_catalog(world: World) -> None:
    path = f"products?channel={world.channel.code}"
    slugs = {p["slug"] for p in _api(world.buyer, path).json()["results"]}
    assert slugs == {"perceuse", "scie", "lampe"}
    everything = {p["slug"] for p in _api(world.other_buyer, path).json()["results"]}
    assert everything == {"perceuse", "scie", "lampe", "tondeuse"}
    public = Client().get(f"/api/v1/{path}").json()
    assert public["count"] == 4


def test_a_product_outside_is_a_404_like_an_unknown_one(world: World) -> None:
    outside = _api(world.buyer, f"products/tondeuse?channel={world.channel.code}")
    unknown = _api(world.buyer, f"products/nulle-part?channel={world.channel.code}")
    problem(outside, 404, "PRODUCT_NOT_FOUND")
    problem(unknown, 404, "PRODUCT_NOT_FOUND")
    assert _api(world.buyer, f"products/perceuse?channel={world.channel.code}").status_code == 200
    assert (
        _api(world.other_buyer, f"products/tondeuse?channel={world.channel.code}").status_code
        == 200
    )


def test_prices_and_carts_refuse_what_is_outside(world: World) -> None:
    body = {"channel": world.channel.code, "lines": [{"sku": _sku(world.mower), "quantity": 1}]}
    problem(_api(world.buyer, "prices", body), 400, "NOT_FOR_SALE")
    cart = _api(world.buyer, f"carts?channel={world.channel.code}", {})
    assert cart.status_code in (200, 201), cart.content
    token = cart.json()["token"]
    warehouse = WarehouseFactory.create()
    stock_receive(warehouse=warehouse, variant=world.drill.variants.get(), quantity=5)
    refused = _api(world.buyer, f"carts/{token}/lines", {"sku": _sku(world.mower), "quantity": 1})
    problem(refused, 400, "NOT_FOR_SALE")
    added = _api(world.buyer, f"carts/{token}/lines", {"sku": _sku(world.drill), "quantity": 1})
    assert added.status_code in (200, 201), added.content
    assert [line["sku"] for line in added.json()["lines"]] == [_sku(world.drill)]


# --- storefront -----------------------------------------------------------------------------


def _shopper(user: User, world: World) -> Client:
    client = LanguageClient(language="en")
    client.force_login(user)
    client.get(f"/?channel={world.channel.code}")
    return client


def test_pages_keep_to_the_shared_catalog(world: World) -> None:
    client = _shopper(world.buyer, world)
    home = client.get(reverse("storefront:home")).content.decode()
    assert "Tondeuse" not in home
    assert "Perceuse" in home
    garden = client.get(reverse("storefront:category", args=["jardin"])).content.decode()
    assert "Lampe" in garden
    assert "Tondeuse" not in garden
    assert client.get(reverse("storefront:product", args=["tondeuse"])).status_code == 404
    assert client.get(reverse("storefront:product", args=["lampe"])).status_code == 200
    public = _shopper(world.other_buyer, world)
    garden = public.get(reverse("storefront:category", args=["jardin"])).content.decode()
    assert "Tondeuse" in garden


# --- staff ----------------------------------------------------------------------------------


def test_staff_manage_shared_catalogs(client: Client, world: World) -> None:
    api = clerk_api(
        client,
        "add_sharedcatalog",
        "change_sharedcatalog",
        "view_sharedcatalog",
        "delete_sharedcatalog",
    )
    created = api.post(
        "shared-catalogs",
        {
            "code": "jardin",
            "name": "Jardin",
            "categories": ["jardin"],
            "products": [world.drill.pk],
            "companies": [world.company.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["categories"], body["products"], body["companies"]) == (
        ["jardin"],
        ["perceuse"],
        [world.company.pk],
    )
    changed = api.patch(f"shared-catalogs/{body['id']}", {"companies": [], "is_active": False})
    assert (changed.json()["companies"], changed.json()["is_active"]) == ([], False)
    assert api.get("shared-catalogs").json()["count"] == 2
    assert api.delete(f"shared-catalogs/{body['id']}").status_code == 204
    problem(api.get(f"shared-catalogs/{body['id']}"), 404, "SHARED_CATALOG_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "x", "name": "X", "categories": ["nulle-part"]}, 400, "CATEGORY_NOT_FOUND"),
        ({"code": "x", "name": "X", "products": [999999]}, 400, "PRODUCT_NOT_FOUND"),
        ({"code": "x", "name": "X", "companies": [999999]}, 400, "COMPANY_NOT_FOUND"),
        ({"code": "atelier", "name": "X"}, 409, "CODE_TAKEN"),
        ({"code": "pas un slug", "name": "X"}, 400, "INVALID_INPUT"),
    ],
)
def test_staff_bad_input_changes_nothing(
    client: Client, world: World, body: dict[str, Any], status: int, code: str
) -> None:
    api = clerk_api(client, "add_sharedcatalog")
    problem(api.post("shared-catalogs", body), status, code)
    assert SharedCatalog.objects.count() == 1


def test_buyers_cannot_use_the_staff_api(world: World) -> None:
    api = api_for(world.buyer)
    problem(api.get("shared-catalogs"), 403, "PERMISSION_DENIED")
    problem(
        api.patch(f"shared-catalogs/{world.catalog.pk}", {"companies": []}),
        403,
        "PERMISSION_DENIED",
    )
    assert list(world.catalog.companies.all()) == [world.company]


def test_services_check_everything_before_writing(world: World) -> None:
    with pytest.raises(InvalidInput):
        services.shared_catalog_update(
            catalog=world.catalog, name="Renamed", companies=[world.company.pk, 999999]
        )
    world.catalog.refresh_from_db()
    assert world.catalog.name == "Atelier"
    with pytest.raises(Conflict):
        services.shared_catalog_create(code="atelier", name="Twice")


def test_search_keeps_to_the_shared_catalog(world: World) -> None:
    search_reindex_all()
    path = f"products?channel={world.channel.code}&q=tondeuse"
    assert _api(world.buyer, path).json()["count"] == 0
    assert [p["slug"] for p in _api(world.other_buyer, path).json()["results"]] == ["tondeuse"]
    client = _shopper(world.buyer, world)
    page = client.get(reverse("storefront:search"), {"q": "tondeuse"}).content.decode()
    assert "Tondeuse" not in page


def test_suggestions_keep_to_the_shared_catalog(world: World) -> None:
    search_reindex_all()
    url = reverse("storefront:search_suggestions")
    restricted = _shopper(world.buyer, world).get(url, {"q": "tondeu"}).content.decode()
    public = _shopper(world.other_buyer, world).get(url, {"q": "tondeu"}).content.decode()
    assert "Tondeuse" not in restricted
    assert "Tondeuse" in public
