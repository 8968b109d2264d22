"""POST /api/v1/carts/{token}/checkout: placement, declines, second steps, offline methods,
idempotent replays, bad input and other people's carts."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.models import Cart
from comptoir.cart.selectors import cart_view
from comptoir.catalog.models import ProductVariant
from comptoir.checkout.tests.conftest import APPROVED, DECLINED, THREE_DS
from comptoir.companies import services
from comptoir.companies.services import role_builtin
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.models import OutboxEvent
from comptoir.core.testing import problem
from comptoir.inventory.models import Reservation, Stock
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders.models import Order
from comptoir.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


def checkout(client: Client, cart: Cart, body: dict[str, Any], *, key: str | None = "key-1") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


CARD = {"payment_method": "test_card", "payment_source": APPROVED}


def test_test_card_places_a_paid_order_with_the_cart_totals(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 2), (variants[1], 1)])
    view = cart_view(cart=cart)
    response = checkout(client, cart, CARD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "placed"
    order = Order.objects.get(number=body["order"]["number"])
    assert order.status == "paid"
    assert order.payment_status == "paid"
    # 2 x 10.00 + 11.00 + 4.90 shipping, tax included.
    assert order.total_gross == Decimal("35.90")
    assert body["order"]["total"]["gross"] == "35.90"
    assert order.total_gross == Decimal(view.total.gross) / 100
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [
        (variants[0].sku, 2),
        (variants[1].sku, 1),
    ]
    assert order.shipping_method_code == "colissimo"
    assert (order.shipping_address or {})["city"] == "Paris"
    assert sum(a.quantity for line in order.lines.all() for a in line.allocations.all()) == 3
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 2
    assert not Reservation.objects.exists()
    cart.refresh_from_db()
    assert cart.status == "completed"
    payment = Payment.objects.get()
    assert payment.order == order
    assert order.amount_paid == Decimal("35.90")
    # Placed paid: the timeline and the outbox say so once, naming the payment.
    assert [(e.kind, e.data) for e in order.events.order_by("pk") if e.kind != "email_sent"] == [
        ("placed", {"total_gross": "35.90"}),
        ("paid", {"amount": "35.90", "reference": str(payment.reference)}),
    ]
    assert sorted(
        OutboxEvent.objects.filter(aggregate="order", aggregate_id=str(order.pk)).values_list(
            "topic", flat=True
        )
    ) == ["order.paid", "order.placed"]
    assert payment.state == "captured"
    assert "4242424242424242" not in json.dumps(payment.metadata) + payment.source
    topics = set(OutboxEvent.objects.values_list("topic", flat=True))
    assert {"order.placed", "order.paid"} <= topics
    assert ledger_mismatches() == []


def test_a_declined_card_leaves_no_order_and_gives_everything_back(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 3)])
    response = checkout(client, cart, {"payment_method": "test_card", "payment_source": DECLINED})
    body = problem(response, 402, "PAYMENT_DECLINED")
    assert body["payment"]["state"] == "declined"
    assert not Order.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    assert not Reservation.objects.exists()
    cart.refresh_from_db()
    assert cart.status == "open"
    # The same key replays the refusal; a new key with a good card places the order.
    assert (
        checkout(client, cart, {"payment_method": "test_card", "payment_source": DECLINED}).json()
        == body
    )
    assert checkout(client, cart, CARD, key="key-2").status_code == 201


def test_a_second_step_answers_202_then_the_order_follows_confirmation(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[2], 1)])
    response = checkout(client, cart, {"payment_method": "test_card", "payment_source": THREE_DS})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "requires_action"
    assert body["payment"]["action_url"]
    assert not Order.objects.exists()
    assert Stock.objects.get(variant=variants[2]).quantity_allocated == 1  # reserved
    # Lines cannot change while the payment is open.
    cart.refresh_from_db()
    assert cart.status == "checking_out"
    # The customer approves on the gateway's page; the return confirms.
    reference = body["payment"]["reference"]
    page = client.get(body["payment"]["action_url"])
    assert page.status_code == 200
    client.post(body["payment"]["action_url"], {"action": "approve"})
    confirmed = client.post(f"/api/v1/payments/{reference}/confirm")
    assert confirmed.status_code in (200, 201), confirmed.content
    order = Order.objects.get()
    assert order.payment_status == "paid"
    # Confirming again changes nothing.
    client.post(f"/api/v1/payments/{reference}/confirm")
    assert Order.objects.count() == 1


def test_bank_transfer_places_an_unpaid_order(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    response = checkout(client, cart, {"payment_method": "bank_transfer"})
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.status == "placed"
    assert order.payment_status == "pending"
    assert Payment.objects.get().state == "pending"


def test_replay_returns_the_first_answer_and_another_body_is_409(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    first = checkout(client, cart, CARD)
    again = checkout(client, cart, CARD)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    problem(
        checkout(client, cart, {"payment_method": "bank_transfer"}), 409, "IDEMPOTENCY_KEY_REUSED"
    )
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "IDEMPOTENCY_KEY_REQUIRED"),
        ("", "IDEMPOTENCY_KEY_REQUIRED"),
        ("x" * 256, "IDEMPOTENCY_KEY_INVALID"),
    ],
)
def test_idempotency_key_is_required_and_bounded(
    client: Client,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    key: str | None,
    code: str,
) -> None:
    cart = make_cart([(variants[0], 1)])
    problem(checkout(client, cart, CARD, key=key), 400, code)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"payment_method": "cash"},
        {"payment_method": 3},
        {"payment_method": "test_card", "po_number": "x" * 65},
        {"payment_method": "test_card", "return_url": "javascript:alert(1)"},
        {"payment_method": "test_card", "payment_source": "1234"},
    ],
)
def test_bad_requests_are_400_and_change_nothing(
    client: Client,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    body: dict[str, Any],
) -> None:
    cart = make_cart([(variants[0], 1)])
    response = checkout(client, cart, body)
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Order.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    cart.refresh_from_db()
    assert cart.status == "open"


def test_client_sent_prices_are_ignored(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    response = checkout(
        client, cart, {**CARD, "total": "0.01", "discount": "10.00", "unit_price": "0"}
    )
    assert response.status_code == 201
    assert Order.objects.get().total_gross == Decimal("14.90")


def test_an_unready_cart_is_refused(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    problem(checkout(client, make_cart([]), CARD), 400, "CHECKOUT_NOT_READY")
    no_address = make_cart([(variants[0], 1)], shipping_address=None, billing_address=None)
    problem(checkout(client, no_address, CARD, key="k2"), 400, "CHECKOUT_NOT_READY")


def test_not_enough_stock_is_409_and_changes_nothing(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 101)])
    problem(checkout(client, cart, CARD), 409, "INSUFFICIENT_STOCK")
    assert not Payment.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0


def test_another_customers_cart_is_404(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    owner, other = UserFactory.create(), UserFactory.create()
    cart = make_cart([(variants[0], 1)], user=owner)
    client.force_login(other)
    problem(checkout(client, cart, CARD), 404, "CART_NOT_FOUND")
    client.logout()
    problem(checkout(client, cart, CARD), 404, "CART_NOT_FOUND")
    problem(
        client.post(
            "/api/v1/carts/not-a-token/checkout",
            data=json.dumps(CARD),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k",
        ),
        404,
        "CART_NOT_FOUND",
    )
    assert not Order.objects.exists()


def test_payment_on_account_needs_a_company(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    problem(
        checkout(client, cart, {"payment_method": "on_account"}), 400, "PAYMENT_METHOD_UNAVAILABLE"
    )


def test_a_company_viewer_cannot_order_and_nothing_changes(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    viewer = member_with_role(CompanyFactory.create(), "viewer")
    cart = make_cart([(variants[0], 1)], user=viewer.user)
    client.force_login(viewer.user)

    body = problem(checkout(client, cart, CARD), 403, "COMPANY_PERMISSION_DENIED")

    assert body["status"] == 403
    cart.refresh_from_db()
    assert cart.status == "open"
    assert not Payment.objects.exists()
    assert not Reservation.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    # The same cart, once the member's role may place orders, is checked out.
    services.company_member_update(
        member=viewer, role=role_builtin(company=viewer.company, code="buyer")
    )
    assert checkout(client, cart, CARD, key="key-2").status_code == 201
    assert Order.objects.get().user_id == viewer.user_id
