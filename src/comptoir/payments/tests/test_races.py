"""Concurrent refunds in several OS processes (each its own connection) on PostgreSQL: the
amount is reserved under the payment's row lock before the provider is called, so
together they never refund more than was captured, at our side or at the gateway's."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from comptoir.core.processes import in_processes
from comptoir.payments.models import PaymentTransaction, TestGatewayCharge, TestGatewayRefund
from comptoir.payments.tests.factories import captured, make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORK = "comptoir.payments.tests.work:refund"


def test_concurrent_refunds_never_exceed_what_was_captured(transactional_db: Any) -> None:
    order = make_order(total=Decimal("100.00"))
    payment = captured(amount="100.00", order=order)

    # 8 refunds of 30.00 against 100.00 captured: 3 fit, 5 must be refused.
    outcomes = in_processes(WORK, [(payment.pk, "30.00")] * 8, processes=8)

    assert Counter(outcomes) == {"ok": 3, "REFUND_EXCEEDS_CAPTURED": 5}
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.amount_refund_pending) == (
        Decimal("90.00"),
        Decimal("0.00"),
    )
    assert payment.state == "partially_refunded"
    charge = TestGatewayCharge.objects.get()
    assert charge.amount_refunded == Decimal("90.00")
    assert TestGatewayRefund.objects.count() == 3
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("90.00")
    done = PaymentTransaction.objects.filter(payment=payment, kind="refund", result="success")
    assert done.aggregate(total=Sum("amount"))["total"] == Decimal("90.00")


def test_concurrent_refunds_of_everything_left(transactional_db: Any) -> None:
    payment = captured(amount="50.00")

    # Different amounts racing for 50.00: whatever the order, the total stays within it.
    amounts = ["20.00", "20.00", "20.00", "10.00", "10.00", "5.00", "5.00", "0.01"]
    outcomes = in_processes(WORK, [(payment.pk, a) for a in amounts], processes=8)

    payment.refresh_from_db()
    refunded = sum(
        (Decimal(a) for a, o in zip(amounts, outcomes, strict=True) if o == "ok"), Decimal(0)
    )
    assert set(outcomes) <= {"ok", "REFUND_EXCEEDS_CAPTURED"}
    assert payment.amount_refunded == refunded <= Decimal("50.00")
    assert payment.amount_refund_pending == 0
    assert TestGatewayCharge.objects.get().amount_refunded == refunded
