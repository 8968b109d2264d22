"""The payments API: payment methods, the confirm call after a second step, and the staff
routes (list, detail with the ledger, mark received, refund, void, capture)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.testing import Api, api_for, clerk_api, problem
from comptoir.invoicing.tests.factories import account_for
from comptoir.payments import services
from comptoir.payments.models import Payment
from comptoir.payments.providers import test_gateway
from comptoir.payments.tests.factories import THREE_D_SECURE, captured, make_order, start

pytestmark = pytest.mark.django_db(transaction=True)


# --- payment methods ------------------------------------------------------------------------


def test_payment_methods_for_a_consumer(client: Client, settings: Any) -> None:
    settings.COMPTOIR_STRIPE_SECRET_KEY = ""
    ChannelFactory.create()

    response = client.get("/api/v1/payment-methods", headers={"Accept-Language": "en"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "channel": "boutique-france",
        "results": [
            {"code": "test_card", "name": "Card (test gateway)"},
            {"code": "bank_transfer", "name": "Bank transfer"},
        ],
    }


def test_payment_methods_for_a_company_buyer(client: Client, settings: Any) -> None:
    settings.COMPTOIR_STRIPE_SECRET_KEY = "sk_test_x"
    ChannelFactory.create()
    B2BChannelFactory.create()
    buyer = UserFactory.create()
    company = CompanyFactory.create()
    CompanyMemberFactory.create(user=buyer, company=company)
    account_for(company)  # payment on account allowed (docs/invoicing.md)
    api = api_for(buyer, client)

    response = client.get("/api/v1/payment-methods", headers=api.headers)

    assert response.json()["channel"] == "comptoir-pro"
    assert [m["code"] for m in response.json()["results"]] == [
        "test_card",
        "stripe",
        "bank_transfer",
        "on_account",
    ]


def test_payment_methods_refusals(client: Client) -> None:
    ChannelFactory.create()
    problem(client.get("/api/v1/payment-methods", {"channel": "nope"}), 404, "CHANNEL_NOT_FOUND")
    bad_token = {"Authorization": "Bearer nope"}
    problem(client.get("/api/v1/payment-methods", headers=bad_token), 401, "UNAUTHORIZED")


# --- confirm ----------------------------------------------------------------------------------


def test_confirm_after_the_second_step(client: Client, settled: list[Payment]) -> None:
    payment = services.payment_execute(payment=start(source=THREE_D_SECURE, amount="33.00"))
    url = f"/api/v1/payments/{payment.reference}/confirm"

    waiting = client.post(url)
    assert waiting.json()["state"] == "requires_action"
    assert settled == []

    test_gateway.complete_action(payment.reference, approve=True)
    done = client.post(url)

    assert done.status_code == 200, done.content
    assert done.json() == {
        "reference": str(payment.reference),
        "method": "test_card",
        "state": "captured",
        "amount": "33.00",
        "currency": "EUR",
        "amount_captured": "33.00",
        "amount_refunded": "0.00",
        "action_url": "",
        "error_code": "",
        "order": None,
    }
    assert [p.pk for p in settled] == [payment.pk]


def test_confirm_shows_the_order_once_it_exists(client: Client, settled: list[Payment]) -> None:
    order = make_order()
    payment = captured(order=order)

    response = client.post(f"/api/v1/payments/{payment.reference}/confirm")

    assert response.json()["order"] == order.number
    assert settled == []


@pytest.mark.parametrize("reference", [str(uuid.uuid4()), "not-a-uuid", "1", "x" * 300])
def test_confirm_unknown_payment(client: Client, reference: str) -> None:
    problem(client.post(f"/api/v1/payments/{reference}/confirm"), 404, "PAYMENT_NOT_FOUND")


# --- staff ------------------------------------------------------------------------------------


def test_staff_routes_need_a_staff_member_with_the_permission(client: Client) -> None:
    payment = captured()
    ref = payment.reference
    routes = [
        ("get", "payments", None, "view_payment"),
        ("get", f"payments/{ref}", None, "view_payment"),
        ("post", f"payments/{ref}/mark-received", {"amount": "1.00"}, "change_payment"),
        ("post", f"payments/{ref}/refund", {"amount": "1.00"}, "refund_payment"),
        ("post", f"payments/{ref}/void", {}, "change_payment"),
        ("post", f"payments/{ref}/capture", {}, "change_payment"),
    ]
    anonymous = Api(client, None)
    customer = api_for(UserFactory.create(), client)
    for method, path, body, perm in routes:
        call = lambda a, m=method, p=path, b=body: a.get(p) if m == "get" else a.post(p, b)  # noqa: E731
        problem(call(anonymous), 401, "UNAUTHORIZED")
        problem(call(customer), 403, "PERMISSION_DENIED")
        others = [c for c in ("view_payment", "change_payment", "refund_payment") if c != perm]
        problem(call(clerk_api(client, *others)), 403, "PERMISSION_DENIED")
    payment.refresh_from_db()
    assert payment.amount_refunded == 0


def test_list_and_filters(api: Api) -> None:
    card = captured(amount="10.00")
    transfer = start(method="bank_transfer", amount="20.00", checkout_ref="chk-transfer")
    order = make_order()
    services.payment_attach(payment=card, order=order)

    listed = api.get("payments").json()
    assert listed["count"] == 2
    assert [p["reference"] for p in listed["results"]] == [
        str(transfer.reference),
        str(card.reference),
    ]
    assert listed["results"][1]["source"] == "**** **** **** 4242"
    assert api.get("payments", {"method": "bank_transfer"}).json()["count"] == 1
    assert api.get("payments", {"state": "captured"}).json()["results"][0]["order"] == order.number
    assert api.get("payments", {"order": order.number}).json()["count"] == 1
    assert api.get("payments", {"checkout": "chk-transfer"}).json()["count"] == 1
    assert api.get("payments", {"page_size": 1}).json()["next"] is not None
    problem(api.get("payments", {"state": "lost"}), 400, "INVALID_FILTER")
    problem(api.get("payments", {"method": "cheque"}), 400, "INVALID_FILTER")
    problem(api.get("payments", {"order": "a\x00b"}), 400, "INVALID_FILTER")
    problem(api.get("payments", {"colour": "red"}), 400, "UNKNOWN_PARAMETER")
    problem(api.get("payments", {"page": 0}), 400, "INVALID_PAGINATION")


def test_detail_has_the_ledger(api: Api) -> None:
    payment = captured(amount="10.00")

    body = api.get(f"payments/{payment.reference}").json()

    assert body["state"] == "captured"
    assert [(t["kind"], t["result"], t["amount"]) for t in body["transactions"]] == [
        ("sale", "success", "10.00")
    ]
    problem(api.get(f"payments/{uuid.uuid4()}"), 404, "PAYMENT_NOT_FOUND")
    problem(api.get("payments/zzz"), 404, "PAYMENT_NOT_FOUND")


def test_refund_through_the_api(client: Client) -> None:
    order = make_order(total=Decimal("40.00"))
    payment = captured(amount="40.00", order=order)
    clerk = clerk_api(client, "refund_payment")
    path = f"payments/{payment.reference}/refund"

    body = clerk.post(path, {"amount": "15.50", "reason": "late"}).json()

    assert (body["state"], body["amount_refunded"]) == ("partially_refunded", "15.50")
    assert [t["result"] for t in body["transactions"] if t["kind"] == "refund"] == [
        "pending",
        "success",
    ]
    assert body["transactions"][-1]["actor"] is not None
    problem(clerk.post(path, {"amount": "24.51"}), 409, "REFUND_EXCEEDS_CAPTURED")
    problem(clerk.post(path, {"amount": "0"}), 400, "INVALID_AMOUNT")
    problem(clerk.post(path, {"amount": "1.001"}), 422, "VALIDATION_ERROR")
    problem(clerk.post(path, {"amount": "abc"}), 422, "VALIDATION_ERROR")
    problem(clerk.post(path, {}), 422, "VALIDATION_ERROR")
    problem(clerk.post(path, {"amount": "1", "reason": "r" * 1001}), 422, "VALIDATION_ERROR")
    problem(clerk.post(path, "not json"), 400, "BAD_REQUEST")
    problem(
        clerk.post(f"payments/{uuid.uuid4()}/refund", {"amount": "1"}), 404, "PAYMENT_NOT_FOUND"
    )
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("15.50")


def test_mark_received_through_the_api(api: Api) -> None:
    order = make_order(total=Decimal("75.00"), paid=Decimal(0))
    payment = start(method="bank_transfer", amount="75.00")
    services.payment_attach(payment=payment, order=order)
    path = f"payments/{payment.reference}/mark-received"

    body = api.post(path, {"amount": "75.00", "reference": "VIR-2026-001"}).json()

    assert (body["state"], body["amount_captured"]) == ("captured", "75.00")
    assert api.post(path, {"amount": "75.00", "reference": "VIR-2026-001"}).status_code == 200
    problem(api.post(path, {"amount": "1.00"}), 409, "PAYMENT_NOT_PENDING")
    card = captured()
    problem(
        api.post(f"payments/{card.reference}/mark-received", {"amount": "1"}),
        409,
        "PAYMENT_NOT_BANK_TRANSFER",
    )
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_void_and_capture_through_the_api(api: Api) -> None:
    waiting = services.payment_execute(payment=start(source=THREE_D_SECURE))

    voided = api.post(f"payments/{waiting.reference}/void", {}).json()

    assert voided["state"] == "voided"
    assert voided["transactions"][-1]["kind"] == "void"
    problem(api.post(f"payments/{waiting.reference}/capture", {}), 409, "PAYMENT_NOT_CAPTURABLE")
    card = captured()
    problem(api.post(f"payments/{card.reference}/void", {}), 409, "PAYMENT_NOT_VOIDABLE")


def test_staff_without_staff_flag_is_refused(client: Client) -> None:
    payment = captured()
    user = UserFactory.create()
    staffless = api_for(user, client)
    problem(staffless.get(f"payments/{payment.reference}"), 403, "PERMISSION_DENIED")
    inactive = StaffFactory.create(is_active=False)
    problem(api_for(inactive, client).get("payments"), 401, "UNAUTHORIZED")
