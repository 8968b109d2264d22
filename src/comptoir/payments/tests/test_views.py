"""The demo gateway's second-step page and our return page (mounted at /payments/)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from comptoir.channels.tests.factories import ChannelFactory
from comptoir.payments import services
from comptoir.payments.models import Payment, TestGatewayCharge
from comptoir.payments.tests.factories import THREE_D_SECURE, captured, start

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("comptoir.payments.tests.urls"),
]


@pytest.fixture(autouse=True)
def _channel() -> None:
    ChannelFactory.create()  # the storefront's layout shows the default channel


def waiting(**kwargs: str) -> Payment:
    payment = services.payment_execute(payment=start(source=THREE_D_SECURE, **kwargs))
    assert payment.state == "requires_action"
    return payment


def page_of(payment: Payment) -> str:
    return f"/payments/test-gateway/{payment.reference}/"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_action_url_is_the_gateway_page() -> None:
    payment = waiting()
    assert payment.action_url == f"http://127.0.0.1:8000{page_of(payment)}"


def test_approve_then_back_to_the_client_return_url(settled: list[Payment]) -> None:
    payment = waiting(return_url="https://shop.example/checkout/done?step=3")
    client = Client(enforce_csrf_checks=True)

    page = client.get(page_of(payment), headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approve" in html
    assert "Fail" in html
    assert "ending in 3155" in html

    response = client.post(
        page_of(payment), {"action": "approve", "csrfmiddlewaretoken": csrf_token(html)}
    )

    assert response.status_code == 302
    assert response["Location"] == (
        f"https://shop.example/checkout/done?step=3&payment={payment.reference}"
    )
    assert TestGatewayCharge.objects.get().status == "captured"
    # The gateway recorded it; our side learns it when the client confirms (or a webhook).
    payment.refresh_from_db()
    assert payment.state == "requires_action"
    assert settled == []


def test_approve_without_return_url_settles_on_our_return_page(settled: list[Payment]) -> None:
    payment = waiting()
    client = Client(enforce_csrf_checks=True)
    html = client.get(page_of(payment)).content.decode()

    response = client.post(
        page_of(payment),
        {"action": "approve", "csrfmiddlewaretoken": csrf_token(html)},
        follow=True,
        headers={"Accept-Language": "en"},
    )

    assert response.redirect_chain == [(f"/payments/{payment.reference}/return/", 302)]
    assert "Your payment was accepted." in response.content.decode()
    payment.refresh_from_db()
    assert payment.state == "captured"
    assert [p.pk for p in settled] == [payment.pk]


def test_fail_declines(settled: list[Payment]) -> None:
    payment = waiting()
    client = Client(enforce_csrf_checks=True)
    html = client.get(page_of(payment)).content.decode()

    response = client.post(
        page_of(payment),
        {"action": "fail", "csrfmiddlewaretoken": csrf_token(html)},
        follow=True,
        headers={"Accept-Language": "en"},
    )

    assert "Your payment was not accepted." in response.content.decode()
    payment.refresh_from_db()
    assert (payment.state, payment.error_code) == ("declined", "authentication_failed")
    assert [p.pk for p in settled] == [payment.pk]


def test_post_without_csrf_token_is_refused() -> None:
    payment = waiting()
    client = Client(enforce_csrf_checks=True)

    response = client.post(page_of(payment), {"action": "approve"})

    assert response.status_code == 403
    assert TestGatewayCharge.objects.get().status == "requires_action"


def test_bad_action_and_pages_with_nothing_to_approve() -> None:
    payment = waiting()
    client = Client()
    assert client.post(page_of(payment), {"action": "maybe"}).status_code == 400
    assert TestGatewayCharge.objects.get().status == "requires_action"

    done = captured()
    assert client.get(page_of(done)).status_code == 404
    assert client.post(page_of(done), {"action": "approve"}).status_code == 404
    assert client.get(f"/payments/test-gateway/{uuid.uuid4()}/").status_code == 404
    assert client.get("/payments/test-gateway/nope/").status_code == 404
    assert client.get(f"/payments/{uuid.uuid4()}/return/").status_code == 404
    assert client.put(page_of(payment)).status_code == 405
