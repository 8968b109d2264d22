"""Payments for tests: orders made with the ORM (payments need only the order's money
columns), and payments taken through the services as checkout takes them."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from comptoir.channels.tests.factories import ChannelFactory
from comptoir.orders.models import Order, OrderStatus, PaymentStatus
from comptoir.payments import services
from comptoir.payments.models import Payment

VISA = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
EXPIRED = "4000000000000069"
THREE_D_SECURE = "4000002500003155"
TIMEOUT_AFTER_CHARGE = "4000000000000119"

_numbers = itertools.count(1)


def make_order(
    *, total: Decimal = Decimal("100.00"), paid: Decimal | None = None, currency: str = "EUR"
) -> Order:
    """An order of `total` (gross), `paid` of it already received (all of it by default)."""
    received = total if paid is None else paid
    full = received == total
    return Order.objects.create(
        number=f"PAY-{next(_numbers):05d}",
        channel=ChannelFactory.create(),
        email="lea@example.fr",
        billing_address={"first_name": "Léa", "last_name": "Durand", "country": "FR"},
        payment_method="test_card",
        currency=currency,
        prices_include_tax=True,
        placed_at=timezone.now(),
        total_gross=total,
        total_net=(total / Decimal("1.2")).quantize(Decimal("0.01")),
        total_tax=total - (total / Decimal("1.2")).quantize(Decimal("0.01")),
        amount_paid=received,
        status=OrderStatus.PAID if full else OrderStatus.PLACED,
        payment_status=PaymentStatus.PAID if full else PaymentStatus.PENDING,
    )


def start(
    *,
    method: str = "test_card",
    amount: str | Decimal = "100.00",
    source: str = VISA,
    currency: str = "EUR",
    **kwargs: Any,
) -> Payment:
    if method not in ("test_card", "stripe"):
        source = ""
    return services.payment_start(
        checkout_ref=kwargs.pop("checkout_ref", "chk-test"),
        method=method,
        amount=Decimal(amount),
        currency=currency,
        source=source,
        **kwargs,
    )


def captured(
    *, amount: str = "100.00", order: Order | None = None, method: str = "test_card", **kwargs: Any
) -> Payment:
    """A payment charged in full (test gateway by default), tied to `order` if given."""
    payment = services.payment_execute(payment=start(method=method, amount=amount, **kwargs))
    assert payment.state == "captured", payment.error_code
    if order is not None:
        payment = services.payment_attach(payment=payment, order=order)
    return payment
