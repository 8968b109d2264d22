"""The demo card gateway through the services: every test card's outcome, idempotent
charges, the answer lost after charging, the second step, and what is (never) stored."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from comptoir.core.errors import DomainError
from comptoir.core.models import OutboxEvent
from comptoir.payments import services
from comptoir.payments.models import (
    Payment,
    PaymentTransaction,
    TestGatewayCharge,
)
from comptoir.payments.providers import test_gateway
from comptoir.payments.providers.base import ChargeRequest, ProviderTimeout, ResultStatus
from comptoir.payments.tests.factories import (
    DECLINED,
    EXPIRED,
    INSUFFICIENT_FUNDS,
    THREE_D_SECURE,
    TIMEOUT_AFTER_CHARGE,
    VISA,
    start,
)

pytestmark = pytest.mark.django_db(transaction=True)


def ledger(payment: Payment) -> list[tuple[str, str, str]]:
    return list(
        PaymentTransaction.objects.filter(payment=payment)
        .order_by("pk")
        .values_list("kind", "result", "error_code")
    )


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize(
    ("number", "state", "error_code"),
    [
        (VISA, "captured", ""),
        ("5555 5555 5555 4444", "captured", ""),  # any other valid number is approved
        (DECLINED, "declined", "card_declined"),
        (INSUFFICIENT_FUNDS, "declined", "insufficient_funds"),
        (EXPIRED, "declined", "expired_card"),
    ],
)
def test_each_test_card_outcome(number: str, state: str, error_code: str) -> None:
    payment = start(source=number, amount="59.90")

    paid = services.payment_execute(payment=payment)

    assert (paid.state, paid.error_code) == (state, error_code)
    assert paid.amount_captured == (Decimal("59.90") if state == "captured" else 0)
    assert paid.provider_ref.startswith("tgw_ch_")
    expected = "success" if state == "captured" else "failure"
    assert ledger(paid) == [("sale", expected, error_code)]
    assert TestGatewayCharge.objects.get(reference=paid.reference).amount == Decimal("59.90")
    topics = OutboxEvent.objects.filter(aggregate="payment").values_list("topic", flat=True)
    assert list(topics) == [f"payment.{state}"]


def test_card_number_is_never_stored() -> None:
    payment = start(source="4242 4242 4242 4242")
    services.payment_execute(payment=payment)

    payment.refresh_from_db()
    assert payment.source == "**** **** **** 4242"
    assert (payment.token, payment.card_brand, payment.card_last4) == ("tok_visa", "visa", "4242")
    stored = [
        json.dumps(next(iter(Payment.objects.values())), default=str),
        json.dumps(list(PaymentTransaction.objects.values()), default=str),
        json.dumps(list(TestGatewayCharge.objects.values()), default=str),
    ]
    assert not any(VISA in text or "4242 4242" in text for text in stored)


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424241",
        "4242-4242-4242-4242",
        "abcd",
        "",
        "42424242",
        "4" * 20,
        "\uff14\uff12\uff14\uff12" * 4,
    ],
)
def test_bad_card_numbers_are_refused_and_nothing_is_made(number: str) -> None:
    assert code_of(lambda: start(source=number)) == "INVALID_CARD"
    assert not Payment.objects.exists()


def test_charge_is_idempotent_on_the_reference() -> None:
    gateway = test_gateway.TestGateway()
    request = ChargeRequest(
        reference=uuid.uuid4(), amount=Decimal("10.00"), currency="EUR", token="tok_visa"
    )

    first = gateway.charge(request)
    second = gateway.charge(request)

    assert first.status == second.status == ResultStatus.SUCCEEDED
    assert first.provider_ref == second.provider_ref
    assert TestGatewayCharge.objects.count() == 1


def test_executing_twice_charges_once() -> None:
    payment = start()

    services.payment_execute(payment=payment)
    again = services.payment_execute(payment=payment)

    assert again.state == "captured"
    assert TestGatewayCharge.objects.count() == 1
    assert ledger(again) == [("sale", "success", "")]  # decided: no second call


def test_timeout_after_charging_then_sync_finds_the_one_charge() -> None:
    payment = start(source=TIMEOUT_AFTER_CHARGE, amount="42.00")

    lost = services.payment_execute(payment=payment)

    assert lost.state == "unknown"
    assert lost.provider_ref == ""
    assert ledger(lost) == [("sale", "error", "no_answer")]
    assert TestGatewayCharge.objects.get().status == "captured"  # the gateway did charge

    found = services.payment_sync(payment=lost)

    assert (found.state, found.amount_captured) == ("captured", Decimal("42.00"))
    assert found.provider_ref == TestGatewayCharge.objects.get().provider_ref
    assert ledger(found) == [("sale", "error", "no_answer"), ("sync", "success", "")]
    assert TestGatewayCharge.objects.count() == 1


def test_executing_an_unknown_payment_again_never_charges_twice() -> None:
    payment = services.payment_execute(payment=start(source=TIMEOUT_AFTER_CHARGE))

    again = services.payment_execute(payment=payment)

    assert again.state == "captured"
    assert TestGatewayCharge.objects.count() == 1


def test_the_gateway_itself_raises_the_timeout_after_charging() -> None:
    request = ChargeRequest(
        reference=uuid.uuid4(),
        amount=Decimal("5.00"),
        currency="EUR",
        token="tok_timeoutAfterCharge",
    )
    with pytest.raises(ProviderTimeout):
        test_gateway.TestGateway().charge(request)
    assert test_gateway.TestGateway().charge(request).status == ResultStatus.SUCCEEDED


def test_three_d_secure_approved() -> None:
    payment = services.payment_execute(payment=start(source=THREE_D_SECURE))

    assert payment.state == "requires_action"
    assert payment.action_url == f"http://127.0.0.1:8000/payments/test-gateway/{payment.reference}/"
    assert services.payment_sync(payment=payment).state == "requires_action"

    test_gateway.complete_action(payment.reference, approve=True)
    synced = services.payment_sync(payment=payment)

    assert (synced.state, synced.action_url, synced.amount_captured) == (
        "captured",
        "",
        Decimal("100.00"),
    )
    assert [row[:2] for row in ledger(synced)] == [
        ("sale", "pending"),
        ("sync", "pending"),
        ("sync", "success"),
    ]


def test_three_d_secure_failed() -> None:
    payment = services.payment_execute(payment=start(source=THREE_D_SECURE))

    test_gateway.complete_action(payment.reference, approve=False)
    synced = services.payment_sync(payment=payment)

    assert (synced.state, synced.error_code) == ("declined", "authentication_failed")
    assert test_gateway.complete_action(payment.reference, approve=True) is None


def test_sync_of_a_payment_never_sent_fails_it() -> None:
    payment = start()

    synced = services.payment_sync(payment=payment)

    assert (synced.state, synced.error_code) == ("failed", "not_found")
    assert not TestGatewayCharge.objects.exists()


def test_provider_calls_are_refused_inside_a_transaction() -> None:
    payment = start()
    for call in (services.payment_execute, services.payment_sync):
        with transaction.atomic(), pytest.raises(AssertionError, match="never inside"):
            call(payment=payment)
    assert not TestGatewayCharge.objects.exists()


def test_offline_methods_make_no_call() -> None:
    for method in ("bank_transfer", "on_account"):
        payment = start(method=method)
        assert services.payment_execute(payment=payment).state == "pending"
        assert services.payment_sync(payment=payment).state == "pending"
        assert ledger(payment) == []


def test_authorize_capture_and_void_at_the_gateway() -> None:
    gateway = test_gateway.TestGateway()
    ref = uuid.uuid4()
    request = ChargeRequest(
        reference=ref, amount=Decimal("30.00"), currency="EUR", token="tok_visa"
    )

    held = gateway.authorize(request)
    assert held.status == ResultStatus.AUTHORIZED
    assert (
        gateway.refund(
            reference=ref, provider_ref="", amount=Decimal(1), currency="EUR", idempotency_key="k"
        ).error_code
        == "not_refundable"
    )
    taken = gateway.capture(reference=ref, provider_ref=held.provider_ref, amount=Decimal("30.00"))
    assert (taken.status, taken.amount) == (ResultStatus.SUCCEEDED, Decimal("30.00"))
    assert gateway.void(reference=ref, provider_ref="").error_code == "not_voidable"

    other = ChargeRequest(
        reference=uuid.uuid4(), amount=Decimal(5), currency="EUR", token="tok_visa"
    )
    gateway.authorize(other)
    assert gateway.void(reference=other.reference, provider_ref="").status == ResultStatus.VOIDED
    assert gateway.retrieve(reference=uuid.uuid4(), provider_ref="").error_code == "not_found"
