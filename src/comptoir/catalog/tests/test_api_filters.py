"""Public product list: full-text search (`q`), `in_stock` and `min_rating`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.catalog.models import ProductTranslation
from comptoir.catalog.tests.factories import published_product
from comptoir.core.testing import problem
from comptoir.inventory.models import Warehouse
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.reviews.models import ProductRating
from comptoir.search.services import search_reindex_all

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def products(channel: Any) -> dict[str, Any]:
    """Three products: a drill in stock rated 4.5, a cordless drill without stock rated 3,
    a hammer in stock without reviews."""
    warehouse = WarehouseFactory.create()
    made = {
        "drill": published_product(channel=channel, slug="perceuse", name="Perceuse à percussion"),
        "cordless": published_product(
            channel=channel, slug="perceuse-sans-fil", name="Perceuse sans fil"
        ),
        "hammer": published_product(channel=channel, slug="marteau", name="Marteau de menuisier"),
    }
    ProductTranslation.objects.create(product=made["hammer"], language="en", name="Claw hammer")
    for key in ("drill", "hammer"):
        stock_receive(warehouse=warehouse, variant=made[key].variants.get(), quantity=4)
    ProductRating.objects.create(product=made["drill"], count=2, average=Decimal("4.50"))
    ProductRating.objects.create(product=made["cordless"], count=1, average=Decimal("3.00"))
    search_reindex_all()
    return made


def slugs(client: Client, **params: Any) -> list[str]:
    response = client.get(f"{API}/products", params)
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


class TestFullTextSearch:
    def test_stems_and_accents(self, client: Client, products: dict[str, Any]) -> None:
        assert sorted(slugs(client, q="perceuses")) == ["perceuse", "perceuse-sans-fil"]
        assert slugs(client, q="MENUISIER") == ["marteau"]

    def test_english_by_accept_language(self, client: Client, products: dict[str, Any]) -> None:
        response = client.get(f"{API}/products", {"q": "hammers"}, HTTP_ACCEPT_LANGUAGE="en")

        assert [row["slug"] for row in response.json()["results"]] == ["marteau"]

    def test_best_match_first_unless_sorted(self, client: Client, products: dict[str, Any]) -> None:
        assert slugs(client, q="perceuse sans fil")[0] == "perceuse-sans-fil"
        assert slugs(client, q="perceuse", sort="newest") == ["perceuse-sans-fil", "perceuse"]

    def test_with_other_filters(self, client: Client, products: dict[str, Any]) -> None:
        assert slugs(client, q="perceuse", in_stock="true") == ["perceuse"]

    @pytest.mark.parametrize("q", ["", "&&& !!", "-", '"'])
    def test_a_query_without_words_finds_nothing(
        self, client: Client, products: dict[str, Any], q: str
    ) -> None:
        assert slugs(client, q=q) == []

    def test_too_long(self, client: Client, products: dict[str, Any]) -> None:
        problem(client.get(f"{API}/products", {"q": "x" * 201}), 400, "INVALID_FILTER")

    def test_a_sorted_search_is_counted_on_its_own(
        self, client: Client, products: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Counts of big listings are cached: a sorted search must not reuse the count of
        # the listing without the search.
        monkeypatch.setattr("comptoir.catalog.selectors.products.COUNT_CACHE_MIN", 2)
        everything = client.get(f"{API}/products", {"sort": "price"}).json()

        found = client.get(f"{API}/products", {"q": "marteau", "sort": "price"}).json()

        assert everything["count"] == 3
        assert (found["count"], len(found["results"])) == (1, 1)

    def test_an_empty_search_parameter_is_no_search(
        self, client: Client, products: dict[str, Any]
    ) -> None:
        assert slugs(client, q="marteau", search="") == ["marteau"]

    def test_q_and_search_together(self, client: Client, products: dict[str, Any]) -> None:
        response = client.get(f"{API}/products", {"q": "perceuse", "search": "perceuse"})

        problem(response, 400, "INVALID_FILTER")


class TestStockAndRating:
    def test_in_stock(self, client: Client, products: dict[str, Any]) -> None:
        assert sorted(slugs(client, in_stock="true")) == ["marteau", "perceuse"]
        assert len(slugs(client, in_stock="false")) == 3

    def test_in_stock_flag_is_the_inventory_s(
        self, client: Client, products: dict[str, Any]
    ) -> None:
        rows = client.get(f"{API}/products").json()["results"]

        assert {row["slug"]: row["in_stock"] for row in rows} == {
            "perceuse": True,
            "perceuse-sans-fil": False,
            "marteau": True,
        }

    def test_stock_of_an_inactive_warehouse_does_not_count(
        self, client: Client, products: dict[str, Any]
    ) -> None:
        Warehouse.objects.update(is_active=False)

        assert slugs(client, in_stock="true") == []
        detail = client.get(f"{API}/products/perceuse").json()
        assert detail["in_stock"] is False

    def test_min_rating(self, client: Client, products: dict[str, Any]) -> None:
        assert slugs(client, min_rating="4") == ["perceuse"]
        assert sorted(slugs(client, min_rating="3")) == ["perceuse", "perceuse-sans-fil"]
        assert slugs(client, min_rating="5") == []

    @pytest.mark.parametrize(
        "params",
        [
            {"in_stock": "maybe"},
            {"min_rating": "0"},
            {"min_rating": "6"},
            {"min_rating": "4.5"},
            {"min_rating": "quatre"},
        ],
    )
    def test_bad_values(
        self, client: Client, products: dict[str, Any], params: dict[str, str]
    ) -> None:
        problem(client.get(f"{API}/products", params), 400, "INVALID_FILTER")
