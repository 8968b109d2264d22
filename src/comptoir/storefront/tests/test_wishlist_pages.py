"""Wishlist pages: add from listing cards and the product page (visitors go to the login
page and back), the wishlist page (remove, move to cart, share link), the public shared
page; CSRF, another customer's items (404) and the page's pinned SQL statements."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.models import CartLine
from comptoir.core.testing import LanguageClient, in_language
from comptoir.storefront.tests.conftest import Store
from comptoir.wishlists import services
from comptoir.wishlists.models import Wishlist, WishlistItem

pytestmark = pytest.mark.django_db

# Session, user; the wishlist; its items with products, variants, pictures, variant counts
# and whether each is on sale (one statement).
WISHLIST_PAGE = 4


@pytest.fixture
def client() -> Client:
    """The pages' texts are checked in English: the client asks for the English pages."""
    return LanguageClient(language="en")


@pytest.fixture
def lea(store: Store) -> Any:
    return UserFactory.create(email="lea@example.fr")


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _keep(user: Any, store: Store, *slugs: str) -> list[WishlistItem]:
    return [
        services.wishlist_item_add(user=user, channel=store.channel, product=slug)[0]
        for slug in slugs
    ]


class TestAdd:
    def test_cards_and_the_product_page_offer_it(self, client: Client, store: Store) -> None:
        add = in_language(reverse("storefront:wishlist_add"), "en")
        listing = client.get(reverse("storefront:home")).content.decode()
        assert f'action="{add}"' in listing
        assert '<input type="hidden" name="product" value="perceuse">' in listing
        assert "add Perceuse to your wishlist" in listing

        page = client.get(reverse("storefront:product", args=["scie"])).content.decode()
        assert f'formaction="{add}"' in page  # in the add-to-cart form: the chosen variant

    def test_a_visitor_goes_to_the_login_page_and_back(self, client: Client, store: Store) -> None:
        product_url = in_language(reverse("storefront:product", args=["perceuse"]), "en")
        response = client.post(reverse("storefront:wishlist_add"), {"product": "perceuse"})
        assert response.status_code == 302
        login = in_language(reverse("accounts:login"), "en")
        assert response["Location"].startswith(login)
        assert parse_qs(urlsplit(response["Location"]).query)["next"] == [product_url]
        assert WishlistItem.objects.count() == 0

    def test_from_a_card(self, client: Client, store: Store, lea: Any) -> None:
        client.force_login(lea)
        category = reverse("storefront:category", args=["outillage"])
        response = client.post(
            reverse("storefront:wishlist_add"), {"product": "perceuse", "next": category}
        )
        assert response.status_code == 302
        assert response["Location"] == category
        assert _messages(response) == ["Added to your wishlist."]
        item = WishlistItem.objects.get(wishlist__user=lea)
        assert item.variant is not None
        assert item.variant.sku == store.sku(store.drill)

        again = client.post(reverse("storefront:wishlist_add"), {"product": "perceuse"})
        assert _messages(again)[-1] == "Already in your wishlist."

    def test_from_the_product_page_keeps_the_chosen_variant(
        self, client: Client, store: Store, lea: Any
    ) -> None:
        client.force_login(lea)
        sku = store.sku(store.saw, 1)
        response = client.post(
            reverse("storefront:wishlist_add"), {"sku": sku, "quantity": "1", "product": "scie"}
        )
        assert response["Location"] == reverse("storefront:product", args=["scie"])
        assert WishlistItem.objects.get().variant.sku == sku  # type: ignore[union-attr]

    @pytest.mark.parametrize(
        "data",
        [
            {},
            {"product": "nope"},
            {"product": "<script>alert(1)</script>"},
            {"sku": "NOPE", "product": "perceuse"},
            {"product": "x" * 5000},
        ],
    )
    def test_bad_input_is_a_message(
        self, client: Client, store: Store, lea: Any, data: dict[str, str]
    ) -> None:
        client.force_login(lea)
        response = client.post(reverse("storefront:wishlist_add"), data)
        assert response.status_code == 302
        assert _messages(response) in (
            ["This product is not sold here."],
            ["Give either a product or a SKU."],
        )
        assert WishlistItem.objects.count() == 0

    def test_next_elsewhere_is_ignored(self, client: Client, store: Store, lea: Any) -> None:
        client.force_login(lea)
        response = client.post(
            reverse("storefront:wishlist_add"),
            {"product": "perceuse", "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("storefront:product", args=["perceuse"])

    def test_csrf_is_checked(self, store: Store, lea: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(lea)
        response = client.post(reverse("storefront:wishlist_add"), {"product": "perceuse"})
        assert response.status_code == 403
        assert WishlistItem.objects.count() == 0

    def test_get_is_refused(self, client: Client, store: Store) -> None:
        assert client.get(reverse("storefront:wishlist_add")).status_code == 405


class TestWishlistPage:
    def test_visitors_log_in_first(self, client: Client, store: Store) -> None:
        response = client.get(reverse("storefront:wishlist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_empty(self, client: Client, store: Store, lea: Any) -> None:
        client.force_login(lea)
        html = client.get(reverse("storefront:wishlist")).content.decode()
        assert "Your wishlist is empty." in html
        assert "Share my wishlist" not in html

    def test_lists_items_with_their_actions(self, client: Client, store: Store, lea: Any) -> None:
        drill, saw = _keep(lea, store, "perceuse", "scie")
        client.force_login(lea)
        response = client.get(reverse("storefront:wishlist"))
        assert response.status_code == 200
        assert (
            response["Cache-Control"].startswith("no-store")
            or "no-store" in response["Cache-Control"]
        )
        html = response.content.decode()
        assert "Perceuse" in html
        assert reverse("storefront:wishlist_move", args=[drill.pk]) in html
        assert reverse("storefront:wishlist_remove", args=[saw.pk]) in html
        # The saw has two variants and none chosen: the product page asks.
        assert reverse("storefront:wishlist_move", args=[saw.pk]) not in html
        assert "Choose an option" in html
        token = Wishlist.objects.get(user=lea).share_token
        assert reverse("storefront:wishlist_shared", args=[token]) in html
        assert 'aria-current="page"' in html

    @pytest.mark.parametrize("items", [1, 3])
    def test_pinned_queries(self, client: Client, store: Store, lea: Any, items: int) -> None:
        _keep(lea, store, *["perceuse", "scie", "lampe"][:items])
        client.force_login(lea)
        url = reverse("storefront:wishlist")
        client.get(url)  # warm the process's copies
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) == WISHLIST_PAGE, [q["sql"][:120] for q in queries.captured_queries]

    def test_remove(self, client: Client, store: Store, lea: Any) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        client.force_login(lea)
        response = client.post(reverse("storefront:wishlist_remove", args=[drill.pk]))
        assert response["Location"] == reverse("storefront:wishlist")
        assert WishlistItem.objects.count() == 0

    def test_another_customers_item_is_a_404(self, client: Client, store: Store, lea: Any) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        client.force_login(UserFactory.create())
        assert (
            client.post(reverse("storefront:wishlist_remove", args=[drill.pk])).status_code == 404
        )
        assert client.post(reverse("storefront:wishlist_move", args=[drill.pk])).status_code == 404
        for bad in ("abc", "9" * 40, "-1"):
            assert client.post(reverse("storefront:wishlist_remove", args=[bad])).status_code == 404
        assert WishlistItem.objects.count() == 1
        assert CartLine.objects.count() == 0

    def test_move_to_cart(self, client: Client, store: Store, lea: Any) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        client.force_login(lea)
        response = client.post(
            reverse("storefront:wishlist_move", args=[drill.pk]), {"quantity": "1"}
        )
        assert response["Location"] == reverse("storefront:wishlist")
        assert _messages(response) == ["Perceuse is now in your cart."]
        assert WishlistItem.objects.count() == 0
        line = CartLine.objects.get(cart__user=lea)
        assert (line.variant.sku, line.quantity) == (store.sku(store.drill), 1)
        assert "Perceuse" in client.get(reverse("storefront:cart")).content.decode()

    def test_the_header_counts_the_cart_as_it_is(
        self, client: Client, store: Store, lea: Any
    ) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        client.force_login(lea)
        client.get(reverse("storefront:cart"))  # the header has seen an empty cart
        CartLine.objects.all().delete()

        client.post(reverse("storefront:wishlist_move", args=[drill.pk]), {"quantity": "3"})

        html = client.get(reverse("storefront:wishlist")).content.decode()
        assert '<span class="cart-count">3</span>' in html

    def test_out_of_stock_stays_with_a_message(
        self, client: Client, store: Store, lea: Any
    ) -> None:
        (lamp,) = _keep(lea, store, "lampe")  # one in stock
        client.force_login(lea)
        response = client.post(
            reverse("storefront:wishlist_move", args=[lamp.pk]), {"quantity": "2"}
        )
        (message,) = _messages(response)
        assert message.startswith("Lampe: ")
        assert WishlistItem.objects.filter(pk=lamp.pk).exists()
        assert CartLine.objects.count() == 0

    @pytest.mark.parametrize("quantity", ["0", "abc", "100000", ""])
    def test_bad_quantities(self, client: Client, store: Store, lea: Any, quantity: str) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        client.force_login(lea)
        response = client.post(
            reverse("storefront:wishlist_move", args=[drill.pk]), {"quantity": quantity}
        )
        assert response.status_code == 302
        assert _messages(response)[0].startswith("Perceuse: ")
        assert WishlistItem.objects.count() == 1
        assert CartLine.objects.count() == 0


class TestSharing:
    def test_the_shared_page_is_public_and_read_only(
        self, client: Client, store: Store, lea: Any
    ) -> None:
        (drill,) = _keep(lea, store, "perceuse")
        token = Wishlist.objects.get(user=lea).share_token
        response = LanguageClient(language="en").get(
            reverse("storefront:wishlist_shared", args=[token])
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "A wishlist shared with you" in html
        assert "Perceuse" in html
        assert reverse("storefront:wishlist_remove", args=[drill.pk]) not in html
        assert lea.email not in html
        assert response["X-Robots-Tag"] == "noindex"

    def test_regenerating_revokes_the_old_link(
        self, client: Client, store: Store, lea: Any
    ) -> None:
        _keep(lea, store, "perceuse")
        old = Wishlist.objects.get(user=lea).share_token
        client.force_login(lea)
        response = client.post(reverse("storefront:wishlist_share"))
        assert response["Location"] == reverse("storefront:wishlist")
        new = Wishlist.objects.get(user=lea).share_token
        assert new != old
        visitor = Client()
        assert visitor.get(reverse("storefront:wishlist_shared", args=[old])).status_code == 404
        assert visitor.get(reverse("storefront:wishlist_shared", args=[new])).status_code == 200

    @pytest.mark.parametrize("token", ["unknown", "a" * 32, "x" * 300])
    def test_unknown_tokens_are_404(self, client: Client, store: Store, token: str) -> None:
        assert client.get(reverse("storefront:wishlist_shared", args=[token])).status_code == 404
