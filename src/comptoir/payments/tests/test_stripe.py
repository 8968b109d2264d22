"""The Stripe provider, through the official library, against the local server that plays
Stripe's API (comptoir.payments.testing.FakeStripe)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from comptoir.core.errors import DomainError
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentTransaction
from comptoir.payments.providers.base import ChargeRequest, ResultStatus
from comptoir.payments.providers.stripe import REFERENCE_KEY, StripeProvider
from comptoir.payments.testing import FakeStripe
from comptoir.payments.tests.factories import make_order, start

pytestmark = pytest.mark.django_db(transaction=True)


def stripe_payment(pm: str, amount: str = "19.90", **kwargs: Any) -> Payment:
    return start(method="stripe", source=pm, amount=amount, **kwargs)


def test_success(fake_stripe: FakeStripe) -> None:
    payment = stripe_payment("pm_card_visa", return_url="https://shop.example/back")

    paid = services.payment_execute(payment=payment)

    assert (paid.state, paid.amount_captured) == ("captured", Decimal("19.90"))
    intent = fake_stripe.intents[paid.provider_ref]
    assert intent["amount"] == 1990
    assert intent["currency"] == "eur"
    assert intent["metadata"] == {REFERENCE_KEY: str(paid.reference)}
    method, path, params = fake_stripe.requests[0]
    assert (method, path) == ("POST", "/v1/payment_intents")
    assert params["payment_method"] == "pm_card_visa"
    assert params["confirm"] == "true"
    assert params["return_url"] == "https://shop.example/back"
    assert paid.source == paid.token == "pm_card_visa"


def test_idempotency_key_is_our_reference(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider()
    request = ChargeRequest(
        reference=uuid.uuid4(), amount=Decimal("5.00"), currency="EUR", token="pm_card_visa"
    )

    first = provider.charge(request)
    second = provider.charge(request)

    assert first.provider_ref == second.provider_ref
    assert fake_stripe.charges == 1


@pytest.mark.parametrize(
    ("pm", "code"),
    [
        ("pm_card_chargeDeclined", "card_declined"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
    ],
)
def test_decline(fake_stripe: FakeStripe, pm: str, code: str) -> None:
    paid = services.payment_execute(payment=stripe_payment(pm))

    assert (paid.state, paid.error_code) == ("declined", code)
    assert fake_stripe.intents[paid.provider_ref]["status"] == "requires_payment_method"
    # Asked again, Stripe says the same: requires_payment_method, last_payment_error.
    retrieved = StripeProvider().retrieve(reference=paid.reference, provider_ref=paid.provider_ref)
    assert (retrieved.status, retrieved.error_code) == (ResultStatus.DECLINED, code)


def test_unknown_payment_method_fails_the_payment(fake_stripe: FakeStripe) -> None:
    paid = services.payment_execute(payment=stripe_payment("pm_nothing_like_it"))

    assert (paid.state, paid.error_code) == ("failed", "resource_missing")
    assert fake_stripe.charges == 0


def test_three_d_secure(fake_stripe: FakeStripe) -> None:
    payment = services.payment_execute(payment=stripe_payment("pm_card_threeDSecure2Required"))

    assert payment.state == "requires_action"
    assert payment.action_url == f"{fake_stripe.url}/3ds/{payment.provider_ref}"
    # No return URL from the client: ours, which settles the payment.
    sent = fake_stripe.requests[0][2]["return_url"]
    assert sent == f"http://127.0.0.1:8000/payments/{payment.reference}/return/"

    fake_stripe.complete_action(payment.provider_ref)
    synced = services.payment_sync(payment=payment)

    assert (synced.state, synced.action_url) == ("captured", "")
    assert fake_stripe.charges == 1


def test_three_d_secure_failed(fake_stripe: FakeStripe) -> None:
    payment = services.payment_execute(payment=stripe_payment("pm_card_threeDSecure2Required"))
    fake_stripe.complete_action(payment.provider_ref, succeed=False)

    synced = services.payment_sync(payment=payment)

    assert (synced.state, synced.error_code) == (
        "declined",
        "payment_intent_authentication_failure",
    )


def test_lost_answer_then_sync_finds_the_intent_by_reference(fake_stripe: FakeStripe) -> None:
    fake_stripe.drop("POST /v1/payment_intents", times=3)  # the library retries twice

    lost = services.payment_execute(payment=stripe_payment("pm_card_visa"))

    assert (lost.state, lost.provider_ref) == ("unknown", "")
    assert fake_stripe.charges == 1
    assert len(fake_stripe.requests) == 3  # same idempotency key each time

    found = services.payment_sync(payment=lost)

    assert (found.state, found.amount_captured) == ("captured", Decimal("19.90"))
    assert found.provider_ref in fake_stripe.intents
    assert fake_stripe.requests[-1][1] == "/v1/payment_intents/search"
    assert fake_stripe.charges == 1


def test_sync_of_an_intent_never_made_fails_the_payment(fake_stripe: FakeStripe) -> None:
    synced = services.payment_sync(payment=stripe_payment("pm_card_visa"))

    assert (synced.state, synced.error_code) == ("failed", "not_found")


def test_server_down_leaves_the_payment_unknown(fake_stripe: FakeStripe, settings: Any) -> None:
    settings.COMPTOIR_STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.COMPTOIR_STRIPE_TIMEOUT = 2.0

    lost = services.payment_execute(payment=stripe_payment("pm_card_visa"))

    assert lost.state == "unknown"
    row = PaymentTransaction.objects.get(payment=lost)
    assert (row.kind, row.result, row.error_code) == ("sale", "error", "no_answer")


def test_refunds_partial_then_full(fake_stripe: FakeStripe) -> None:
    order = make_order(total=Decimal("19.90"))
    paid = services.payment_execute(payment=stripe_payment("pm_card_visa"))
    services.payment_attach(payment=paid, order=order)

    part = services.payment_refund(payment=paid, amount=Decimal("5.00"), reason="scratched")
    assert (part.state, part.amount_refunded) == ("partially_refunded", Decimal("5.00"))
    rest = services.payment_refund(payment=paid, amount=Decimal("14.90"))
    assert (rest.state, rest.amount_refunded) == ("refunded", Decimal("19.90"))

    assert [r["amount"] for r in fake_stripe.refunds.values()] == [500, 1490]
    assert fake_stripe.intents[paid.provider_ref]["amount_refunded"] == 1990
    order.refresh_from_db()
    assert (order.amount_refunded, order.payment_status) == (Decimal("19.90"), "refunded")
    with pytest.raises(DomainError) as caught:
        services.payment_refund(payment=paid, amount=Decimal("0.01"))
    assert (caught.value.code, caught.value.errors) == (
        "REFUND_EXCEEDS_CAPTURED",
        {"amount": ["0.00"]},
    )


def test_refund_refused_by_stripe_releases_the_reservation(fake_stripe: FakeStripe) -> None:
    paid = services.payment_execute(payment=stripe_payment("pm_card_visa"))
    fake_stripe.intents[paid.provider_ref]["amount_refunded"] = 1990  # refunded on Stripe's side

    with pytest.raises(DomainError) as caught:
        services.payment_refund(payment=paid, amount=Decimal("1.00"))

    assert (caught.value.code, caught.value.status) == ("PAYMENT_PROVIDER_ERROR", 502)
    paid.refresh_from_db()
    assert (paid.amount_refunded, paid.amount_refund_pending) == (Decimal(0), Decimal(0))


def test_authorize_capture_void_retrieve(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider()
    ref = uuid.uuid4()
    request = ChargeRequest(
        reference=ref, amount=Decimal("30.00"), currency="EUR", token="pm_card_visa"
    )

    held = provider.authorize(request)
    assert (held.status, held.amount) == (ResultStatus.AUTHORIZED, Decimal("30.00"))
    taken = provider.capture(reference=ref, provider_ref=held.provider_ref, amount=Decimal("25.00"))
    assert (taken.status, taken.amount) == (ResultStatus.SUCCEEDED, Decimal("25.00"))
    again = provider.capture(reference=ref, provider_ref=held.provider_ref, amount=Decimal("25.00"))
    assert again.status == ResultStatus.SUCCEEDED
    assert provider.void(reference=ref, provider_ref=held.provider_ref).status == ResultStatus.ERROR

    other = ChargeRequest(
        reference=uuid.uuid4(), amount=Decimal(5), currency="EUR", token="pm_card_visa"
    )
    provider.authorize(other)
    voided = provider.void(reference=other.reference, provider_ref="")  # found by reference
    assert voided.status == ResultStatus.VOIDED
    missing = provider.retrieve(reference=ref, provider_ref="pi_0123456789abcdef01234567")
    assert missing.error_code == "not_found"


def test_capture_and_void_services(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider()
    payment = stripe_payment("pm_card_visa", amount="30.00")
    held = provider.authorize(
        ChargeRequest(payment.reference, payment.amount, "EUR", payment.token)
    )
    Payment.objects.filter(pk=payment.pk).update(state="authorized", provider_ref=held.provider_ref)

    captured = services.payment_capture(payment=payment)

    assert (captured.state, captured.amount_captured) == ("captured", Decimal("30.00"))
    with pytest.raises(DomainError) as caught:
        services.payment_void(payment=captured)
    assert caught.value.code == "PAYMENT_NOT_VOIDABLE"

    waiting = services.payment_execute(payment=stripe_payment("pm_card_threeDSecure2Required"))
    voided = services.payment_void(payment=waiting)
    assert voided.state == "voided"
    assert fake_stripe.intents[waiting.provider_ref]["status"] == "canceled"
    assert services.payment_void(payment=voided).state == "voided"


def test_stripe_is_offered_only_with_a_secret_key(settings: Any) -> None:
    settings.COMPTOIR_STRIPE_SECRET_KEY = ""
    with pytest.raises(DomainError) as caught:
        stripe_payment("pm_card_visa")
    assert caught.value.code == "METHOD_UNAVAILABLE"
    assert "stripe" not in services.methods_available(channel=None, company_id=None)
    settings.COMPTOIR_STRIPE_SECRET_KEY = "sk_test_x"
    assert "stripe" in services.methods_available(channel=None, company_id=None)


@pytest.mark.parametrize("source", ["", "card_123", "pm_", "pm_a b", "4242424242424242"])
def test_stripe_source_must_be_a_payment_method_id(fake_stripe: FakeStripe, source: str) -> None:
    with pytest.raises(DomainError) as caught:
        stripe_payment(source)
    assert caught.value.code == "INVALID_PAYMENT_SOURCE"
    assert not Payment.objects.exists()
