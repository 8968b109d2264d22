"""The cart API end to end: creation and cookie, lines, coupons, addresses, shipping,
merge, access (another customer's cart, guessed tokens, CSRF), staff endpoints, and the
merge on login of the web pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.tests.factories import AddressFactory, StaffFactory, UserFactory
from comptoir.cart import services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.tests.conftest import ADDRESS, Caller, Shop, ready, sellable
from comptoir.core.testing import api_for, clerk_api, problem
from comptoir.promotions.tests.factories import CouponFactory, CouponPromotionFactory

pytestmark = pytest.mark.django_db


def new_cart(caller: Caller, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = caller.post(f"carts?{query}" if query else "carts")
    assert response.status_code in (200, 201), response.content
    body: dict[str, Any] = response.json()
    return body


def add(caller: Caller, token: str, sku: str = "DRILL", quantity: Any = 1) -> Any:
    return caller.post(f"carts/{token}/lines", {"sku": sku, "quantity": quantity})


# --- creation ------------------------------------------------------------------------------


def test_a_visitor_creates_a_cart_and_gets_its_cookie(client: Client, shop: Shop) -> None:
    response = Caller(client).post("carts", {"email": "lea@example.fr"})
    assert response.status_code == 201, response.content
    body = response.json()
    cookie = response.cookies["comptoir_cart"]
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert body["channel"] == "boutique-france"
    assert body["prices_include_tax"] is True
    assert body["email"] == "lea@example.fr"
    assert body["blockers"] == [
        "EMPTY_CART",
        "ADDRESS_REQUIRED",
        "SHIPPING_METHOD_REQUIRED",
    ]


def test_post_without_a_body(client: Client, shop: Shop) -> None:
    response = client.generic("POST", "/api/v1/carts", headers={"Accept-Language": "en"})
    assert response.status_code == 201, response.content
    assert response.json()["language"] == "en"
    response = client.post("/api/v1/carts", data="", content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_signed_in_customer_gets_their_cart_back(client: Client, shop: Shop) -> None:
    caller = Caller(client, shop.shopper)
    response = caller.post("carts")
    assert response.status_code == 201
    assert "comptoir_cart" not in response.cookies  # API clients keep the token themselves
    again = caller.post("carts")
    assert again.status_code == 200
    assert again.json()["token"] == response.json()["token"]


def test_a_company_buyer_defaults_to_the_business_channel(client: Client, shop: Shop) -> None:
    body = new_cart(Caller(client, shop.buyer))
    assert (body["channel"], body["prices_include_tax"]) == ("comptoir-pro", False)


@pytest.mark.parametrize("channel", ["inconnu", "x" * 60, "a%00b"])
def test_unknown_channel(client: Client, shop: Shop, channel: str) -> None:
    problem(Caller(client).post(f"carts?channel={channel}"), 404, "CHANNEL_NOT_FOUND")
    assert not Cart.objects.exists()


def test_bad_cart_input(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    problem(caller.post("carts", {"email": "nope"}), 400, "INVALID_EMAIL")
    problem(caller.post("carts", {"language": "de"}), 400, "INVALID_INPUT")
    problem(caller.post("carts", "not json"), 400, "BAD_REQUEST")
    problem(caller.post("carts", "NaN"), 400, "BAD_REQUEST")
    problem(caller.post("carts", {"email": 3}), 422, "VALIDATION_ERROR")
    problem(caller.post("carts", [1]), 422, "VALIDATION_ERROR")
    assert not Cart.objects.exists()


def test_a_bad_bearer_token_is_a_401(client: Client, shop: Shop) -> None:
    response = client.generic("POST", "/api/v1/carts", headers={"Authorization": "Bearer nope"})
    problem(response, 401, "UNAUTHORIZED")


# --- lines ---------------------------------------------------------------------------------


def test_lines_through_the_api(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    response = add(caller, token, "DRILL", 2)
    assert response.status_code == 200, response.content
    (line,) = response.json()["lines"]
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
        "net": "40.00",
        "tax": "8.00",
        "gross": "48.00",
        "currency": "EUR",
        "rule": "base",
    }
    body = caller.patch(f"carts/{token}/lines/{line['id']}", {"quantity": 3}).json()
    assert body["lines"][0]["quantity"] == 3
    assert body["total"] == {"net": "60.00", "tax": "12.00", "gross": "72.00", "currency": "EUR"}
    body = caller.patch(f"carts/{token}/lines/{line['id']}", {"saved_for_later": True}).json()
    assert (body["lines"], body["saved_for_later"][0]["sku"]) == ([], "DRILL")
    assert body["subtotal"]["gross"] == "0.00"
    body = caller.patch(f"carts/{token}/lines/{line['id']}", {"saved_for_later": False}).json()
    assert body["lines"][0]["quantity"] == 3
    body = caller.delete(f"carts/{token}/lines/{line['id']}").json()
    assert body["lines"] == []


def test_adding_a_line_prices_the_cart_once(client: Client, shop: Shop) -> None:
    """`POST lines` costs the same statements whatever the cart holds, and prices the cart
    once: the service checks the added line on the goods the answer shows."""
    caller = Caller(client)
    skus = [f"VIS-{i}" for i in range(4)]
    for sku in skus:
        sellable(shop.b2c, sku=sku, price="3.10", stock=50, warehouse=shop.warehouse)
    small, large = new_cart(caller)["token"], new_cart(caller)["token"]
    for sku in skus[:3]:
        assert add(caller, large, sku).status_code == 200
    assert add(caller, small, "VIS-0").status_code == 200
    # Warms the process's copies (a copy loaded inside a transaction is not kept).
    assert caller.get(f"carts/{small}").status_code == 200
    counts = []
    for token in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = add(caller, token, "DRILL", 2)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
    # The cart read, then locked and touched (one UPDATE ... RETURNING); the line added
    # to (or made) by SKU in one upsert; the goods (lines, engine rows, free stock); the
    # service's savepoint and its release (the test's transaction stands for autocommit).
    statements = "\n".join(q["sql"][:120] for q in queries.captured_queries)
    assert counts[0] == counts[1] == 8, statements
    assert [line["sku"] for line in response.json()["lines"]] == [*skus[:3], "DRILL"]


def test_prices_sent_by_the_client_change_nothing(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    response = caller.post(
        f"carts/{token}/lines",
        {"sku": "DRILL", "quantity": 1, "unit_price": "0.01", "price": {"gross": "0.01"}},
    )
    assert response.status_code == 200
    assert response.json()["total"]["gross"] == "24.00"
    line_id = response.json()["lines"][0]["id"]
    response = caller.patch(f"carts/{token}/lines/{line_id}", {"quantity": 1, "total": "0.01"})
    assert response.json()["total"]["gross"] == "24.00"


@pytest.mark.parametrize(
    "quantity", [0, -2, 1.5, 2.0, "3", "beaucoup", None, True, 10_000, 10**40, 1e300]
)
def test_bad_quantities_are_400(client: Client, shop: Shop, quantity: Any) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    problem(add(caller, token, "DRILL", quantity), 400, "INVALID_QUANTITY")
    assert not CartLine.objects.exists()


def test_line_errors(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    problem(add(caller, token, "NOPE"), 400, "UNKNOWN_SKU")
    problem(add(caller, token, "DRILL", 500), 409, "INSUFFICIENT_STOCK")
    problem(caller.post(f"carts/{token}/lines", {"quantity": 1}), 422, "VALIDATION_ERROR")
    problem(
        caller.post(f"carts/{token}/lines", {"sku": 12, "quantity": 1}), 422, "VALIDATION_ERROR"
    )
    problem(caller.patch(f"carts/{token}/lines/999", {"quantity": 1}), 404, "LINE_NOT_FOUND")
    problem(caller.patch(f"carts/{token}/lines/{2**70}", {"quantity": 1}), 404, "LINE_NOT_FOUND")
    problem(caller.delete(f"carts/{token}/lines/999"), 404, "LINE_NOT_FOUND")
    problem(caller.patch(f"carts/{token}/lines/abc", {"quantity": 1}), 422, "VALIDATION_ERROR")
    line = add(caller, token).json()["lines"][0]
    problem(
        caller.patch(f"carts/{token}/lines/{line['id']}", {"quantity": None}),
        400,
        "INVALID_QUANTITY",
    )
    problem(
        caller.patch(f"carts/{token}/lines/{line['id']}", {"saved_for_later": "oui"}),
        400,
        "INVALID_INPUT",
    )
    # Another cart's line is not this cart's.
    other = new_cart(Caller(Client()))["token"]
    problem(caller.delete(f"carts/{other}/lines/{line['id']}"), 404, "LINE_NOT_FOUND")
    assert CartLine.objects.get().quantity == 1


def test_a_cart_being_checked_out_is_locked(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    add(caller, token)
    Cart.objects.update(status=CartStatus.CHECKING_OUT)
    problem(add(caller, token), 409, "CART_LOCKED")
    assert caller.get(f"carts/{token}").json()["status"] == "checking_out"
    Cart.objects.update(status=CartStatus.COMPLETED)
    problem(add(caller, token), 404, "CART_NOT_FOUND")
    body = caller.get(f"carts/{token}").json()
    assert (body["status"], body["blockers"][0]) == ("completed", "CART_CLOSED")


# --- access --------------------------------------------------------------------------------


def test_another_customers_cart_is_not_found(client: Client, shop: Shop) -> None:
    owner = Caller(client, shop.shopper)
    token = new_cart(owner)["token"]
    add(owner, token)
    intruders = (
        (Caller(Client()), (401, "UNAUTHORIZED")),
        (Caller(Client(), shop.buyer), (404, "CART_NOT_FOUND")),
        (Caller(Client(), shop.buyer, session=True), (404, "CART_NOT_FOUND")),
    )
    for intruder, merge in intruders:
        problem(intruder.get(f"carts/{token}"), 404, "CART_NOT_FOUND")
        problem(add(intruder, token), 404, "CART_NOT_FOUND")
        problem(
            intruder.put(f"carts/{token}/addresses", {"email": "x@example.fr"}),
            404,
            "CART_NOT_FOUND",
        )
        problem(intruder.post(f"carts/{token}/merge"), *merge)
    assert CartLine.objects.get().quantity == 1


@pytest.mark.parametrize("token", ["x" * 43, "abc", "a" * 70, "%00", "..%2E", "%FF%FE"])
def test_guessed_tokens_are_not_found(client: Client, shop: Shop, token: str) -> None:
    new_cart(Caller(client))
    problem(Caller(Client()).get(f"carts/{token}"), 404, "CART_NOT_FOUND")


def test_session_writes_need_the_csrf_token(shop: Shop) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(shop.shopper)
    caller = Caller(client)
    response = caller.post("carts")
    problem(response, 403, "CSRF_FAILED")
    assert not Cart.objects.exists()
    # A visitor has no session to ride on: no CSRF check for their token-addressed cart.
    visitor = Caller(Client(enforce_csrf_checks=True))
    assert visitor.post("carts").status_code == 201


# --- coupons, addresses, shipping ----------------------------------------------------------


def test_coupon_applied_and_explained(client: Client, shop: Shop) -> None:
    promotion = CouponPromotionFactory.create(code="bienvenue", name="Bienvenue")
    CouponFactory.create(promotion=promotion, code="BIENVENUE10")
    caller = Caller(client)
    token = new_cart(caller)["token"]
    add(caller, token, "DRILL", 2)
    body = caller.post(f"carts/{token}/coupons", {"code": "bienvenue10"}).json()
    assert body["coupons"] == [{"code": "BIENVENUE10", "applied": True, "problem": None}]
    assert body["discounts"] == [
        {
            "promotion": "bienvenue",
            "coupon": "BIENVENUE10",
            "label": "Bienvenue",
            "amount": {
                "net": "4.00",
                "tax": "0.80",
                "gross": "4.80",
                "currency": "EUR",
                "rule": "promotion:bienvenue",
            },
            "free_shipping": False,
        }
    ]
    assert body["lines"][0]["discount"] == {
        "net": "4.00",
        "tax": "0.80",
        "gross": "4.80",
        "currency": "EUR",
    }
    assert body["subtotal"]["gross"] == "43.20"
    body = problem(caller.post(f"carts/{token}/coupons", {"code": "NOPE"}), 400, "COUPON_NOT_FOUND")
    assert "code" in body["errors"]
    body = caller.delete(f"carts/{token}/coupons/bienvenue10").json()
    assert (body["coupons"], body["subtotal"]["gross"]) == ([], "48.00")


def test_addresses_and_shipping(client: Client, shop: Shop) -> None:
    caller = Caller(client)
    token = new_cart(caller)["token"]
    add(caller, token, "DRILL", 1)
    problem(
        caller.put(f"carts/{token}/addresses", {"shipping_address": ADDRESS}), 400, "EMAIL_REQUIRED"
    )
    body = problem(
        caller.put(
            f"carts/{token}/addresses",
            {"shipping_address": {**ADDRESS, "postal_code": "7501"}, "email": "a@example.fr"},
        ),
        400,
        "ADDRESS_INVALID",
    )
    assert list(body["errors"]) == ["shipping_address.postal_code"]
    problem(
        caller.put(
            f"carts/{token}/addresses",
            {"shipping_address": {**ADDRESS, "favourite": "x"}, "email": "a@example.fr"},
        ),
        422,
        "VALIDATION_ERROR",
    )
    body = caller.put(
        f"carts/{token}/addresses",
        {"shipping_address": ADDRESS, "same_as_shipping": True, "email": "lea@example.fr"},
    ).json()
    assert body["billing_address"]["phone"] == "+33612345678"
    options = caller.get(f"carts/{token}/shipping-methods").json()
    assert options["country"] == "FR"
    assert [(o["code"], o["price"]["gross"], o["free"]) for o in options["results"]] == [
        ("colissimo", "4.90", False),
        ("retrait", "0.00", True),
    ]
    problem(
        caller.put(f"carts/{token}/shipping-method", {"method_id": shop.pro_delivery.pk}),
        400,
        "SHIPPING_METHOD_UNAVAILABLE",
    )
    problem(caller.put(f"carts/{token}/shipping-method", {}), 400, "INVALID_INPUT")
    body = caller.put(f"carts/{token}/shipping-method", {"code": "colissimo"}).json()
    assert body["shipping"]["price"] == {
        "net": "4.08",
        "tax": "0.82",
        "gross": "4.90",
        "currency": "EUR",
        "rule": "shipping:colissimo",
    }
    assert body["total"]["gross"] == "28.90"
    assert body["tax_breakdown"] == [
        {"rate": "20", "net": "24.08", "tax": "4.82", "currency": "EUR"}
    ]
    assert body["blockers"] == []
    # Free from 80.00 of goods.
    add(caller, token, "DRILL", 3)
    body = caller.get(f"carts/{token}").json()
    assert (body["shipping"]["price"]["gross"], body["total"]["gross"]) == ("0.00", "96.00")


def test_saved_addresses_of_another_customer_are_not_found(client: Client, shop: Shop) -> None:
    caller = Caller(client, shop.shopper)
    token = new_cart(caller)["token"]
    mine = AddressFactory.create(user=shop.shopper)
    theirs = AddressFactory.create(user=UserFactory.create())
    problem(
        caller.put(f"carts/{token}/addresses", {"shipping_address_id": theirs.pk}),
        404,
        "ADDRESS_NOT_FOUND",
    )
    body = caller.put(
        f"carts/{token}/addresses", {"shipping_address_id": mine.pk, "same_as_shipping": True}
    ).json()
    assert body["shipping_address"]["city"] == "Paris"
    assert body["email"] == shop.shopper.email


def test_b2b_cart_tax_excluded_with_contract_prices(client: Client, shop: Shop) -> None:
    caller = Caller(client, shop.buyer)
    token = new_cart(caller)["token"]
    body = add(caller, token, "DRILL", 10).json()
    line = body["lines"][0]
    assert (line["rule"], line["unit"]["net"], line["total"]["net"]) == (
        "tier:10",
        "14.00",
        "140.00",
    )
    assert body["prices_include_tax"] is False
    assert body["total"] == {"net": "140.00", "tax": "28.00", "gross": "168.00", "currency": "EUR"}
    problem(add(caller, token, "DRILL-XL", 5), 400, "QUANTITY_RULE")


def test_reverse_charge_through_the_api(client: Client, shop: Shop) -> None:
    caller = Caller(client, shop.belge_buyer)
    token = new_cart(caller)["token"]
    add(caller, token, "DRILL", 2)
    body = caller.put(
        f"carts/{token}/addresses",
        {
            "shipping_address": {
                "first_name": "Jan",
                "last_name": "Peeters",
                "street_address_1": "Rue Neuve 1",
                "postal_code": "1000",
                "city": "Bruxelles",
                "country": "BE",
            },
            "same_as_shipping": True,
        },
    ).json()
    assert body["tax_treatment"] == "reverse_charge"
    assert "196" in body["legal_mention"]
    assert body["total"] == {"net": "40.00", "tax": "0.00", "gross": "40.00", "currency": "EUR"}
    assert body["lines"][0]["tax_rate"] == "0"


# --- merge ---------------------------------------------------------------------------------


def test_merge_through_the_api(client: Client, shop: Shop) -> None:
    visitor = Caller(client)
    token = new_cart(visitor)["token"]
    add(visitor, token, "DRILL", 2)
    problem(visitor.post(f"carts/{token}/merge"), 401, "UNAUTHORIZED")
    customer = Caller(Client(), shop.shopper)
    mine = new_cart(customer)["token"]
    add(customer, mine, "DRILL", 1)
    body = customer.post(f"carts/{token}/merge").json()
    assert (body["token"], body["lines"][0]["quantity"]) == (mine, 3)
    assert customer.post(f"carts/{token}/merge").json()["token"] == mine
    assert visitor.get(f"carts/{token}").json()["status"] == "merged"


def test_login_page_merges_the_visitors_cart(client: Client, shop: Shop) -> None:
    user = UserFactory.create(email="lea@example.fr")
    visitor = Caller(client)
    token = new_cart(visitor)["token"]  # the cookie is now on the client
    add(visitor, token, "DRILL", 2)
    response = client.post(
        reverse("accounts:login"), {"email": "lea@example.fr", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response.cookies["comptoir_cart"].value == ""  # deleted
    cart = Cart.objects.get(token=token)
    assert (cart.user_id, cart.status) == (user.pk, CartStatus.OPEN)


def test_login_with_an_unknown_cart_cookie_still_signs_in(client: Client, shop: Shop) -> None:
    UserFactory.create(email="lea@example.fr")
    client.cookies["comptoir_cart"] = "nope"
    response = client.post(
        reverse("accounts:login"), {"email": "lea@example.fr", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


# --- staff ---------------------------------------------------------------------------------


def test_staff_list_and_detail(client: Client, shop: Shop) -> None:
    cart = ready(services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr"), shop)
    services.line_add(cart=cart, sku="DRILL", quantity=2)
    services.cart_create(channel=shop.b2c, language="fr")
    api = clerk_api(client, "view_cart")
    body = api.get("carts", {"status": "open", "user": shop.shopper.pk}).json()
    assert body["count"] == 1
    assert body["results"][0]["line_count"] == 1
    assert body["results"][0]["user_email"] == shop.shopper.email
    assert api.get("carts").json()["count"] == 2
    detail = api.get(f"carts/{cart.pk}").json()
    assert detail["cart"]["total"]["gross"] == "52.90"  # with Colissimo
    problem(api.get("carts/999999"), 404, "CART_NOT_FOUND")
    problem(api.get("carts", {"status": "paid"}), 400, "INVALID_INPUT")
    problem(api.get("carts", {"page_size": 1000}), 400, "INVALID_PAGINATION")


def test_staff_access(client: Client, shop: Shop) -> None:
    problem(client.get("/api/v1/admin/carts"), 401, "UNAUTHORIZED")
    problem(clerk_api(client, "view_order").get("carts"), 403, "PERMISSION_DENIED")
    customer = api_for(shop.shopper, Client())
    problem(customer.get("carts"), 403, "PERMISSION_DENIED")
    staff = StaffFactory.create()
    assert staff.has_perm("cart.view_cart")
    assert Permission.objects.filter(codename="view_cart").exists()
    assert api_for(staff, Client()).get("carts").status_code == 200


def test_openapi_documents_the_cart_routes(client: Client) -> None:
    paths = json.loads(client.get("/api/v1/openapi.json").content)["paths"]
    for path in (
        "/api/v1/carts",
        "/api/v1/carts/{token}",
        "/api/v1/carts/{token}/lines",
        "/api/v1/carts/{token}/lines/{line_id}",
        "/api/v1/carts/{token}/coupons",
        "/api/v1/carts/{token}/coupons/{code}",
        "/api/v1/carts/{token}/addresses",
        "/api/v1/carts/{token}/shipping-methods",
        "/api/v1/carts/{token}/shipping-method",
        "/api/v1/carts/{token}/merge",
        "/api/v1/admin/carts",
        "/api/v1/admin/carts/{cart_id}",
    ):
        assert path in paths, path
