"""The wishlist API: the caller's list, add, remove, move to cart, share link; problem+json
codes for bad input; another customer's item is a 404; the shared list is public."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.cart import services as cart_services
from comptoir.cart.models import CartLine
from comptoir.core.testing import problem
from comptoir.wishlists.models import Wishlist, WishlistItem
from comptoir.wishlists.tests.conftest import Store

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Caller:
    def __init__(self, user: Any) -> None:
        raw, _token = api_token_create(user=user)
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}/{path}", headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            f"{API}/{path}", data=data, content_type="application/json", headers=self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{API}/{path}", headers=self.headers)


@pytest.fixture
def lea(store: Store) -> Caller:
    return Caller(store.lea)


def test_an_empty_wishlist_is_not_created_by_reading(lea: Caller) -> None:
    response = lea.get("wishlist")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "max_items": 100, "share_url": None, "items": []}
    assert Wishlist.objects.count() == 0


def test_add_list_remove(store: Store, lea: Caller) -> None:
    added = lea.post("wishlist/items", {"product": "perceuse"})
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["product"], body["sku"], body["available"]) == (
        "perceuse",
        store.sku(store.drill),
        True,
    )
    assert lea.post("wishlist/items", {"sku": store.sku(store.drill)}).status_code == 200
    assert lea.post("wishlist/items", {"product": "scie"}).json()["needs_variant"] is True

    listed = lea.get("wishlist").json()
    assert [item["product"] for item in listed["items"]] == ["scie", "perceuse"]
    token = Wishlist.objects.get().share_token
    assert listed["share_url"].endswith(f"/{token}/")

    assert lea.delete(f"wishlist/items/{body['id']}").status_code == 204
    assert lea.get("wishlist").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "INVALID_INPUT"),
        ({"product": "nope"}, 400, "UNKNOWN_PRODUCT"),
        ({"product": "secret"}, 400, "UNKNOWN_PRODUCT"),
        ({"sku": "A\u0000B"}, 400, "UNKNOWN_PRODUCT"),
        ({"product": 12}, 422, "VALIDATION_ERROR"),
        ("not json", 400, "BAD_REQUEST"),
    ],
)
def test_bad_input(lea: Caller, body: Any, status: int, code: str) -> None:
    problem(lea.post("wishlist/items", body), status, code)
    assert WishlistItem.objects.count() == 0


def test_the_limit_is_a_problem(lea: Caller, settings: Any) -> None:
    settings.COMPTOIR_WISHLIST_MAX_ITEMS = 1
    assert lea.post("wishlist/items", {"product": "perceuse"}).status_code == 201
    body = problem(lea.post("wishlist/items", {"product": "lampe"}), 400, "WISHLIST_FULL")
    assert "1" in body["detail"]


def test_anonymous_callers_are_refused(store: Store) -> None:
    client = Client()
    assert client.get(f"{API}/wishlist").status_code == 401
    response = client.post(
        f"{API}/wishlist/items", data={"product": "perceuse"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_another_customers_item_is_a_404(store: Store, lea: Caller) -> None:
    item_id = lea.post("wishlist/items", {"product": "perceuse"}).json()["id"]
    marc = Caller(store.marc)
    problem(marc.delete(f"wishlist/items/{item_id}"), 404, "WISHLIST_ITEM_NOT_FOUND")
    cart = cart_services.cart_create(channel=store.channel, user=store.marc, language="fr")
    moved = marc.post(f"wishlist/items/{item_id}/move-to-cart", {"cart": cart.token})
    problem(moved, 404, "WISHLIST_ITEM_NOT_FOUND")
    problem(lea.delete("wishlist/items/99999999999999999999"), 404, "WISHLIST_ITEM_NOT_FOUND")
    assert WishlistItem.objects.count() == 1


def test_move_to_cart(store: Store, lea: Caller) -> None:
    drill = lea.post("wishlist/items", {"product": "perceuse"}).json()["id"]
    lamp = lea.post("wishlist/items", {"product": "lampe"}).json()["id"]
    saw = lea.post("wishlist/items", {"product": "scie"}).json()["id"]
    cart = cart_services.cart_create(channel=store.channel, user=store.lea, language="fr")
    marcs = cart_services.cart_create(channel=store.channel, user=store.marc, language="fr")

    problem(
        lea.post(f"wishlist/items/{drill}/move-to-cart", {"cart": marcs.token}),
        404,
        "CART_NOT_FOUND",
    )
    problem(
        lea.post(f"wishlist/items/{lamp}/move-to-cart", {"cart": cart.token}),
        409,
        "INSUFFICIENT_STOCK",
    )
    problem(
        lea.post(f"wishlist/items/{saw}/move-to-cart", {"cart": cart.token}),
        400,
        "VARIANT_REQUIRED",
    )
    problem(
        lea.post(f"wishlist/items/{drill}/move-to-cart", {"cart": cart.token, "quantity": 0}),
        400,
        "INVALID_QUANTITY",
    )
    assert WishlistItem.objects.count() == 3

    moved = lea.post(f"wishlist/items/{drill}/move-to-cart", {"cart": cart.token, "quantity": 2})
    assert moved.status_code == 200, moved.content
    assert moved.json() == {"cart": cart.token, "sku": store.sku(store.drill), "quantity": 2}
    assert CartLine.objects.get(cart=cart).quantity == 2
    assert WishlistItem.objects.count() == 2


def test_share_link_regeneration_and_public_read(store: Store, lea: Caller) -> None:
    lea.post("wishlist/items", {"product": "perceuse"})
    old = Wishlist.objects.get().share_token
    shared = Client().get(f"{API}/wishlists/shared/{old}")
    assert shared.status_code == 200
    assert [item["product"] for item in shared.json()["items"]] == ["perceuse"]

    renewed = lea.post("wishlist/share-token", {})
    assert renewed.status_code == 200
    new = Wishlist.objects.get().share_token
    assert new != old
    assert renewed.json()["share_url"].endswith(f"/{new}/")
    problem(Client().get(f"{API}/wishlists/shared/{old}"), 404, "WISHLIST_NOT_FOUND")
    problem(Client().get(f"{API}/wishlists/shared/unknown"), 404, "WISHLIST_NOT_FOUND")


def test_session_writes_need_csrf(store: Store) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(store.lea)
    response = client.post(
        f"{API}/wishlist/items", data={"product": "perceuse"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert WishlistItem.objects.count() == 0
