"""Orders on account through checkout: the credit limit is checked when checkout starts
(nothing reserved when it is refused) and again under the billing account's lock in the
transaction that inserts the order; concurrent orders never pass the limit (PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout import services as checkout
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import CompanyMemberFactory, FrenchCompanyFactory
from comptoir.core.errors import Conflict
from comptoir.core.testing import api_for, problem, race
from comptoir.inventory.models import Reservation, Stock
from comptoir.invoicing import selectors
from comptoir.invoicing.tests.factories import account_for, order_for
from comptoir.orders.models import Order
from comptoir.payments import services as payments

pytestmark = pytest.mark.django_db(transaction=True)

ON_ACCOUNT = {"payment_method": "on_account", "po_number": "PO-2026-001"}
CART_TOTAL = Decimal("54.90")  # 5 x 10.00 + 4.90 shipping


@pytest.fixture
def buyer() -> Any:
    user = UserFactory.create()
    CompanyMemberFactory.create(user=user, company=FrenchCompanyFactory.create())
    return user


def _company(user: Any) -> Company:
    return Company.objects.get(members__user=user)


def _checkout(client: Client, headers: dict[str, str], cart: Cart, key: str) -> Any:
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps(ON_ACCOUNT),
        content_type="application/json",
        headers={**headers, "Idempotency-Key": key},
    )


def test_orders_on_account_up_to_the_limit_then_409(
    client: Client,
    buyer: Any,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
) -> None:
    account_for(_company(buyer), limit="100.00")
    headers = api_for(buyer, client).headers
    first = make_cart([(variants[0], 5)], user=buyer)

    placed = _checkout(client, headers, first, "k1")

    assert placed.status_code == 201, placed.content
    order = Order.objects.get(number=placed.json()["order"]["number"])
    assert (order.payment_status, order.total_gross, order.po_number) == (
        "on_account",
        CART_TOTAL,
        "PO-2026-001",
    )
    assert order.company_id is not None
    assert selectors.company_outstanding(company_id=order.company_id) == CART_TOTAL

    second = make_cart([(variants[0], 5)], user=buyer)
    body = problem(_checkout(client, headers, second, "k2"), 409, "CREDIT_LIMIT_EXCEEDED")
    assert body["errors"] == {"credit": ["available=45.10", "amount=54.90"]}
    second.refresh_from_db()
    assert second.status == "open"
    assert Order.objects.count() == 1
    assert not Reservation.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 5


def test_payment_on_account_is_offered_only_with_an_account_allowing_it(
    client: Client, buyer: Any, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    headers = api_for(buyer, client).headers
    cart = make_cart([(variants[0], 1)], user=buyer)
    problem(_checkout(client, headers, cart, "k1"), 400, "PAYMENT_METHOD_UNAVAILABLE")
    account_for(_company(buyer), limit=None)
    assert _checkout(client, headers, cart, "k2").status_code == 201


def test_credit_taken_between_start_and_placement_gives_the_checkout_back(
    client: Client,
    buyer: Any,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check under the lock, when the order is inserted, is the one that counts: an
    order placed by a colleague after this checkout started takes the credit first."""
    company = _company(buyer)
    account_for(company, limit="100.00")
    headers = api_for(buyer, client).headers
    cart = make_cart([(variants[0], 5)], user=buyer)
    original = payments.payment_start

    def colleague_orders_first(**kwargs: Any) -> Any:
        payment = original(**kwargs)
        order_for(company, unit_gross="50.00", quantity=1)
        return payment

    monkeypatch.setattr(payments, "payment_start", colleague_orders_first)

    refused = _checkout(client, headers, cart, "k1")

    body = problem(refused, 409, "CREDIT_LIMIT_EXCEEDED")
    assert body["errors"] == {"credit": ["available=50.00", "amount=54.90"]}
    cart.refresh_from_db()
    assert cart.status == "open"
    assert Order.objects.filter(checkout_ref__startswith="co-").count() == 0
    assert not Reservation.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    # A replay with the same key answers the same; a new attempt is refused at once.
    assert _checkout(client, headers, cart, "k1").json() == refused.json()
    monkeypatch.setattr(payments, "payment_start", original)
    problem(_checkout(client, headers, cart, "k2"), 409, "CREDIT_LIMIT_EXCEEDED")


@pytest.mark.postgres
def test_concurrent_orders_on_account_never_pass_the_limit(
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, limit="200.00")  # room for 3 orders of 54.90
    buyers = [CompanyMemberFactory.create(company=company).user for _ in range(8)]
    carts = [make_cart([(variants[0], 5)], user=user) for user in buyers]

    def place(cart: Cart, user: Any) -> Callable[[], None]:
        def call() -> None:
            status, body = checkout.checkout_place(
                token=cart.token, user=user, idempotency_key="race", body=ON_ACCOUNT
            )
            if status != 201:  # refused under the lock, when placing: same outcome
                raise Conflict(body["detail"], code=body["code"])

        return call

    # Every checkout is held right after it found its company, then all go at once.
    outcomes = race(
        monkeypatch,
        checkout,
        "company_of",
        [place(cart, user) for cart, user in zip(carts, buyers, strict=True)],
    )

    assert Counter(outcomes) == {"ok": 3, "CREDIT_LIMIT_EXCEEDED": 5}, outcomes
    assert Order.objects.filter(company=company).count() == 3
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("164.70")
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 15
    assert not Reservation.objects.exists()
    assert Cart.objects.filter(status="open").count() == 5
