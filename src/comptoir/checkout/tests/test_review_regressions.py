"""Regressions from the review of the buying path: a captured payment is never left without
an order or its money back (C1), a failed decline settlement never locks a cart (C2), a
coupon the cart applies is redeemed (C3), a late success after a decline makes no second
order (C4), settling an old payment never reopens a cart another checkout holds (C5)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from comptoir.cart import selectors as cart_selectors
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.models import Channel
from comptoir.checkout import services
from comptoir.checkout.tests.conftest import APPROVED, DECLINED, THREE_DS, stock
from comptoir.core import idempotency
from comptoir.core.errors import DomainError
from comptoir.inventory import services as inventory
from comptoir.inventory.models import Warehouse
from comptoir.orders.models import Order
from comptoir.payments import services as payments
from comptoir.payments.models import Payment
from comptoir.payments.providers import test_gateway
from comptoir.payments.settle import settle_if_decided
from comptoir.promotions.models import Coupon
from comptoir.promotions.tests.factories import CouponFactory, CouponPromotionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def place(cart: Cart, card: str, key: str = "k1") -> tuple[int, dict[str, Any]]:
    return services.checkout_place(
        token=cart.token,
        user=None,
        idempotency_key=key,
        body={"payment_method": "test_card", "payment_source": card},
    )


def test_a_captured_payment_is_never_left_without_an_order_or_a_refund(
    channel: Channel, warehouse: Warehouse, make_cart: Callable[..., Cart]
) -> None:
    last = published_product(channel=channel, price=Decimal("10.00"), slug="last").variants.get()
    stock(last, warehouse, 1)
    cart = make_cart([(last, 1)])
    status, _body = place(cart, THREE_DS)
    assert status == 202
    # The customer takes longer than the reservation: the worker releases it, and the last
    # unit is sold to someone else.
    inventory.reservations_expire(now=timezone.now() + timedelta(hours=1))
    inventory.stock_allocate(lines=[(last.pk, 1)], channel=channel)
    # Then the customer completes 3-D Secure: the money is taken.
    payment = Payment.objects.get()
    test_gateway.complete_action(payment.reference, approve=True)
    payment = payments.payment_sync(payment=payment)
    assert payment.state == "captured"
    with contextlib.suppress(DomainError):  # 409 ORDER_NOT_PLACED: the money goes back
        settle_if_decided(payment)
    services.checkout_reconcile(older_than_seconds=0)  # ignores captured payments
    payment.refresh_from_db()
    cart.refresh_from_db()
    # Paid: either the order exists (backordered) or the money went back, and the cart is
    # not stuck in checking_out.
    assert Order.objects.exists() or payment.state in ("refunded", "voided")
    assert cart.status != "checking_out"


def test_a_decline_whose_settlement_failed_does_not_lock_the_cart_forever(
    monkeypatch: pytest.MonkeyPatch, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    original = idempotency.complete

    def drop(**kwargs: Any) -> None:
        raise OperationalError("connection lost")

    monkeypatch.setattr(idempotency, "complete", drop)
    with pytest.raises(OperationalError):  # the API answers 503 "retry with the same key"
        place(cart, DECLINED)
    monkeypatch.setattr(idempotency, "complete", original)
    # The client retries with the same key, as told; reconciliation runs too.
    with contextlib.suppress(DomainError):
        place(cart, DECLINED)
    services.checkout_reconcile(older_than_seconds=0)
    cart.refresh_from_db()
    assert cart.status == "open"
    assert not inventory.reservation_release(token=Payment.objects.get().checkout_ref)


def test_a_coupon_the_cart_applies_is_redeemed_at_checkout(
    variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    promotion = CouponPromotionFactory.create(
        code="vingt", reward_value=Decimal("20"), min_subtotal=Decimal("50.00")
    )
    CouponFactory.create(promotion=promotion, code="VINGT")
    cart = make_cart([(variants[1], 5)], coupon_codes=["VINGT"])  # 55.00, 44.00 after
    view = cart_selectors.cart_view(cart=Cart.objects.get(pk=cart.pk))
    assert view.coupons == (("VINGT", None),)
    assert view.blockers == ()
    status, body = place(cart, APPROVED)
    assert status == 201, body


def test_a_late_success_after_a_decline_makes_no_second_order_nor_a_free_coupon(
    client: Any, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    promotion = CouponPromotionFactory.create(code="unique", reward_value=Decimal("10"))
    CouponFactory.create(promotion=promotion, code="UNIQUE", usage_limit=1)
    cart = make_cart([(variants[0], 1)], coupon_codes=["UNIQUE"])
    assert place(cart, DECLINED)[0] == 402  # coupon and stock given back, cart open
    assert place(cart, APPROVED, key="k2")[0] == 201  # the customer pays with another card
    first = Payment.objects.order_by("id").first()
    assert first is not None
    # The provider then reports that the first (declined) payment succeeded after all.
    charge = test_gateway.TestGatewayCharge.objects.get(reference=first.reference)
    charge.status, charge.amount_captured = "captured", charge.amount
    charge.save(update_fields=["status", "amount_captured"])
    body = test_gateway.event_body(charge)
    response = client.post(
        "/api/v1/payments/webhooks/test_card",
        data=body,
        content_type="application/json",
        headers={"Comptoir-Test-Gateway-Signature": test_gateway.sign(body)},
    )
    assert response.status_code in (200, 409), response.content
    # One cart, one order; a single-use coupon serves one order.
    assert Order.objects.count() == 1
    using = [o for o in Order.objects.all() if "UNIQUE" in o.coupon_codes]
    assert Coupon.objects.get(code="UNIQUE").times_used == len(using) == 1


def test_settling_an_old_declined_payment_never_reopens_a_cart_in_another_checkout(
    client: Any, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1)])
    assert place(cart, DECLINED)[0] == 402
    status, body = place(cart, THREE_DS, key="k2")  # a second attempt, 3-D Secure pending
    assert status == 202
    first = Payment.objects.order_by("id").first()
    assert first is not None
    # The client (or a webhook retry) asks about the first, declined payment again.
    assert client.post(f"/api/v1/payments/{first.reference}/confirm").status_code == 200
    cart.refresh_from_db()
    assert cart.status == "checking_out"
    # Today the customer can then pay the same cart a third time, and approve the second:
    # two orders, two charges.
    with contextlib.suppress(DomainError):
        place(cart, APPROVED, key="k3")
    second = Payment.objects.get(reference=body["payment"]["reference"])
    test_gateway.complete_action(second.reference, approve=True)
    client.post(f"/api/v1/payments/{second.reference}/confirm")
    assert Order.objects.count() == 1
    assert Payment.objects.filter(state="captured").count() == 1
