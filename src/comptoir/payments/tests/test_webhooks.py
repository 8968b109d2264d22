"""Webhooks: signed by the provider, at most 300 s old, processed once per event id; a
forged, stale or replayed one changes nothing. Through the service and the endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.test import Client

from comptoir.core.errors import DomainError
from comptoir.core.testing import problem
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentTransaction, TestGatewayCharge, WebhookReceipt
from comptoir.payments.providers import test_gateway
from comptoir.payments.testing import FakeStripe
from comptoir.payments.tests.factories import THREE_D_SECURE, make_order, start

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/payments/webhooks"


def snapshot() -> tuple[Any, ...]:
    return (
        list(Payment.objects.values_list("state", "amount_captured", "error_code")),
        PaymentTransaction.objects.count(),
        WebhookReceipt.objects.count(),
    )


def code_of(call: Callable[[], Any]) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


# --- Stripe -----------------------------------------------------------------------------------


@pytest.fixture
def waiting(fake_stripe: FakeStripe) -> Payment:
    """A Stripe payment waiting for 3-D Secure, which the customer then completed."""
    payment = start(method="stripe", source="pm_card_threeDSecure2Required", amount="25.00")
    payment = services.payment_execute(payment=payment)
    assert payment.state == "requires_action"
    fake_stripe.complete_action(payment.provider_ref)
    return payment


def stripe_receive(fake: FakeStripe, body: bytes, signature: str) -> Payment | None:
    return services.webhook_receive(
        provider="stripe", body=body, headers={"Stripe-Signature": signature}
    )


def test_stripe_valid_webhook_settles_the_payment(
    fake_stripe: FakeStripe, waiting: Payment
) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref, event_id="evt_1")

    payment = stripe_receive(fake_stripe, body, fake_stripe.sign(body))

    assert payment is not None
    assert (payment.pk, payment.state, payment.amount_captured) == (
        waiting.pk,
        "captured",
        Decimal(25),
    )
    row = PaymentTransaction.objects.filter(payment=payment).last()
    assert row is not None
    assert (row.kind, row.result, row.raw["event"]) == ("webhook", "success", "evt_1")


def test_stripe_replayed_webhook_changes_nothing(fake_stripe: FakeStripe, waiting: Payment) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref, event_id="evt_2")
    stripe_receive(fake_stripe, body, fake_stripe.sign(body))
    before = snapshot()

    again = stripe_receive(fake_stripe, body, fake_stripe.sign(body))

    assert again is not None
    assert again.state == "captured"
    assert snapshot() == before


@pytest.mark.parametrize(
    "forge",
    [
        lambda fake, body: fake.sign(body, secret="whsec_someone_else"),
        lambda fake, body: fake.sign(body, timestamp=int(time.time()) - 301),  # stale
        lambda fake, body: fake.sign(body + b" "),
        lambda fake, body: "",
        lambda fake, body: "t=abc,v1=0",
        lambda fake, body: "garbage",
    ],
    ids=["other-secret", "stale", "other-body", "missing", "bad-timestamp", "garbage"],
)
def test_stripe_forged_or_stale_webhook_is_refused(
    fake_stripe: FakeStripe, waiting: Payment, forge: Callable[[FakeStripe, bytes], str]
) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref)
    before = snapshot()

    code = code_of(lambda: stripe_receive(fake_stripe, body, forge(fake_stripe, body)))

    assert code == "WEBHOOK_INVALID"
    assert snapshot() == before


def test_stripe_webhook_refused_without_a_secret(
    fake_stripe: FakeStripe, waiting: Payment, settings: Any
) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref)
    settings.COMPTOIR_STRIPE_WEBHOOK_SECRET = ""
    assert code_of(lambda: stripe_receive(fake_stripe, body, fake_stripe.sign(body))) == (
        "WEBHOOK_INVALID"
    )


def test_stripe_signed_body_that_is_not_an_event(fake_stripe: FakeStripe) -> None:
    for body in (b"not json", b'{"object": "charge"}', "é".encode("latin-1")):
        code = code_of(partial(stripe_receive, fake_stripe, body, fake_stripe.sign(body)))
        assert code == "WEBHOOK_INVALID"


def test_stripe_event_about_no_payment_of_ours(fake_stripe: FakeStripe, waiting: Payment) -> None:
    intent = fake_stripe.intents[waiting.provider_ref]
    intent["metadata"] = {}
    intent["id"] = "pi_000000000000000000000000"
    fake_stripe.intents[intent["id"]] = intent
    body = fake_stripe.event("payment_intent.succeeded", intent["id"])

    assert stripe_receive(fake_stripe, body, fake_stripe.sign(body)) is None
    assert Payment.objects.get().state == "requires_action"


def test_stripe_decline_webhook(fake_stripe: FakeStripe) -> None:
    payment = services.payment_execute(
        payment=start(method="stripe", source="pm_card_threeDSecure2Required")
    )
    fake_stripe.complete_action(payment.provider_ref, succeed=False)
    body = fake_stripe.event("payment_intent.payment_failed", payment.provider_ref)

    got = stripe_receive(fake_stripe, body, fake_stripe.sign(body))

    assert got is not None
    assert (got.state, got.error_code) == ("declined", "payment_intent_authentication_failure")


# --- test gateway -----------------------------------------------------------------------------


def gateway_payment() -> Payment:
    payment = services.payment_execute(payment=start(source=THREE_D_SECURE, amount="12.00"))
    test_gateway.complete_action(payment.reference, approve=True)
    return payment


def gateway_receive(body: bytes, signature: str) -> Payment | None:
    return services.webhook_receive(
        provider="test_card",
        body=body,
        headers={"Comptoir-Test-Gateway-Signature": signature},
    )


def test_gateway_webhook_valid_replayed_forged_stale() -> None:
    payment = gateway_payment()
    charge = TestGatewayCharge.objects.get()
    body = test_gateway.event_body(charge, event_id="tgw_evt_1")
    now = int(time.time())

    for signature in (
        test_gateway.sign(body, timestamp=now - 301),
        test_gateway.sign(body, timestamp=now + 301),
        test_gateway.sign(body, secret=b"forged"),
        test_gateway.sign(body).replace("v1=", "v1=0"),
        "",
    ):
        assert code_of(partial(gateway_receive, body, signature)) == "WEBHOOK_INVALID"
    assert Payment.objects.get().state == "requires_action"

    got = gateway_receive(body, test_gateway.sign(body))
    assert got is not None
    assert (got.pk, got.state) == (payment.pk, "captured")
    before = snapshot()
    assert gateway_receive(body, test_gateway.sign(body)) is not None
    assert snapshot() == before


def test_gateway_webhook_with_a_bad_body() -> None:
    gateway_payment()
    for body in (b"[]", b'{"id": "e", "type": "t", "data": {"status": "weird"}}', b"\xff"):
        signed = partial(gateway_receive, body, test_gateway.sign(body))
        assert code_of(signed) == "WEBHOOK_INVALID"


def test_unknown_provider_and_oversized_body() -> None:
    assert (
        code_of(lambda: services.webhook_receive(provider="paypal", body=b"{}", headers={}))
        == "PROVIDER_NOT_FOUND"
    )
    huge = b"{" + b" " * (256 * 1024) + b"}"
    assert code_of(lambda: gateway_receive(huge, test_gateway.sign(huge))) == "WEBHOOK_INVALID"


# --- the endpoint -----------------------------------------------------------------------------


def post(client: Client, provider: str, body: bytes, header: str, signature: str) -> Any:
    return client.post(
        f"{URL}/{provider}",
        data=body,
        content_type="application/json",
        headers={header: signature},
    )


def test_endpoint_settles_a_decided_payment_without_order(
    client: Client, fake_stripe: FakeStripe, waiting: Payment, settled: list[Payment]
) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref, event_id="evt_9")

    response = post(client, "stripe", body, "Stripe-Signature", fake_stripe.sign(body))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "received": True,
        "payment": str(waiting.reference),
        "state": "captured",
    }
    assert [p.pk for p in settled] == [waiting.pk]
    # A replay (the provider retrying) changes nothing but hands it to checkout again,
    # which is idempotent: a settle that failed the first time gets another chance.
    assert (
        post(client, "stripe", body, "Stripe-Signature", fake_stripe.sign(body)).json()["state"]
        == "captured"
    )
    assert len(settled) == 2


def test_endpoint_leaves_a_payment_with_an_order_alone(
    client: Client, fake_stripe: FakeStripe, waiting: Payment, settled: list[Payment]
) -> None:
    services.payment_attach(payment=waiting, order=make_order(total=waiting.amount))
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref)

    assert (
        post(client, "stripe", body, "Stripe-Signature", fake_stripe.sign(body)).status_code == 200
    )
    assert settled == []


def test_endpoint_refusals(
    client: Client, fake_stripe: FakeStripe, waiting: Payment, settled: list[Payment]
) -> None:
    body = fake_stripe.event("payment_intent.succeeded", waiting.provider_ref)
    stale = fake_stripe.sign(body, timestamp=int(time.time()) - 400)

    problem(post(client, "stripe", body, "Stripe-Signature", stale), 400, "WEBHOOK_INVALID")
    problem(post(client, "stripe", body, "Stripe-Signature", "t=1,v1=2"), 400, "WEBHOOK_INVALID")
    problem(post(client, "nope", body, "Stripe-Signature", "x"), 404, "PROVIDER_NOT_FOUND")
    assert Payment.objects.get().state == "requires_action"
    assert settled == []


def test_endpoint_for_an_event_about_nothing_of_ours(
    client: Client, fake_stripe: FakeStripe, waiting: Payment, settled: list[Payment]
) -> None:
    event = json.loads(fake_stripe.event("charge.refunded", waiting.provider_ref))
    event["data"]["object"] = {"object": "charge", "id": "ch_1"}
    body = json.dumps(event).encode()

    response = post(client, "stripe", body, "Stripe-Signature", fake_stripe.sign(body))

    assert response.json() == {"received": True, "payment": None, "state": None}
    assert settled == []
