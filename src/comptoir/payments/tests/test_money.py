"""Refunds, captures, voids and bank transfers marked received, with the order's books."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.core.errors import DomainError
from comptoir.core.models import OutboxEvent
from comptoir.orders.models import OrderEvent
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentTransaction, TestGatewayCharge
from comptoir.payments.providers import test_gateway
from comptoir.payments.providers.base import ProviderTimeout
from comptoir.payments.tests.factories import THREE_D_SECURE, captured, make_order, start

pytestmark = pytest.mark.django_db(transaction=True)


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def refund_rows(payment: Payment) -> list[tuple[str, Decimal]]:
    return list(
        PaymentTransaction.objects.filter(payment=payment, kind="refund")
        .order_by("pk")
        .values_list("result", "amount")
    )


# --- refunds ----------------------------------------------------------------------------------


def test_partial_then_full_refund_keeps_the_order_books() -> None:
    order = make_order(total=Decimal("80.00"))
    payment = captured(amount="80.00", order=order)
    clerk = StaffFactory.create()

    part = services.payment_refund(
        payment=payment, amount=Decimal("30.00"), actor=clerk, reason="damaged"
    )

    assert (part.state, part.amount_refunded, part.amount_refund_pending) == (
        "partially_refunded",
        Decimal("30.00"),
        Decimal("0.00"),
    )
    order.refresh_from_db()
    assert (order.amount_refunded, order.payment_status) == (Decimal("30.00"), "partially_refunded")
    assert refund_rows(part) == [("pending", Decimal("30.00")), ("success", Decimal("30.00"))]
    pending, done = PaymentTransaction.objects.filter(kind="refund").order_by("pk")
    assert pending.key == done.key
    assert (pending.raw["reason"], done.actor) == ("damaged", clerk)
    assert done.provider_ref.startswith("tgw_re_")

    full = services.payment_refund(payment=payment, amount=Decimal("50.00"))

    assert (full.state, full.amount_refunded) == ("refunded", Decimal("80.00"))
    order.refresh_from_db()
    assert (order.amount_refunded, order.status) == (Decimal("80.00"), "refunded")
    charge = TestGatewayCharge.objects.get()
    assert (charge.amount_refunded, charge.refunds.count()) == (Decimal("80.00"), 2)
    assert OrderEvent.objects.filter(order=order, kind="refunded").count() == 2
    events = OutboxEvent.objects.filter(aggregate="payment", topic="payment.refunded")
    assert [e.payload["refund"] for e in events.order_by("pk")] == ["30.00", "50.00"]


def test_refund_over_what_is_left_is_refused_and_changes_nothing() -> None:
    payment = captured(amount="20.00")
    services.payment_refund(payment=payment, amount=Decimal("15.00"))

    with pytest.raises(DomainError) as caught:
        services.payment_refund(payment=payment, amount=Decimal("5.01"))

    assert (caught.value.code, caught.value.status) == ("REFUND_EXCEEDS_CAPTURED", 409)
    assert caught.value.errors == {"amount": ["5.00"]}
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.amount_refund_pending) == (Decimal(15), Decimal(0))
    assert len(refund_rows(payment)) == 2
    assert TestGatewayCharge.objects.get().amount_refunded == Decimal("15.00")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal(0),
        Decimal("-1"),
        Decimal("0.001"),
        Decimal("NaN"),
        1.5,
        "abc",
        None,
        True,
        "\u0665",  # an Arabic-Indic five, which Decimal() reads as 5
        "\uff15.00",  # a full-width five
    ],
)
def test_bad_refund_amounts(amount: Any) -> None:
    payment = captured(amount="20.00")
    assert code_of(lambda: services.payment_refund(payment=payment, amount=amount)) == (
        "INVALID_AMOUNT"
    )
    assert refund_rows(payment) == []


def test_bad_reason() -> None:
    payment = captured(amount="20.00")
    for reason in ("x" * 1001, "nul\x00"):
        code = code_of(
            lambda r=reason: services.payment_refund(payment=payment, amount=Decimal(1), reason=r)
        )
        assert code in ("INVALID_INPUT", "INVALID_TEXT")


def test_only_captured_payments_are_refunded() -> None:
    waiting = services.payment_execute(payment=start(source=THREE_D_SECURE))
    declined = services.payment_execute(payment=start(source="4000000000000002"))
    for payment in (waiting, declined, start(method="bank_transfer")):
        call = lambda p=payment: services.payment_refund(payment=p, amount=Decimal(1))  # noqa: E731
        assert code_of(call) == "PAYMENT_NOT_REFUNDABLE"


def test_refund_without_answer_keeps_the_reservation_then_sync_settles_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = make_order(total=Decimal("40.00"))
    payment = captured(amount="40.00", order=order)
    original = test_gateway.TestGateway.refund

    def refund_then_lose(self: Any, **kwargs: Any) -> Any:
        original(self, **kwargs)
        raise ProviderTimeout("lost")

    monkeypatch.setattr(test_gateway.TestGateway, "refund", refund_then_lose)
    with pytest.raises(DomainError) as caught:
        services.payment_refund(payment=payment, amount=Decimal("25.00"))
    assert (caught.value.code, caught.value.status) == ("PAYMENT_PROVIDER_UNAVAILABLE", 503)

    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.amount_refund_pending) == (Decimal(0), Decimal(25))
    # The reservation holds: only 15.00 is left to refund meanwhile.
    assert (
        code_of(lambda: services.payment_refund(payment=payment, amount=Decimal("15.01")))
        == "REFUND_EXCEEDS_CAPTURED"
    )

    monkeypatch.setattr(test_gateway.TestGateway, "refund", original)
    synced = services.payment_sync(payment=payment)

    assert (synced.amount_refunded, synced.amount_refund_pending) == (Decimal(25), Decimal(0))
    assert synced.state == "partially_refunded"
    assert TestGatewayCharge.objects.get().refunds.count() == 1  # the same key: one refund
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("25.00")
    assert services.payment_sync(payment=payment).amount_refunded == Decimal("25.00")
    assert [r for r, _a in refund_rows(payment)] == ["pending", "error", "success"]


def test_bank_transfer_refund_is_recorded_without_a_provider() -> None:
    order = make_order(total=Decimal("60.00"), paid=Decimal(0))
    payment = services.payment_attach(
        payment=start(method="bank_transfer", amount="60.00"), order=order
    )
    services.payment_mark_received(payment=payment, amount=Decimal("60.00"), reference="VIR-1")

    refunded = services.payment_refund(payment=payment, amount=Decimal("60.00"))

    assert (refunded.state, refunded.amount_refunded) == ("refunded", Decimal("60.00"))
    order.refresh_from_db()
    assert order.payment_status == "refunded"


def test_order_refusing_the_refund_never_undoes_the_money_record() -> None:
    order = make_order(total=Decimal("50.00"), paid=Decimal(0))  # the order shows nothing paid
    payment = captured(amount="50.00", order=order)

    refunded = services.payment_refund(payment=payment, amount=Decimal("10.00"))

    assert refunded.amount_refunded == Decimal("10.00")
    row = PaymentTransaction.objects.filter(payment=payment, kind="manual").get()
    assert (row.result, row.error_code) == ("error", "REFUND_EXCEEDS_PAID")


# --- capture and void -------------------------------------------------------------------------


def authorized(amount: str = "70.00") -> Payment:
    payment = start(amount=amount)
    held = test_gateway.TestGateway().authorize(
        test_gateway.ChargeRequest(payment.reference, payment.amount, "EUR", payment.token)
    )
    Payment.objects.filter(pk=payment.pk).update(state="authorized", provider_ref=held.provider_ref)
    payment.refresh_from_db()
    return payment


def test_capture_marks_the_order_paid() -> None:
    order = make_order(total=Decimal("70.00"), paid=Decimal(0))
    payment = services.payment_attach(payment=authorized(), order=order)

    done = services.payment_capture(payment=payment)

    assert (done.state, done.amount_captured) == ("captured", Decimal("70.00"))
    order.refresh_from_db()
    assert (order.amount_paid, order.payment_status) == (Decimal("70.00"), "paid")
    assert code_of(lambda: services.payment_capture(payment=done)) == "PAYMENT_NOT_CAPTURABLE"
    assert TestGatewayCharge.objects.get().status == "captured"


def test_void() -> None:
    payment = authorized()

    voided = services.payment_void(payment=payment)

    assert voided.state == "voided"
    assert TestGatewayCharge.objects.get().status == "voided"
    assert services.payment_void(payment=voided).state == "voided"
    assert code_of(lambda: services.payment_void(payment=captured())) == "PAYMENT_NOT_VOIDABLE"
    # Never sent: nothing to cancel at the gateway.
    assert services.payment_void(payment=start()).state == "voided"
    assert services.payment_void(payment=start(method="bank_transfer")).state == "voided"


# --- bank transfers ---------------------------------------------------------------------------


def transfer(amount: str = "120.00") -> tuple[Payment, Any]:
    order = make_order(total=Decimal(amount), paid=Decimal(0))
    payment = start(method="bank_transfer", amount=amount)
    return services.payment_attach(payment=payment, order=order), order


def test_transfers_received_in_two_parts() -> None:
    payment, order = transfer()
    clerk = StaffFactory.create()

    first = services.payment_mark_received(
        payment=payment, amount=Decimal("20.00"), actor=clerk, reference="VIR-1"
    )
    assert (first.state, first.amount_captured) == ("pending", Decimal("20.00"))
    order.refresh_from_db()
    assert (order.amount_paid, order.payment_status) == (Decimal("20.00"), "pending")

    again = services.payment_mark_received(
        payment=payment, amount=Decimal("20.00"), reference="VIR-1"
    )
    assert again.amount_captured == Decimal("20.00")  # the same bank reference: a no-op

    full = services.payment_mark_received(
        payment=payment, amount=Decimal("100.00"), reference="VIR-2"
    )
    assert (full.state, full.amount_captured) == ("captured", Decimal("120.00"))
    order.refresh_from_db()
    assert (order.amount_paid, order.status, order.payment_status) == (
        Decimal("120.00"),
        "paid",
        "paid",
    )
    rows = PaymentTransaction.objects.filter(payment=payment).order_by("pk")
    assert [(r.kind, r.amount, r.provider_ref, r.actor) for r in rows] == [
        ("manual", Decimal("20.00"), "VIR-1", clerk),
        ("manual", Decimal("100.00"), "VIR-2", None),
    ]
    topics = OutboxEvent.objects.filter(aggregate="payment").order_by("pk")
    assert [e.topic for e in topics] == ["payment.received", "payment.captured"]
    assert (
        code_of(lambda: services.payment_mark_received(payment=payment, amount=Decimal(1)))
        == "PAYMENT_NOT_PENDING"
    )


def test_mark_received_refusals_change_nothing() -> None:
    payment, order = transfer("50.00")
    cases = [
        (payment, Decimal("50.01"), "AMOUNT_EXCEEDS_DUE"),
        (payment, Decimal("0"), "INVALID_AMOUNT"),
        (start(method="bank_transfer"), Decimal(1), "PAYMENT_WITHOUT_ORDER"),
        (captured(), Decimal(1), "PAYMENT_NOT_BANK_TRANSFER"),
    ]
    for target, amount, code in cases:
        assert (
            code_of(lambda t=target, a=amount: services.payment_mark_received(payment=t, amount=a))
            == code
        )
    assert (
        code_of(
            lambda: services.payment_mark_received(
                payment=payment, amount=Decimal(1), reference="x" * 256
            )
        )
        == "INVALID_INPUT"
    )
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.amount_captured, order.amount_paid) == (Decimal(0), Decimal(0))
    assert not PaymentTransaction.objects.filter(kind="manual").exists()


def test_attach() -> None:
    payment, order = transfer()
    assert services.payment_attach(payment=payment, order=order).order_id == order.pk
    other = make_order()
    assert (
        code_of(lambda: services.payment_attach(payment=payment, order=other))
        == "PAYMENT_ALREADY_ATTACHED"
    )
    dollars = make_order(currency="USD")
    assert (
        code_of(lambda: services.payment_attach(payment=start(), order=dollars))
        == "CURRENCY_MISMATCH"
    )
