"""Cancelling: only before a shipment; stock and coupons go back."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.errors import DomainError
from comptoir.inventory.models import Stock
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders import services
from comptoir.orders.models import Order, OrderAllocation, OrderStatus, PaymentStatus
from comptoir.orders.tests.factories import make_order
from comptoir.promotions.models import Coupon, CouponRedemption
from comptoir.promotions.services import coupon_redeem
from comptoir.promotions.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db


def redeem(code: str, reference: str, channel: Channel) -> None:
    coupon_redeem(
        code=code,
        order_reference=reference,
        email="lea@example.fr",
        subtotal=Decimal("100"),
        channel=channel,
    )


def test_cancel_releases_stock_and_coupons(
    channel: Channel, variant: ProductVariant, actor: Any, topics: Callable[..., list[str]]
) -> None:
    CouponFactory.create(code="BIENVENUE")  # redeemed under the order number
    CouponFactory.create(code="ETE")  # redeemed under the checkout reference
    order = make_order(
        channel=channel,
        items=[(variant, 3)],
        coupon_codes=["bienvenue", "ETE"],
        checkout_ref="k" * 64,
    )
    redeem("BIENVENUE", order.number, channel)
    redeem("ETE", "k" * 64, channel)
    assert Stock.objects.get(variant=variant).quantity_allocated == 3

    order = services.order_cancel(order=order, actor=actor, reason="Client request")

    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.VOIDED)
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (3, 0)
    assert not OrderAllocation.objects.filter(line__order=order).exists()
    assert dict(Coupon.objects.values_list("code", "times_used")) == {"BIENVENUE": 0, "ETE": 0}
    assert not CouponRedemption.objects.exists()
    event = order.events.last()
    assert event is not None
    assert (event.kind, event.actor, event.data["reason"], event.data["coupons"]) == (
        "cancelled",
        actor,
        "Client request",
        ["bienvenue", "ETE"],
    )
    assert topics(order)[-1] == "order.cancelled"
    assert ledger_mismatches() == []


def test_a_paid_order_keeps_its_payment_status(channel: Channel) -> None:
    """The money goes back through payments, which records the refund."""
    order = services.order_cancel(order=make_order(channel=channel, paid=True))

    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.PAID)


def test_no_cancel_after_a_shipment(channel: Channel) -> None:
    order = make_order(channel=channel)
    (line,) = order.lines.all()
    services.fulfilment_create(order=order, lines=[(line.pk, 1)])

    with pytest.raises(DomainError) as caught:
        services.order_cancel(order=order)

    assert caught.value.code == "ORDER_NOT_CANCELLABLE"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_FULFILLED
    assert Stock.objects.get().quantity_allocated == 1


def test_cancel_twice_is_an_invalid_transition(channel: Channel) -> None:
    order = services.order_cancel(order=make_order(channel=channel))

    with pytest.raises(DomainError) as caught:
        services.order_cancel(order=order)

    assert caught.value.code == "INVALID_TRANSITION"


def test_an_order_refunded_before_shipping_can_be_cancelled(channel: Channel) -> None:
    order = make_order(channel=channel, paid=True, coupon_codes=["BIENVENUE"])
    CouponFactory.create(code="BIENVENUE")
    redeem("BIENVENUE", order.number, channel)
    order = services.order_record_refund(order=order, amount=Decimal("24.00"))
    assert Stock.objects.get().quantity_allocated == 0  # released by the full refund

    order = services.order_cancel(order=order)

    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert Coupon.objects.get().times_used == 0


@pytest.mark.parametrize("reason", ["r" * 1001, "\x00", None])
def test_a_bad_reason_is_refused(channel: Channel, reason: Any) -> None:
    order = make_order(channel=channel)
    with pytest.raises(DomainError) as caught:
        services.order_cancel(order=order, reason=reason)
    assert caught.value.code in {"INVALID_INPUT", "INVALID_TEXT"}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_an_unknown_order_is_not_found() -> None:
    with pytest.raises(DomainError) as caught:
        services.order_cancel(order=Order(pk=987654))
    assert caught.value.code == "ORDER_NOT_FOUND"
