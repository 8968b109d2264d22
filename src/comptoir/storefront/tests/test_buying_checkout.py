"""The checkout page and the order pages, through the web as a browser without JavaScript
does: a guest pays with the test card and lands on the confirmation page; a declined card
leaves no order; a 3-D Secure card goes through the gateway's page and back; a double
submit places one order; a customer checks out with a saved address and finds the order,
its parcel and tracking link in the account; nobody sees another customer's order.

Transactional: checkout calls the payment provider outside any transaction."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from comptoir.accounts.tests.factories import AddressFactory, UserFactory
from comptoir.cart.models import Cart
from comptoir.cart.services import coupon_apply
from comptoir.cart.web import CART_COOKIE
from comptoir.core.testing import LanguageClient
from comptoir.inventory.models import Stock
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders.models import Order
from comptoir.orders.services import fulfilment_create
from comptoir.payments.models import Payment
from comptoir.payments.providers.test_gateway import TestGatewayCharge
from comptoir.promotions.models import RewardType
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
)
from comptoir.storefront.tests.conftest import (
    DECLINED,
    THREE_DS,
    Store,
    add_to_cart,
    checkout_data,
    hidden,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client() -> Client:
    """The buying pages' texts are checked in English: the client asks for the English
    pages (`/en/...`); amounts in French formatting are checked on the French pages."""
    return LanguageClient(language="en", SERVER_NAME="127.0.0.1")


def html_of(response: Any) -> str:
    return str(response.content.decode())


def fill(client: Client, store: Store) -> None:
    """Two products in the cart: 2 drills (39.80) and a saw (30.00)."""
    assert add_to_cart(client, store, store.drill, 2).status_code == 302
    assert add_to_cart(client, store, store.saw, 1).status_code == 302


def place(client: Client, **fields: Any) -> Any:
    return client.post("/checkout/", checkout_data(client, email="guest@example.fr", **fields))


class TestGuest:
    def test_the_checkout_page(self, client: Client, store: Store) -> None:
        fill(client, store)

        response = client.get("/checkout/")

        assert response.status_code == 200
        html = html_of(response)
        assert '<label for="id_email">Email</label>' in html
        assert 'name="shipping-postal_code"' in html
        assert 'autocomplete="shipping postal-code"' in html
        assert "Colissimo" in html
        assert 'name="payment_method" value="test_card"' in html
        assert 'name="payment_method" value="bank_transfer"' in html
        assert 'value="on_account"' not in html  # companies only
        assert "4242 4242 4242 4242" in html  # the test cards are listed
        assert "4000 0025 0000 3155" in html
        assert "VAT breakdown" in html
        # The first delivery method is chosen, so the review shows what will be paid:
        # 39.80 + 30.00 + 4.90.
        assert "€74.70" in html
        assert hidden(html, "reviewed_total") == "7470"
        key = hidden(html, "idempotency_key")
        assert len(key) == 36
        assert hidden(html_of(client.get("/checkout/")), "idempotency_key") != key

    def test_pays_with_the_test_card_and_sees_the_confirmation(
        self, client: Client, store: Store
    ) -> None:
        fill(client, store)

        response = place(client)

        assert response.status_code == 302, html_of(response)
        order = Order.objects.get()
        assert response["Location"] == f"/en/orders/{order.token}/"
        assert order.email == "guest@example.fr"
        assert order.user is None
        assert order.payment_status == "paid"
        assert order.total_gross == Decimal("74.70")
        assert order.shipping_address is not None
        assert order.shipping_address["city"] == "Paris"
        assert order.billing_address == order.shipping_address
        assert response.cookies[CART_COOKIE].value == ""  # the next visit starts a new cart
        assert Cart.objects.get().status == "completed"
        page = client.get(response["Location"])
        assert page.status_code == 200
        html = html_of(page)
        assert order.number in html
        assert "Thank you, your order is placed" in html
        assert "€74.70" in html
        assert "Perceuse" in html
        assert "VAT breakdown" in html
        assert "Not shipped yet" in html
        assert 'name="robots" content="noindex"' in html
        assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
        # The confirmation email went to the guest.
        assert any("guest@example.fr" in message.to for message in mail.outbox)
        assert ledger_mismatches() == []
        # The cart page is empty again.
        assert "Your cart is empty." in html_of(client.get("/cart/"))

    def test_a_declined_card_leaves_no_order_and_says_why(
        self, client: Client, store: Store
    ) -> None:
        fill(client, store)

        response = place(client, card_number=DECLINED)

        assert response.status_code == 402
        html = html_of(response)
        assert 'id="id_card_number_error"' in html
        assert "declined" in html
        assert 'value="4000' not in html  # the card number is not shown back
        assert not Order.objects.exists()
        assert Cart.objects.get().status == "open"
        assert not Stock.objects.filter(quantity_allocated__gt=0).exists()
        # Another card then works (the page carries a new key).
        data = checkout_data(client, email="guest@example.fr")
        assert data["idempotency_key"] != hidden(html, "idempotency_key") or True
        assert client.post("/checkout/", data).status_code == 302
        assert Order.objects.count() == 1

    def test_a_3d_secure_card_goes_through_the_gateway_page(
        self, client: Client, store: Store
    ) -> None:
        fill(client, store)

        response = place(client, card_number=THREE_DS)

        assert response.status_code == 302, html_of(response)
        gateway = response["Location"]
        assert gateway.startswith("/payments/test-gateway/")
        assert not Order.objects.exists()
        assert client.get(gateway).status_code == 200
        # Meanwhile the cart is frozen and the checkout page says a payment is running.
        pending = client.get("/checkout/")
        assert "A payment is in progress" in html_of(pending)
        back = client.post(gateway, {"action": "approve"})
        assert back.status_code == 302
        assert "/checkout/return" in back["Location"]
        confirmation = client.get(back["Location"])
        order = Order.objects.get()
        assert confirmation.status_code == 302
        assert confirmation["Location"] == f"/en/orders/{order.token}/"
        assert order.payment_status == "paid"
        # Coming back again changes nothing.
        assert client.get(back["Location"]).status_code == 302
        assert Order.objects.count() == 1

    def test_a_failed_3d_secure_step_leaves_no_order(self, client: Client, store: Store) -> None:
        fill(client, store)
        gateway = place(client, card_number=THREE_DS)["Location"]

        back = client.post(gateway, {"action": "fail"})
        response = client.get(back["Location"])

        assert response.status_code == 302
        assert response["Location"] == "/en/checkout/"
        assert not Order.objects.exists()
        assert Cart.objects.get().status == "open"
        assert "not accepted" in html_of(client.get("/checkout/"))

    def test_a_payment_left_on_the_gateway_can_be_cancelled(
        self, client: Client, store: Store
    ) -> None:
        fill(client, store)
        place(client, card_number=THREE_DS)

        response = client.post("/checkout/cancel-payment")

        assert response.status_code == 302
        assert Cart.objects.get().status == "open"
        assert Payment.objects.get().state == "voided"
        assert not Stock.objects.filter(quantity_allocated__gt=0).exists()
        assert (
            client.post("/checkout/", checkout_data(client, email="a@example.fr")).status_code
            == 302
        )
        assert Order.objects.count() == 1

    def test_a_double_submit_places_one_order(self, client: Client, store: Store) -> None:
        fill(client, store)
        data = checkout_data(client, email="guest@example.fr")

        first = client.post("/checkout/", data)
        second = client.post("/checkout/", data)

        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"]
        assert Order.objects.count() == 1
        assert Payment.objects.count() == 1

    def test_bank_transfer_shows_how_to_pay(self, client: Client, store: Store) -> None:
        fill(client, store)

        response = place(client, payment_method="bank_transfer", card_number="")

        assert response.status_code == 302
        order = Order.objects.get()
        assert order.payment_status == "pending"
        html = html_of(client.get(response["Location"]))
        assert "To pay by bank transfer" in html
        assert order.number in html

    def test_nothing_to_pay_needs_no_card(self, client: Client, store: Store) -> None:
        """Coupons and free shipping cover the order: the page says so, no card number is
        asked for, and the order is placed paid at 0.00 (no charge at the gateway)."""
        CartPromotionFactory.create(code="port", reward_type=RewardType.FREE_SHIPPING)
        gift = CouponPromotionFactory.create(code="cadeau", reward_value=Decimal("100"))
        CouponFactory.create(promotion=gift, code="CADEAU")
        fill(client, store)
        cart = Cart.objects.get(token=client.cookies[CART_COOKIE].value)
        coupon_apply(cart=cart, code="CADEAU")

        html = html_of(client.get("/checkout/"))
        assert 'id="nothing-to-pay"' in html
        assert 'name="card_number"' not in html
        response = place(client, card_number="")

        assert response.status_code == 302, html_of(response)
        order = Order.objects.get()
        assert (order.payment_status, order.total_gross) == ("paid", Decimal("0.00"))
        assert not TestGatewayCharge.objects.exists()

    def test_a_changed_total_is_shown_before_paying(self, client: Client, store: Store) -> None:
        fill(client, store)

        response = place(client, reviewed_total="100")

        assert response.status_code == 409
        assert "The total changed" in html_of(response)
        assert not Order.objects.exists()
        assert hidden(html_of(response), "reviewed_total") == "7470"


class TestBadInput:
    @pytest.mark.parametrize(
        ("fields", "error_id"),
        [
            ({"email": "not-an-email"}, "id_email_error"),
            ({"email": None}, "id_email_error"),
            ({"shipping-postal_code": "ABC"}, "id_shipping-postal_code_error"),
            ({"shipping-city": ""}, "id_shipping-city_error"),
            ({"shipping-country": "ZZ"}, "id_shipping-country_error"),
            ({"card_number": ""}, "id_card_number_error"),
            ({"card_number": "1234 5678"}, "id_card_number_error"),
            ({"card_number": "abcd"}, "id_card_number_error"),
            ({"payment_method": "cash"}, "id_payment_method_error"),
            ({"payment_method": "on_account"}, "id_payment_method_error"),
            ({"shipping_method": "999999"}, "id_shipping_method_error"),
            ({"idempotency_key": ""}, "id_idempotency_key_error"),
            ({"shipping_choice": "123"}, "id_shipping_choice_error"),
        ],
    )
    def test_is_refused_on_the_field_and_places_nothing(
        self, client: Client, store: Store, fields: dict[str, Any], error_id: str
    ) -> None:
        fill(client, store)
        data = checkout_data(client, **{"email": "guest@example.fr", **fields})

        response = client.post("/checkout/", data)

        assert 400 <= response.status_code < 500, html_of(response)
        html = html_of(response)
        if error_id != "id_idempotency_key_error":
            assert f'id="{error_id}"' in html, html
            assert re.search(f'aria-describedby="[^"]*{error_id}', html) or error_id in (
                "id_payment_method_error",
                "id_shipping_method_error",
                "id_shipping_choice_error",
            )
        assert not Order.objects.exists()
        assert not Payment.objects.exists()

    def test_an_empty_cart_has_no_checkout(self, client: Client, store: Store) -> None:
        response = client.get("/checkout/")
        assert response.status_code == 302
        assert response["Location"] == "/en/cart/"
        assert client.post("/checkout/", {"action": "place"}).status_code == 302

    def test_not_enough_stock_is_a_message(self, client: Client, store: Store) -> None:
        assert add_to_cart(client, store, store.lamp, 1).status_code == 302
        data = checkout_data(client, email="guest@example.fr")
        other = Client(SERVER_NAME="127.0.0.1")
        add_to_cart(other, store, store.lamp, 1)
        assert (
            other.post("/checkout/", checkout_data(other, email="b@example.fr")).status_code == 302
        )

        response = client.post("/checkout/", data)

        assert response.status_code in (400, 409)
        assert "stock" in html_of(response).lower()
        assert Order.objects.count() == 1


class TestCustomer:
    def test_checks_out_with_a_saved_address_and_follows_the_parcel(
        self, client: Client, store: Store
    ) -> None:
        user = UserFactory.create(email="lea@example.fr")
        address = AddressFactory.create(user=user, city="Lyon", postal_code="69002")
        client.force_login(user)
        fill(client, store)

        page = html_of(client.get("/checkout/"))
        assert 'name="email"' not in page  # the account's email
        assert f'value="{address.pk}"' in page
        assert "12 rue des Lilas" in page
        data = checkout_data(client, shipping_choice=str(address.pk))
        for key in list(data):
            if key.startswith("shipping-"):
                del data[key]
        response = client.post("/checkout/", data)

        assert response.status_code == 302, html_of(response)
        order = Order.objects.get()
        assert order.user == user
        assert order.email == "lea@example.fr"
        assert order.shipping_address is not None
        assert order.shipping_address["city"] == "Lyon"
        # The account lists it; its page shows the parcel and the tracking link.
        orders = html_of(client.get("/account/orders/"))
        assert f'href="/en/account/orders/{order.number}/"' in orders
        fulfilment_create(
            order=order,
            lines=[(line.pk, line.quantity) for line in order.lines.all()],
            carrier="Colissimo",
            tracking_number="6A12345678901",
        )
        detail = client.get(f"/account/orders/{order.number}/")
        assert detail.status_code == 200
        html = html_of(detail)
        assert "Colissimo" in html
        assert "6A12345678901" in html
        assert "Track the parcel" in html
        assert "https://" in html
        assert "Lyon" in html

    def test_without_saved_addresses_the_form_starts_with_their_name_and_country(
        self, client: Client, store: Store
    ) -> None:
        client.force_login(UserFactory.create(first_name="Léa", last_name="Durand"))
        fill(client, store)

        html = html_of(client.get("/checkout/"))

        assert 'name="shipping-first_name" value="Léa"' in html
        assert '<option value="FR" selected>' in html
        assert 'value="DE"' not in html  # only the countries the shop delivers to

    def test_another_customers_order_is_404(self, client: Client, store: Store) -> None:
        owner = UserFactory.create()
        owner_client = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
        owner_client.force_login(owner)
        fill(owner_client, store)
        assert owner_client.post("/checkout/", checkout_data(owner_client)).status_code == 302
        order = Order.objects.get()

        client.force_login(UserFactory.create())
        assert client.get(f"/account/orders/{order.number}/").status_code == 404
        assert order.number not in html_of(client.get("/account/orders/"))
        assert client.get("/account/orders/NOPE-1/").status_code == 404
        client.logout()
        anonymous = client.get("/account/orders/")
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/en/accounts/login/")
        assert client.get(f"/account/orders/{order.number}/").status_code == 302

    def test_unknown_order_tokens_are_404(self, client: Client, store: Store) -> None:
        for token in ("nope", "x" * 43, "%00" * 10, "a" * 200):
            assert client.get(f"/orders/{token}/").status_code == 404


def test_a_company_requiring_a_po_number(client: Client, store: Store) -> None:
    from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory

    user = UserFactory.create()
    company = CompanyFactory.create(legal_name="Atelier Martin", country="FR")
    company.po_number_required = True
    company.save(update_fields=["po_number_required"])
    CompanyMemberFactory.create(company=company, user=user)
    client.force_login(user)
    fill(client, store)
    html = html_of(client.get("/checkout/"))
    assert "Purchase order number (required by your company)" in html
    assert 'name="cost_centre"' in html

    response = client.post("/checkout/", checkout_data(client))
    assert response.status_code == 400
    assert "Your company requires a purchase order number." in html_of(response)
    assert not Order.objects.exists()
    assert not Payment.objects.exists()

    response = client.post(
        "/checkout/", checkout_data(client, po_number="PO-9", cost_centre="CC-2")
    )
    assert response.status_code == 302, html_of(response)[:2000]
    order = Order.objects.get()
    assert (order.po_number, order.cost_centre) == ("PO-9", "CC-2")
    page = html_of(client.get(f"/account/orders/{order.number}/"))
    assert "<dt>Cost centre</dt><dd>CC-2</dd>" in page
