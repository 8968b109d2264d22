"""The web cart: add to cart from the product page, the cart page (lines, prices, totals,
VAT breakdown, coupons), quantity changes, save for later, the cart cookie, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.models import Cart, CartLine
from comptoir.cart.web import CART_COOKIE
from comptoir.catalog.models import ProductChannelListing
from comptoir.catalog.tests.factories import VariantChannelPriceFactory
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.testing import LanguageClient
from comptoir.promotions.selectors.active import promotions_version_bump
from comptoir.promotions.tests.factories import CouponFactory, CouponPromotionFactory
from comptoir.storefront.tests.conftest import Store, add_to_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """The buying pages' texts are checked in English: the client asks for the English
    pages (`/en/...`); amounts in French formatting are checked on the French pages."""
    return LanguageClient(language="en")


NBSP = "\xa0"
NNBSP = "\u202f"


def html_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


class TestProductPage:
    def test_has_an_add_to_cart_form(self, client: Client, store: Store) -> None:
        html = html_of(client.get("/p/perceuse/"))

        assert 'action="/en/cart/add"' in html
        assert f'name="sku" value="{store.sku(store.drill)}"' in html  # one variant: hidden
        assert '<label for="id_quantity">Quantity</label>' in html
        assert "Add to cart" in html

    def test_several_variants_are_a_labelled_select(self, client: Client, store: Store) -> None:
        html = html_of(client.get("/p/scie/"))

        assert '<label for="id_sku">Variant</label>' in html
        assert '<select name="sku"' in html
        assert f'value="{store.sku(store.saw, 1)}"' in html
        assert "Add to cart" in html


class TestAddToCart:
    def test_a_visitor_gets_a_cart_cookie_and_the_line(self, client: Client, store: Store) -> None:
        response = add_to_cart(client, store, store.drill, 2)

        assert response.status_code == 302
        assert response["Location"] == "/en/cart/"
        cookie = response.cookies[CART_COOKIE]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        cart = Cart.objects.get(token=cookie.value)
        assert cart.user is None
        assert [(line.variant.sku, line.quantity) for line in cart.lines.all()] == [
            (store.sku(store.drill), 2)
        ]
        # Adding again adds up, in the same cart.
        add_to_cart(client, store, store.drill, 1)
        assert Cart.objects.count() == 1
        assert CartLine.objects.get().quantity == 3

    def test_the_cart_page_shows_lines_totals_and_vat(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.drill, 2)
        add_to_cart(client, store, store.saw, 1, index=1)

        client.language = "fr"  # type: ignore[attr-defined]
        response = client.get("/cart/")

        assert response.status_code == 200
        assert (
            response["Cache-Control"].startswith("no-store")
            or "no-store" in response["Cache-Control"]
        )
        html = html_of(response)
        assert '<a href="/p/perceuse/">Perceuse</a>' in html
        assert f"39,80{NBSP}€" in html  # 2 x 19.90 TTC
        assert f"31,00{NBSP}€" in html
        assert f"70,80{NBSP}€" in html  # items, and the total (no delivery chosen yet)
        assert f"59,00{NBSP}€" in html  # net
        assert f"11,80{NBSP}€" in html  # VAT
        assert f"20{NBSP}%" in html  # the VAT breakdown's rate
        assert 'href="/checkout/"' in html
        assert '<span class="cart-count">3</span>' in html  # the header counts the units

    def test_invalid_quantities_are_refused_on_the_field(
        self, client: Client, store: Store
    ) -> None:
        for quantity in ("0", "-1", "abc", "100000", ""):
            response = client.post(
                "/cart/add",
                {"sku": store.sku(store.drill), "quantity": quantity, "product": "perceuse"},
            )
            assert response.status_code == 400, quantity
            html = html_of(response)
            assert 'aria-describedby="id_quantity_error"' in html
            assert 'id="id_quantity_error"' in html
        assert not CartLine.objects.exists()

    def test_unknown_sku_and_junk(self, client: Client, store: Store) -> None:
        response = client.post(
            "/cart/add", {"sku": "NOPE-1", "quantity": "1", "product": "perceuse"}
        )
        assert response.status_code == 400
        assert "NOPE-1" in html_of(response)
        response = client.post("/cart/add", {"sku": "x\x00y", "quantity": "1"})
        assert response.status_code == 302  # no product page to show: the cart, with a message
        assert client.get("/cart/").status_code == 200
        assert client.post("/cart/add", {"sku": "a" * 500, "quantity": "1"}).status_code == 302
        assert not CartLine.objects.exists()

    def test_more_than_the_stock_is_refused(self, client: Client, store: Store) -> None:
        response = add_to_cart(client, store, store.lamp, 2)

        assert response.status_code == 409
        assert 'id="id_quantity_error"' in html_of(response)
        assert not CartLine.objects.exists()

    def test_get_is_not_allowed(self, client: Client, store: Store) -> None:
        assert client.get("/cart/add").status_code == 405


class TestCartChanges:
    def line(self) -> CartLine:
        return CartLine.objects.get()

    def test_update_save_move_remove(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.drill, 1)
        line = self.line()
        url = f"/cart/lines/{line.pk}"

        assert client.post(url, {"action": "update", "quantity": "4"}).status_code == 302
        assert self.line().quantity == 4
        assert client.post(url, {"action": "save"}).status_code == 302
        assert self.line().saved_for_later is True
        html = html_of(client.get("/cart/"))
        assert "Saved for later" in html
        assert "Your cart is empty." in html  # nothing left to buy
        assert client.post(url, {"action": "move"}).status_code == 302
        assert self.line().saved_for_later is False
        assert client.post(url, {"action": "remove"}).status_code == 302
        assert not CartLine.objects.exists()

    def test_bad_changes_show_the_error_on_the_line(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.lamp, 1)
        line = self.line()
        url = f"/cart/lines/{line.pk}"

        for data in ({"action": "update", "quantity": "0"}, {"action": "update"}, {"action": "x"}):
            response = client.post(url, data)
            assert response.status_code == 400, data
            assert f'aria-describedby="quantity-{line.pk}_error"' in html_of(response)
        response = client.post(url, {"action": "update", "quantity": "5"})  # 1 in stock
        assert response.status_code == 409
        assert f'id="quantity-{line.pk}_error"' in html_of(response)
        assert self.line().quantity == 1

    def test_unknown_lines_and_other_carts_lines(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.drill, 1)
        other = Client()
        add_to_cart(other, store, store.saw, 1)
        theirs = CartLine.objects.get(variant__product=store.saw)

        for line_id in ("999999", "abc", str(theirs.pk), "9" * 30):
            response = client.post(f"/cart/lines/{line_id}", {"action": "remove"})
            assert response.status_code == 302, line_id
        assert CartLine.objects.count() == 2

    def test_without_a_cart(self, client: Client, store: Store) -> None:
        assert client.post("/cart/lines/1", {"action": "remove"}).status_code == 302
        html = html_of(client.get("/cart/"))
        assert "Your cart is empty." in html


class TestCoupons:
    def test_a_coupon_is_explained(self, client: Client, store: Store) -> None:
        promotion = CouponPromotionFactory.create(
            code="bienvenue", name="Bienvenue", reward_value=Decimal("10")
        )
        CouponFactory.create(promotion=promotion, code="BIENVENUE10")
        promotions_version_bump()
        add_to_cart(client, store, store.saw, 1)

        response = client.post("/cart/coupons", {"code": "bienvenue10"})
        assert response.status_code == 302
        html = html_of(client.get("/cart/"))
        assert "<code>BIENVENUE10</code>" in html
        assert "Bienvenue" in html

        response = client.post("/cart/coupons/remove", {"code": "BIENVENUE10"})
        assert response.status_code == 302
        assert "<code>BIENVENUE10</code>" not in html_of(client.get("/cart/"))

    def test_an_unknown_code_is_an_error_on_the_field(self, client: Client, store: Store) -> None:
        add_to_cart(client, store, store.drill, 1)
        for code in ("NOPE", "", "x" * 200):
            response = client.post("/cart/coupons", {"code": code})
            assert response.status_code == 400, code
            assert 'aria-describedby="id_code_error"' in html_of(response)


class TestWebCart:
    def test_a_forged_cookie_is_ignored(self, client: Client, store: Store) -> None:
        client.cookies[CART_COOKIE] = "not-a-cart"
        response = client.get("/cart/")
        assert response.status_code == 200
        assert response.cookies[CART_COOKIE].value == ""  # dropped

    def test_another_customers_cart_is_not_reachable_by_its_token(
        self, client: Client, store: Store
    ) -> None:
        owner = UserFactory.create()
        owner_client = Client()
        owner_client.force_login(owner)
        add_to_cart(owner_client, store, store.drill, 1)
        cart = Cart.objects.get(user=owner)

        client.cookies[CART_COOKIE] = cart.token
        html = html_of(client.get("/cart/"))
        assert "Perceuse" not in html
        other = UserFactory.create()
        client.force_login(other)
        assert "Perceuse" not in html_of(client.get("/cart/"))
        assert Cart.objects.get(pk=cart.pk).user == owner

    def test_a_visitors_cart_joins_the_customer_after_login(
        self, client: Client, store: Store
    ) -> None:
        add_to_cart(client, store, store.drill, 2)
        user = UserFactory.create()
        client.force_login(user)

        response = client.get("/cart/")

        assert "Perceuse" in html_of(response)
        assert Cart.objects.get(user=user).lines.get().quantity == 2
        assert response.cookies[CART_COOKIE].value == ""

    def test_a_business_channel_shows_prices_excluding_vat(
        self, client: Client, store: Store
    ) -> None:
        pro = B2BChannelFactory.create()
        variant = store.drill.variants.get()
        VariantChannelPriceFactory.create(variant=variant, channel=pro, amount=Decimal("16.00"))
        ProductChannelListing.objects.create(
            product=store.drill, channel=pro, is_published=True, price_from=Decimal("16.00")
        )
        client.get("/?channel=comptoir-pro")
        add_to_cart(client, store, store.drill, 2)

        html = html_of(client.get("/cart/"))

        assert "excl. VAT" in html
        assert "€32.00" in html  # 2 x 16.00 HT
        assert "€38.40" in html  # total incl. VAT
