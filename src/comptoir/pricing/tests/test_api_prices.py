"""POST /api/v1/prices and the caller's prices on the product endpoints."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.catalog.models import ProductChannelListing, VariantChannelPrice
from comptoir.catalog.selectors.shared import shared_catalogs_warm
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.pricing.models import PriceListEntry
from comptoir.pricing.tests.scenario import World, build_world
from comptoir.promotions.selectors.active import promotions_version_bump
from comptoir.promotions.tests.factories import PromotionFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def world() -> World:
    return build_world()


def post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post(
        f"{API}/prices", data=json.dumps(body), content_type="application/json", **extra
    )


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def test_visitor_prices_tax_included(client: Client, world: World) -> None:
    response = post(client, {"lines": [{"sku": "DRILL", "quantity": 3}]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["channel"] == "boutique-france"
    assert body["prices_include_tax"] is True
    assert body["tax_treatment"] == "domestic"
    assert body["legal_mention"] is None
    (line,) = body["lines"]
    assert line["unit"] == {
        "net": "20.00",
        "tax": "4.00",
        "gross": "24.00",
        "currency": "EUR",
        "rule": "base",
        "tax_rate": "20",
        "undiscounted": None,
    }
    assert line["total"] == {
        "net": "60.00",
        "tax": "12.00",
        "gross": "72.00",
        "currency": "EUR",
        "rule": "base",
    }
    assert body["total"] == {"net": "60.00", "tax": "12.00", "gross": "72.00", "currency": "EUR"}


def test_company_buyer_gets_contract_tiers_on_the_business_channel(
    client: Client, world: World
) -> None:
    raw, _token = api_token_create(user=world.buyer)
    response = post(
        client,
        {"lines": [{"sku": "DRILL", "quantity": 10}, {"sku": "DRILL-XL", "quantity": 12}]},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["channel"] == "comptoir-pro"
    assert body["prices_include_tax"] is False
    drill, xl = body["lines"]
    assert (drill["rule"], drill["unit"]["net"], drill["total"]["net"]) == (
        "tier:10",
        "14.00",
        "140.00",
    )
    assert (xl["rule"], xl["unit"]["net"]) == ("price_list:pros", "27.00")
    assert xl["quantity_rule"] == {"minimum": 6, "maximum": None, "increment": 6}
    assert body["total"] == {"net": "464.00", "tax": "92.80", "gross": "556.80", "currency": "EUR"}


def test_belgian_company_buys_under_reverse_charge(client: Client, world: World) -> None:
    client.force_login(world.belge_buyer)
    body = post(client, {"lines": [{"sku": "DRILL", "quantity": 2}]}).json()
    assert body["tax_treatment"] == "reverse_charge"
    assert "2006/112" in body["legal_mention"]
    assert body["total"] == {"net": "40.00", "tax": "0.00", "gross": "40.00", "currency": "EUR"}
    assert body["lines"][0]["unit"]["tax_rate"] == "0"


def test_country_decides_the_treatment(client: Client, world: World) -> None:
    body = post(client, {"lines": [{"sku": "DRILL", "quantity": 1}], "country": "ch"}).json()
    assert body["tax_treatment"] == "export"
    assert body["total"]["gross"] == "20.00"
    assert "146" in body["legal_mention"]


def test_another_companys_prices_are_never_seen(client: Client, world: World) -> None:
    # The Belgian buyer asks on the business channel: base prices, not Martin's contract.
    client.force_login(world.belge_buyer)
    body = post(client, {"lines": [{"sku": "DRILL", "quantity": 10}]}).json()
    assert body["lines"][0]["rule"] == "base"
    assert body["lines"][0]["unit"]["net"] == "20.00"
    # Nor does a visitor asking for the business channel explicitly.
    client.logout()
    body = post(
        client, {"lines": [{"sku": "DRILL", "quantity": 10}]}, QUERY_STRING="channel=comptoir-pro"
    ).json()
    assert body["lines"][0]["rule"] == "base"


def test_client_sent_prices_are_ignored(client: Client, world: World) -> None:
    response = post(client, {"lines": [{"sku": "DRILL", "quantity": 1, "unit_price": "0.01"}]})
    assert response.status_code == 200
    assert response.json()["lines"][0]["unit"]["gross"] == "24.00"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "UNKNOWN_SKU"),
        ({"lines": [{"sku": "DR\u0000ILL", "quantity": 1}]}, "UNKNOWN_SKU"),
        ({"lines": []}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "DRILL", "quantity": 0}]}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "DRILL", "quantity": -3}]}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "DRILL", "quantity": "beaucoup"}]}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "", "quantity": 1}]}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "DRILL", "quantity": 1}] * 501}, "VALIDATION_ERROR"),
        ({"lines": [{"sku": "DRILL", "quantity": 1}], "country": "ZZ"}, "INVALID_COUNTRY"),
        ({}, "VALIDATION_ERROR"),
    ],
)
def test_bad_input(client: Client, world: World, body: Any, code: str) -> None:
    problem(post(client, body), 422 if code == "VALIDATION_ERROR" else 400, code)


def test_quantity_rule_is_a_400_naming_the_line(client: Client, world: World) -> None:
    client.force_login(world.buyer)
    body = problem(
        post(
            client,
            {"lines": [{"sku": "DRILL", "quantity": 1}, {"sku": "DRILL-XL", "quantity": 7}]},
            HTTP_ACCEPT_LANGUAGE="en",
        ),
        400,
        "QUANTITY_RULE",
    )
    assert list(body["errors"]) == ["lines[1]"]
    assert "by 6" in body["errors"]["lines[1]"][0]


def test_unpublished_sku_is_not_for_sale(client: Client, world: World) -> None:
    ProductChannelListing.objects.filter(channel=world.b2c).update(is_published=False)
    problem(post(client, {"lines": [{"sku": "DRILL", "quantity": 1}]}), 400, "NOT_FOR_SALE")


def test_bad_token_and_unknown_channel(client: Client, world: World) -> None:
    problem(
        post(client, {"lines": [{"sku": "DRILL", "quantity": 1}]}, HTTP_AUTHORIZATION="Bearer x"),
        401,
        "UNAUTHORIZED",
    )
    problem(
        post(client, {"lines": [{"sku": "DRILL", "quantity": 1}]}, QUERY_STRING="channel=nulle"),
        404,
        "CHANNEL_NOT_FOUND",
    )


def test_product_detail_shows_the_buyers_tiers(client: Client, world: World) -> None:
    client.force_login(world.buyer)
    body = client.get(f"{API}/products/perceuse").json()
    drill, xl = body["variants"]
    assert drill["price"]["net"] == "15.00"
    assert drill["price"]["rule"] == "price_list:contrat-martin"
    assert [(t["min_quantity"], t["price"]["net"], t["price"]["rule"]) for t in drill["tiers"]] == [
        (10, "14.00", "tier:10"),
        (50, "13.00", "tier:50"),
    ]
    assert xl["quantity_rule"] == {"minimum": 6, "maximum": None, "increment": 6}
    assert body["price"]["net"] == "15.00"
    # A visitor on the same channel sees base prices and no tiers.
    client.logout()
    body = client.get(f"{API}/products/perceuse", {"channel": "comptoir-pro"}).json()
    assert body["variants"][0]["price"]["rule"] == "base"
    assert body["variants"][0]["tiers"] == []


def test_listing_shows_promotions_struck_through(client: Client, world: World) -> None:
    PromotionFactory.create(code="printemps", reward_value=Decimal("10"))
    promotions_version_bump()
    card = client.get(f"{API}/products").json()["results"][0]
    assert card["price"]["gross"] == "21.60"
    assert card["price"]["rule"] == "promotion:printemps"
    assert card["price"]["undiscounted"]["gross"] == "24.00"


def _listing(world: World, n: int) -> None:
    for i in range(n):
        product = ProductFactory.create(category=world.category, slug=f"p{i}")
        for j in range(2):
            variant = ProductVariantFactory.create(product=product, sku=f"P{i}-{j}")
            VariantChannelPrice.objects.create(
                variant=variant, channel=world.b2b, amount=Decimal("10.00") + j
            )
            entry = PriceListEntry.objects.create(
                price_list=world.contract, variant=variant, unit_price=Decimal("9.00")
            )
            entry.tiers.create(min_quantity=10, unit_price=Decimal("8.00"))
        ProductChannelListing.objects.create(
            product=product, channel=world.b2b, is_published=True, price_from=Decimal("10.00")
        )


@pytest.mark.parametrize("page_size", [5, 48])
def test_company_listing_costs_three_queries_more_than_a_visitor(
    client: Client, world: World, django_assert_num_queries: Any, page_size: int
) -> None:
    _listing(world, 50)
    PromotionFactory.create(code="pro", reward_value=Decimal("5"))
    promotions_version_bump()
    url = f"{API}/products?channel=comptoir-pro&page_size={page_size}"
    client.get(url)  # warms the channel, taxes and promotions copies
    shared_catalogs_warm()  # and the shared catalogs' (read for company buyers only)
    with django_assert_num_queries(3):  # count + page + the page's stock
        visitor = client.get(url).json()
    raw, _token = api_token_create(user=world.buyer)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    # + token (read, last use), then membership + price lists + variants of the page: 3
    # for pricing.
    with django_assert_num_queries(3 + 2 + 3):
        buyer = client.get(url, **auth).json()
    assert len(buyer["results"]) == page_size
    prices = {r["slug"]: r["price"] for r in buyer["results"]}
    assert prices["p1"]["rule"] == "promotion:pro"
    assert prices["p1"]["net"] == "8.55"  # 9.00 contract - 5 %
    assert {r["slug"]: r["price"]["net"] for r in visitor["results"]}["p1"] == "9.50"
