"""The buying pages' SQL statements are pinned: the cart page, the checkout page (shown and
saved), the order confirmation and the account's orders pages cost the same with one line
(or order, or parcel) as with several: a query per line is a regression, and so is the
cart priced twice in one request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import ProductVariant
from comptoir.core.testing import LanguageClient
from comptoir.orders.models import Order
from comptoir.orders.services import fulfilment_create
from comptoir.orders.tests.factories import make_order
from comptoir.storefront.tests.conftest import ADDRESS, Store, add_to_cart

pytestmark = pytest.mark.django_db

# Session, cart; its view: lines (with their products' names and slugs), engine rows, free
# stock (the automatic cart promotions come from the process's copy); the lines' pictures.
CART_PAGE = 6
# The same, and the page's delivery options on the same goods (no second pricing); the
# channel's payment methods and shipping zones come from the process's copies.
CHECKOUT_PAGE = 8
# "Update" (saved, then redirected): the page's choices (the cart priced once), the
# addresses saved (savepoint, locked cart, update), the delivery method chosen on the goods
# priced under the cart's lock (savepoint, locked cart, 3, update).
CHECKOUT_SAVE = 16
# Session, user; the order with its channel and pick-up warehouse, its lines, parcels and
# their lines, and its public events (prefetched).
ORDER_PAGE = 7
# The account's pages also read the customer's company membership (whose orders they see).
MEMBERSHIP = 1
# Session, user, membership, the page of orders and their count.
ORDERS_PAGE = 5


@pytest.fixture
def client() -> Client:
    """The buying pages' texts are checked in English: the client asks for the English
    pages (`/en/...`); amounts in French formatting are checked on the French pages."""
    return LanguageClient(language="en")


def _count(request: Callable[[], Any], status: int) -> tuple[int, list[str]]:
    request()  # warm the process's copies (rates, shipping, promotions, channels)
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == status, response.content.decode()[:2000]
    return len(queries), [q["sql"][:150] for q in queries.captured_queries]


def _filled(store: Store, lines: int) -> Client:
    client = LanguageClient(language="en")
    products = [(store.drill, 0), (store.saw, 0), (store.saw, 1), (store.lamp, 0)][:lines]
    for product, index in products:
        assert add_to_cart(client, store, product, 1, index=index).status_code == 302
    return client


def _details(store: Store) -> dict[str, Any]:
    return {
        "idempotency_key": "k",
        "shipping_choice": "new",
        "billing_same": "on",
        "shipping_method": str(store.colissimo.pk),
        "payment_method": "test_card",
        "email": "guest@example.fr",
        "action": "update",
        **{f"shipping-{key}": value for key, value in ADDRESS.items()},
    }


@pytest.mark.parametrize(
    ("method", "path", "status", "expected"),
    [
        ("get", "/cart/", 200, CART_PAGE),
        ("get", "/checkout/", 200, CHECKOUT_PAGE),
        ("post", "/checkout/", 302, CHECKOUT_SAVE),
    ],
)
def test_cart_and_checkout_pages(
    store: Store, method: str, path: str, status: int, expected: int
) -> None:
    counts = []
    for lines in (1, 4):
        client = _filled(store, lines)
        data = _details(store) if method == "post" else None
        count, statements = _count(lambda: getattr(client, method)(path, data), status)  # noqa: B023
        counts.append(count)
    assert counts == [expected, expected], statements


def _variants(store: Store) -> list[ProductVariant]:
    return list(ProductVariant.objects.filter(product__channel_listings__channel=store.channel))


def _order(store: Store, user: Any, lines: int) -> Order:
    return make_order(
        items=[(variant, 1) for variant in _variants(store)[:lines]],
        channel=store.channel,
        user=user,
    )


def _shipped(order: Order) -> Order:
    for line in order.lines.all():  # a parcel per line
        fulfilment_create(order=order, lines=[(line.pk, line.quantity)], carrier="Colissimo")
    return order


def test_order_pages(client: Client, store: Store) -> None:
    user = UserFactory.create()
    client.force_login(user)
    counts: dict[str, list[int]] = {"confirmation": [], "detail": [], "list": []}
    for lines in (1, 4):
        order = _shipped(_order(store, user, lines))
        for page, path in (
            ("confirmation", f"/orders/{order.token}/"),
            ("detail", f"/account/orders/{order.number}/"),
            ("list", "/account/orders/"),  # one order, then two
        ):
            count, statements = _count(lambda: client.get(path), 200)  # noqa: B023
            counts[page].append(count)
            expected = {"list": ORDERS_PAGE, "detail": ORDER_PAGE + MEMBERSHIP}
            assert count == expected.get(page, ORDER_PAGE), (
                page,
                "\n".join(statements),
            )
    assert counts["confirmation"][0] == counts["confirmation"][1]
