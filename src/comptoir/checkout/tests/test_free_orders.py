"""An order that coupons and free shipping pay in full: nothing to take, so no card is
needed and no provider is called; the order is placed paid at 0.00, and cancelling it has
no money to give back."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout.tests.conftest import APPROVED
from comptoir.core.testing import problem
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order
from comptoir.orders.services import order_cancel
from comptoir.payments import services as payments
from comptoir.payments.models import Payment, PaymentTransaction
from comptoir.payments.providers.test_gateway import TestGatewayCharge
from comptoir.promotions.models import Coupon, RewardType
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gift() -> Coupon:
    """The coupon CADEAU takes 100 % off; shipping is free for everyone."""
    CartPromotionFactory.create(code="port-offert", reward_type=RewardType.FREE_SHIPPING)
    promotion = CouponPromotionFactory.create(code="cadeau", reward_value=Decimal("100"))
    return CouponFactory.create(promotion=promotion, code="CADEAU", usage_limit=1)


def checkout(client: Client, cart: Cart, body: dict[str, Any], key: str = "k1") -> Any:
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_a_free_order_is_placed_paid_without_a_card(
    client: Client, gift: Coupon, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 2)], coupon_codes=["CADEAU"])

    response = checkout(client, cart, {"payment_method": "test_card"})

    assert response.status_code == 201, response.content
    order = Order.objects.get(number=response.json()["order"]["number"])
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert (order.total_gross, order.amount_paid) == (Decimal("0.00"), Decimal("0.00"))
    assert order.coupon_codes == ["CADEAU"]
    payment = Payment.objects.get()
    assert (payment.state, payment.amount, payment.order) == ("captured", Decimal("0"), order)
    assert payment.source == ""  # no card was asked for, none is kept
    # No provider was called: no charge at the gateway, no transaction in the ledger.
    assert not TestGatewayCharge.objects.exists()
    assert not PaymentTransaction.objects.exists()
    assert Coupon.objects.get(code="CADEAU").times_used == 1
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 2
    cart.refresh_from_db()
    assert cart.status == "completed"

    # Cancelled: the stock and the coupon come back, and there is no money to give back.
    cancelled = order_cancel(order=order)
    assert payments.order_pay_back(order=cancelled) == []
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    assert Coupon.objects.get(code="CADEAU").times_used == 0
    payment.refresh_from_db()
    assert (payment.state, payment.amount_refunded) == ("captured", Decimal("0"))


def test_a_card_given_for_a_free_order_is_neither_checked_nor_kept(
    client: Client, gift: Coupon, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[1], 1)], coupon_codes=["CADEAU"])

    response = checkout(client, cart, {"payment_method": "test_card", "payment_source": "1234"})

    assert response.status_code == 201, response.content
    assert Payment.objects.get().source == ""
    assert not TestGatewayCharge.objects.exists()


def test_a_cart_left_to_pay_still_needs_a_valid_card(
    client: Client, gift: Coupon, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    """Free shipping alone leaves the goods to pay: the card is required and checked."""
    cart = make_cart([(variants[0], 1)])

    problem(checkout(client, cart, {"payment_method": "test_card"}), 400, "INVALID_CARD")
    problem(
        checkout(client, cart, {"payment_method": "nope", "payment_source": APPROVED}, "k2"),
        400,
        "INVALID_INPUT",
    )

    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    assert (
        checkout(
            client, cart, {"payment_method": "test_card", "payment_source": APPROVED}, "k3"
        ).status_code
        == 201
    )
