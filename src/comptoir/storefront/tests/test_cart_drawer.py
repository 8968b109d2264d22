"""The cart drawer: htmx asks for it from the header and gets it when adding to the cart;
refused additions swap the add-to-cart form with its errors; without htmx nothing changes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from comptoir.cart.models import CartLine
from comptoir.storefront.tests.conftest import Store, add_to_cart

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def post_htmx(client: Client, data: dict[str, object]) -> object:
    return client.post("/cart/add", data, headers={**HTMX, "HX-Target": "cart-drawer-slot"})


class TestDrawer:
    def test_adding_with_htmx_answers_the_drawer(self, client: Client, store: Store) -> None:
        response = post_htmx(
            client, {"sku": store.sku(store.drill), "quantity": "2", "product": "perceuse"}
        )

        assert response.status_code == 200  # type: ignore[attr-defined]
        html = response.content.decode()  # type: ignore[attr-defined]
        assert html.lstrip().startswith('<dialog class="drawer"')
        assert "Ajouté à votre panier" in html
        assert '<a href="/p/perceuse/">Perceuse</a>' in html
        assert "2 unités" in html
        assert "39,80" in html
        assert 'href="/checkout/"' in html
        assert 'href="/cart/"' in html
        # The header's link, with the new count, swapped out of band.
        link = re.search(r'<a id="cart-link"[^>]*>.*?</a>', html, re.S)
        assert link is not None
        assert 'hx-swap-oob="true"' in link.group(0)
        assert '<span class="cart-count">2</span>' in link.group(0)
        assert CartLine.objects.get().quantity == 2

    def test_the_header_link_asks_for_it(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.saw, 1, index=1)

        html = client.get("/").content.decode()
        link = re.search(r'<a id="cart-link"[^>]*>', html)
        assert link is not None
        assert 'href="/cart/"' in link.group(0)  # without JavaScript: the cart page
        assert 'hx-get="/cart/drawer"' in link.group(0)

        drawer = client.get("/cart/drawer", headers=HTMX)
        assert drawer.status_code == 200
        assert "Votre panier" in drawer.content.decode()
        assert "31,00" in drawer.content.decode()
        assert (
            drawer["Cache-Control"].startswith("no-store") or "no-store" in drawer["Cache-Control"]
        )

    def test_english(self, client: Client, store: Store) -> None:
        drawer = client.get("/en/cart/drawer", headers=HTMX).content.decode()

        assert "Your cart is empty." in drawer

    def test_an_empty_cart(self, client: Client, store: Store) -> None:
        html = client.get("/cart/drawer", headers=HTMX).content.decode()

        assert "Votre panier est vide." in html
        assert 'href="/checkout/"' not in html

    def test_without_htmx_the_drawer_is_the_cart_page(self, client: Client, store: Store) -> None:
        response = client.get("/cart/drawer")

        assert (response.status_code, response["Location"]) == (302, "/cart/")

    def test_the_cart_page_does_not_open_the_drawer(self, client: Client, store: Store) -> None:
        html = client.get("/cart/").content.decode()

        link = re.search(r'<a id="cart-link"[^>]*>', html)
        assert link is not None
        assert "hx-get" not in link.group(0)
        assert 'aria-current="page"' in link.group(0)

    def test_only_the_visitor_s_own_cart(self, store: Store) -> None:
        mine, theirs = Client(), Client()
        add_to_cart(mine, store, store.drill, 1)

        html = theirs.get("/cart/drawer", headers=HTMX).content.decode()

        assert "Perceuse" not in html
        assert "Votre panier est vide." in html


class TestRefused:
    @pytest.mark.parametrize("quantity", ["0", "abc", "100000"])
    def test_a_bad_quantity_swaps_the_form_with_its_error(
        self, client: Client, store: Store, quantity: str
    ) -> None:
        response = post_htmx(
            client, {"sku": store.sku(store.drill), "quantity": quantity, "product": "perceuse"}
        )

        assert response.status_code == 400  # type: ignore[attr-defined]
        assert response["HX-Retarget"] == "#add-to-cart"  # type: ignore[index]
        assert response["HX-Reswap"] == "outerHTML"  # type: ignore[index]
        html = response.content.decode()  # type: ignore[attr-defined]
        assert html.lstrip().startswith('<form id="add-to-cart"')
        assert 'id="id_quantity_error"' in html
        assert "<html" not in html
        assert not CartLine.objects.exists()

    def test_more_than_the_stock(self, client: Client, store: Store) -> None:
        response = post_htmx(
            client, {"sku": store.sku(store.lamp), "quantity": "2", "product": "lampe"}
        )

        assert response.status_code == 409  # type: ignore[attr-defined]
        assert 'id="id_quantity_error"' in response.content.decode()  # type: ignore[attr-defined]
        assert not CartLine.objects.exists()

    def test_without_a_product_page_the_cart_page_says_why(
        self, client: Client, store: Store
    ) -> None:
        response = post_htmx(client, {"sku": "NOPE", "quantity": "1"})

        # htmx sends the browser to the cart page, where the message is.
        assert response["HX-Redirect"] == "/cart/"  # type: ignore[index]
        assert not CartLine.objects.exists()
        assert "NOPE" in client.get("/cart/").content.decode()
