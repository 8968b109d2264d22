"""Orders API: a customer sees their own orders only (another's is a 404), a guest reaches
theirs by token; staff list, ship, deliver, cancel, refund and annotate with the Django
permissions (401 anonymous, 403 without the permission); bad input is a 4xx problem+json
that changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.models import OutboxEvent
from comptoir.core.testing import Api, api_for, clerk_api, problem
from comptoir.inventory.models import Stock
from comptoir.orders import services
from comptoir.orders.models import Fulfilment, Order, OrderEvent, OrderStatus, PaymentStatus
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"


def bearer(user: User) -> dict[str, str]:
    raw, _token = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())


# --- customers ------------------------------------------------------------------------------


def test_a_customer_lists_their_orders_only(
    client: Client, channel: Channel, customer: User
) -> None:
    mine = [make_order(channel=channel, user=customer) for _ in range(3)]
    make_order(channel=channel, user=UserFactory.create())
    make_order(channel=channel)  # a guest's

    response = client.get(ORDERS, {"page_size": 2}, headers=bearer(customer))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert body["next"] == f"{ORDERS}?page=2&page_size=2"
    assert body["previous"] is None
    assert [o["number"] for o in body["results"]] == [mine[2].number, mine[1].number]
    assert body["results"][0] == {
        "number": mine[2].number,
        "channel": "boutique-france",
        "status": "placed",
        "payment_status": "pending",
        "placed_at": body["results"][0]["placed_at"],
        "currency": "EUR",
        "total_gross": "24.00",
        "item_count": 2,
    }


def test_a_customer_reads_their_order(
    client: Client, channel: Channel, customer: User, variant: ProductVariant
) -> None:
    order = make_order(channel=channel, user=customer, items=[(variant, 3)], paid=True)
    (line,) = order.lines.all()
    services.fulfilment_create(
        order=order, lines=[(line.pk, 2)], carrier="dpd", tracking_number="250"
    )
    services.order_note_add(order=order, text="Client fidèle", actor=StaffFactory.create())

    response = client.get(f"{ORDERS}/{order.number}", headers=bearer(customer))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == order.number
    assert (body["status"], body["payment_status"]) == ("partially_fulfilled", "paid")
    assert body["totals"] == {
        "currency": "EUR",
        "subtotal_net": "30.00",
        "subtotal_tax": "6.00",
        "subtotal_gross": "36.00",
        "discount_gross": "0.00",
        "shipping_net": "0.00",
        "shipping_tax": "0.00",
        "shipping_gross": "0.00",
        "total_net": "30.00",
        "total_tax": "6.00",
        "total_gross": "36.00",
        "amount_paid": "36.00",
        "amount_refunded": "0.00",
    }
    assert body["tax_breakdown"] == [{"rate": "20.000", "net": "30.00", "tax": "6.00"}]
    assert body["billing_address"]["city"] == "Paris"
    (row,) = body["lines"]
    assert (row["sku"], row["quantity"], row["quantity_fulfilled"], row["unit_gross"]) == (
        "PERC-18V",
        3,
        2,
        "12.00",
    )
    assert "quantity_allocated" not in row
    (parcel,) = body["fulfilments"]
    assert (parcel["carrier"], parcel["tracking_number"], parcel["tracking_url"]) == (
        "dpd",
        "250",
        "https://trace.dpd.fr/fr/trace/250",
    )
    assert parcel["lines"] == [{"line_id": line.pk, "sku": "PERC-18V", "quantity": 2}]
    # The staff note is not shown to the customer.
    assert [e["kind"] for e in body["timeline"]] == ["placed", "paid", "shipped"]


def test_the_detail_in_a_constant_number_of_queries(
    client: Client, channel: Channel, customer: User
) -> None:
    small = make_order(channel=channel, user=customer)
    big = make_order(
        channel=channel,
        user=customer,
        items=[(ProductVariantFactory.create(), 2) for _ in range(4)],
        paid=True,
    )
    for line in big.lines.all()[:3]:
        services.fulfilment_create(order=big, lines=[(line.pk, 1)], carrier="ups")
    services.fulfilment_create(order=small, lines=[(small.lines.get().pk, 1)])
    headers = bearer(customer)
    client.get(ORDERS, headers=headers)  # the token's first use is recorded once

    counts = []
    for order in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{ORDERS}/{order.number}", headers=headers).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 7


def test_the_list_in_a_constant_number_of_queries(
    client: Client, channel: Channel, customer: User
) -> None:
    headers = bearer(customer)
    make_order(channel=channel, user=customer)
    client.get(ORDERS, headers=headers)  # the token's first use is recorded once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ORDERS, headers=headers)
        assert response.status_code == 200, response.content
        return len(queries)

    one = count()
    for _ in range(4):
        make_order(
            channel=channel,
            user=customer,
            items=[(ProductVariantFactory.create(), 1) for _ in range(3)],
        )

    # token, membership (whose orders the caller reads), count, page
    assert count() == one <= 4


def test_another_customers_order_is_not_found(client: Client, channel: Channel) -> None:
    order = make_order(channel=channel, user=UserFactory.create())

    for number in (order.number, "NOPE-1", "x" * 200):
        response = client.get(f"{ORDERS}/{number}", headers=bearer(UserFactory.create()))
        problem(response, 404, "ORDER_NOT_FOUND")


def test_anonymous_callers_must_authenticate(client: Client, channel: Channel) -> None:
    order = make_order(channel=channel)
    problem(client.get(ORDERS), 401, "UNAUTHORIZED")
    problem(client.get(f"{ORDERS}/{order.number}"), 401, "UNAUTHORIZED")
    problem(client.get(ORDERS, headers={"Authorization": "Bearer nope"}), 401, "UNAUTHORIZED")


def test_the_session_works_too(client: Client, channel: Channel, customer: User) -> None:
    order = make_order(channel=channel, user=customer)
    client.force_login(customer)

    assert client.get(f"{ORDERS}/{order.number}").status_code == 200


def test_bad_pagination(client: Client, customer: User) -> None:
    headers = bearer(customer)
    problem(client.get(ORDERS, {"page": 0}, headers=headers), 400, "INVALID_PAGINATION")
    problem(client.get(ORDERS, {"page_size": 101}, headers=headers), 400, "INVALID_PAGINATION")
    problem(client.get(ORDERS, {"sort": "x"}, headers=headers), 400, "UNKNOWN_PARAMETER")
    problem(client.get(ORDERS, {"page": "x"}, headers=headers), 422, "VALIDATION_ERROR")


def test_a_guest_reads_their_order_by_token(client: Client, channel: Channel) -> None:
    order = make_order(channel=channel)

    response = client.get(f"{ORDERS}/by-token/{order.token}")

    assert response.status_code == 200, response.content
    assert response.json()["number"] == order.number
    other = order.token[:-1] + ("A" if order.token[-1] != "A" else "B")
    for token in (other, "x", "\x00" * 30, "y" * 300):
        problem(client.get(f"{ORDERS}/by-token/{token}"), 404, "ORDER_NOT_FOUND")


# --- staff: access ------------------------------------------------------------------------


def test_staff_routes_need_staff_with_the_permission(client: Client, channel: Channel) -> None:
    order = make_order(channel=channel)
    number = order.number
    reads = ["orders", f"orders/{number}"]
    writes = [
        (f"orders/{number}/fulfilments", {"lines": [{"line_id": 1, "quantity": 1}]}),
        (f"orders/{number}/fulfilments/1/delivered", {}),
        (f"orders/{number}/cancel", {}),
        (f"orders/{number}/refunds", {"amount": "1.00"}),
        (f"orders/{number}/notes", {"text": "x"}),
    ]
    anonymous = Api(client, None)
    customer = api_for(UserFactory.create())
    viewer = clerk_api(client, "view_order")
    for path in reads:
        problem(anonymous.get(path), 401, "UNAUTHORIZED")
        problem(customer.get(path), 403, "PERMISSION_DENIED")
        problem(clerk_api(Client(), "change_order").get(path), 403, "PERMISSION_DENIED")
        assert viewer.get(path).status_code == 200
    for path, body in writes:
        problem(anonymous.post(path, body), 401, "UNAUTHORIZED")
        problem(customer.post(path, body), 403, "PERMISSION_DENIED")
        problem(viewer.post(path, body), 403, "PERMISSION_DENIED")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    assert not OrderEvent.objects.filter(kind="note").exists()


# --- staff: reads -------------------------------------------------------------------------


def test_staff_list_and_filters(api: Api, channel: Channel) -> None:
    pro = B2BChannelFactory.create()
    a = make_order(channel=channel, email="Lea@Example.fr")
    b = make_order(channel=pro, paid=True)
    c = make_order(channel=channel)
    services.order_cancel(order=c)

    def numbers(**params: Any) -> list[str]:
        response = api.get("orders", params)
        assert response.status_code == 200, response.content
        return [o["number"] for o in response.json()["results"]]

    assert numbers() == [c.number, b.number, a.number]
    assert numbers(status="cancelled") == [c.number]
    assert numbers(channel="comptoir-pro") == [b.number]
    assert numbers(channel="nowhere") == []
    assert numbers(email="lea@example.FR") == [a.number]
    assert numbers(number=a.number) == [a.number]
    assert numbers(number="BF-") == [c.number, a.number]
    assert numbers(placed_from="2000-01-01", placed_to="2999-01-01T00:00:00Z") == [
        c.number,
        b.number,
        a.number,
    ]
    assert numbers(placed_from="2999-01-01") == []
    body = api.get("orders", {"page_size": 1}).json()
    assert body["results"][0] | {"placed_at": None} == {
        "number": c.number,
        "channel": "boutique-france",
        "status": "cancelled",
        "payment_status": "voided",
        "placed_at": None,
        "currency": "EUR",
        "total_gross": "24.00",
        "item_count": 2,
        "email": "invite@example.fr",
        "user_id": None,
        "company_id": None,
    }


def test_the_staff_list_and_detail_in_a_constant_number_of_queries(
    api: Api, channel: Channel
) -> None:
    small = make_order(channel=channel)
    services.fulfilment_create(order=small, lines=[(small.lines.get().pk, 1)])
    api.get("orders")  # the token's first use is recorded once

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path)
        assert response.status_code == 200, response.content
        return len(queries)

    listed, detail = count("orders"), count(f"orders/{small.number}")
    big = make_order(
        channel=channel, items=[(ProductVariantFactory.create(), 2) for _ in range(4)], paid=True
    )
    for line in big.lines.all()[:3]:
        services.fulfilment_create(order=big, lines=[(line.pk, 1)], carrier="ups")
    services.order_note_add(order=big, text="Rappeler", actor=StaffFactory.create())
    make_order(channel=B2BChannelFactory.create(), user=UserFactory.create())
    make_order(channel=channel)
    for part in ("12.00", "12.00"):
        _captured_transfer(big, amount=Decimal(part))

    assert count("orders") == listed <= 3
    assert count(f"orders/{big.number}") == detail <= 10


def test_staff_list_bad_filters(api: Api) -> None:
    problem(api.get("orders", {"status": "lost"}), 400, "INVALID_INPUT")
    problem(api.get("orders", {"placed_from": "yesterday"}), 422, "VALIDATION_ERROR")
    problem(api.get("orders", {"email": "\x00"}), 400, "INVALID_TEXT")
    problem(api.get("orders", {"number": "x" * 33}), 422, "VALIDATION_ERROR")
    problem(api.get("orders", {"colour": "red"}), 400, "UNKNOWN_PARAMETER")
    problem(api.get("orders", {"page_size": 0}), 400, "INVALID_PAGINATION")


def test_staff_detail(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel)
    services.order_note_add(order=order, text="Rappeler", actor=StaffFactory.create(email="a@b.fr"))

    response = api.get(f"orders/{order.number}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == order.pk
    assert body["lines"][0]["quantity_allocated"] == 2
    assert [(e["kind"], e["actor"]) for e in body["timeline"]] == [
        ("placed", None),
        ("note", "a@b.fr"),
    ]
    assert body["timeline"][1]["data"] == {"text": "Rappeler"}
    assert body["payments"] == []
    problem(api.get("orders/NOPE-000001"), 404, "ORDER_NOT_FOUND")


# --- staff: writes ------------------------------------------------------------------------


def test_staff_ship_and_deliver(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()

    response = api.post(
        f"orders/{order.number}/fulfilments",
        {"lines": [{"line_id": line.pk, "quantity": 2}], "carrier": "UPS", "tracking_number": "1Z"},
    )

    assert response.status_code == 201, response.content
    parcel = response.json()
    assert (parcel["sequence"], parcel["status"], parcel["tracking_url"]) == (
        1,
        "shipped",
        "https://www.ups.com/track?tracknum=1Z",
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED

    response = api.post(f"orders/{order.number}/fulfilments/{parcel['id']}/delivered", {})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "delivered"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    problem(
        api.post(f"orders/{order.number}/fulfilments/{parcel['id']}/delivered", {}),
        409,
        "INVALID_TRANSITION",
    )


def test_staff_ship_bad_input(api: Api, channel: Channel) -> None:
    order, other = make_order(channel=channel), make_order(channel=channel)
    (line,) = order.lines.all()
    (foreign,) = other.lines.all()
    path = f"orders/{order.number}/fulfilments"

    def lines(line_id: Any, quantity: Any) -> dict[str, Any]:
        return {"lines": [{"line_id": line_id, "quantity": quantity}]}

    problem(api.post(path, lines(foreign.pk, 1)), 400, "LINE_NOT_FOUND")
    problem(api.post(path, lines(line.pk, 3)), 400, "INVALID_QUANTITY")
    problem(api.post(path, lines(line.pk, 0)), 422, "VALIDATION_ERROR")
    problem(api.post(path, lines(line.pk, "two")), 422, "VALIDATION_ERROR")
    problem(api.post(path, lines(2**64, 1)), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"lines": []}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {}), 422, "VALIDATION_ERROR")
    problem(api.post(path, "not json"), 400, "BAD_REQUEST")
    problem(
        api.post(path, lines(line.pk, 1) | {"tracking_url": "javascript:alert(1)"}),
        400,
        "INVALID_TRACKING_URL",
    )
    problem(api.post(path, lines(line.pk, 1) | {"carrier": "x" * 101}), 422, "VALIDATION_ERROR")
    problem(api.post(path, lines(line.pk, 1) | {"carrier": "\x00"}), 400, "INVALID_TEXT")
    problem(api.post("orders/NOPE-1/fulfilments", lines(line.pk, 1)), 404, "ORDER_NOT_FOUND")
    assert not Fulfilment.objects.exists()
    assert Stock.objects.filter(quantity_allocated=2).count() == 2
    for fulfilment_id in (0, 987654, 2**63, 2**70):
        problem(
            api.post(f"orders/{order.number}/fulfilments/{fulfilment_id}/delivered", {}),
            404,
            "FULFILMENT_NOT_FOUND",
        )


def test_staff_ship_without_stock(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel, stock=False)
    (line,) = order.lines.all()
    body = problem(
        api.post(
            f"orders/{order.number}/fulfilments", {"lines": [{"line_id": line.pk, "quantity": 1}]}
        ),
        409,
        "INSUFFICIENT_STOCK",
    )
    assert list(body["errors"]) == [line.sku]


def test_staff_cancel_an_unpaid_order(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel)

    response = api.post(f"orders/{order.number}/cancel", {"reason": "Doublon"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["payment_status"], body["payment_errors"]) == (
        "cancelled",
        "voided",
        [],
    )
    assert Stock.objects.get().quantity_allocated == 0
    problem(api.post(f"orders/{order.number}/cancel", {}), 409, "INVALID_TRANSITION")
    problem(api.post(f"orders/{order.number}/cancel", {"reason": 5}), 422, "VALIDATION_ERROR")


def test_staff_cannot_cancel_a_shipped_order(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel)
    (line,) = order.lines.all()
    services.fulfilment_create(order=order, lines=[(line.pk, 1)])

    problem(api.post(f"orders/{order.number}/cancel", {}), 409, "ORDER_NOT_CANCELLABLE")


def test_staff_refund_bad_input(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()
    path = f"orders/{order.number}/refunds"

    problem(api.post(path, {"amount": "24.01"}), 400, "REFUND_EXCEEDS_PAID")
    problem(api.post(path, {"amount": "0"}), 400, "INVALID_AMOUNT")
    problem(api.post(path, {"amount": "-1"}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"amount": "1.001"}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"amount": "NaN"}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"amount": "abc"}), 422, "VALIDATION_ERROR")
    problem(
        api.post(path, {"amount": "1", "lines": [{"line_id": line.pk, "quantity": 3}]}),
        400,
        "INVALID_QUANTITY",
    )
    problem(api.post(path, {"amount": "1", "reason": "\x00"}), 400, "INVALID_TEXT")
    problem(
        api.post(path, {"amount": "1.00"}), 409, "NO_CAPTURED_PAYMENT"
    )  # placed paid, no Payment
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.amount_refunded, fresh.payment_status) == (Decimal("0"), PaymentStatus.PAID)


def test_staff_records_returned_units_without_money(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()

    response = api.post(
        f"orders/{order.number}/refunds",
        {"amount": "0", "lines": [{"line_id": line.pk, "quantity": 1}]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["quantity_refunded"] == 1


def test_staff_notes(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel)
    path = f"orders/{order.number}/notes"

    response = api.post(path, {"text": "Appeler avant livraison"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["data"]) == ("note", {"text": "Appeler avant livraison"})
    problem(api.post(path, {"text": ""}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"text": "   "}), 400, "INVALID_INPUT")
    problem(api.post(path, {"text": "x" * 5001}), 422, "VALIDATION_ERROR")
    problem(api.post(path, {"text": "\x00"}), 400, "INVALID_TEXT")
    problem(api.post(path, {"text": ["a"]}), 422, "VALIDATION_ERROR")
    assert OrderEvent.objects.filter(kind="note").count() == 1


# --- staff: money through payments (provider calls happen outside any transaction) -------


def _refund_topics(order: Order) -> list[OutboxEvent]:
    return list(
        OutboxEvent.objects.filter(
            aggregate="order", aggregate_id=str(order.pk), topic="order.refunded"
        ).order_by("pk")
    )


def _captured_transfer(order: Order, amount: Decimal | None = None) -> Any:
    """A bank transfer of `amount` (the order's total by default) received in full (an
    offline payment: refunds need no provider). The model is looked up by name: orders,
    tests included, import nothing of payments (import-linter); the staff routes under
    test reach payments through their services."""
    payment_model = apps.get_model("payments", "Payment")
    amount = order.total_gross if amount is None else amount
    return payment_model.objects.create(
        order=order,
        checkout_ref=f"co-{order.pk}",
        method="bank_transfer",
        state="captured",
        amount=amount,
        amount_captured=amount,
        currency=order.currency,
    )


@pytest.mark.django_db(transaction=True)
def test_staff_refund_through_the_payment(channel: Channel) -> None:
    api = api_for(StaffFactory.create())
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()
    payment = _captured_transfer(order)

    response = api.post(
        f"orders/{order.number}/refunds",
        {"amount": "12.00", "lines": [{"line_id": line.pk, "quantity": 1}], "reason": "Casse"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["payment_status"], body["totals"]["amount_refunded"]) == (
        "partially_refunded",
        "12.00",
    )
    assert body["lines"][0]["quantity_refunded"] == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("12.00")
    assert body["payments"][0]["amount_refunded"] == "12.00"
    # Recorded once on the order: the amount and the returned units in one event.
    (event,) = OrderEvent.objects.filter(order=order, kind="refunded")
    assert event.data["amount"] == "12.00"
    assert event.data["lines"] == [{"line_id": line.pk, "sku": line.sku, "quantity": 1}]
    assert [e.payload["amount"] for e in _refund_topics(order)] == ["12.00"]


@pytest.mark.django_db(transaction=True)
def test_staff_refund_across_two_payments_records_the_lines_once(channel: Channel) -> None:
    api = api_for(StaffFactory.create())
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()
    first = _captured_transfer(order, amount=Decimal("10.00"))
    second = _captured_transfer(order, amount=Decimal("14.00"))

    response = api.post(
        f"orders/{order.number}/refunds",
        {"amount": "15.00", "lines": [{"line_id": line.pk, "quantity": 2}]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["totals"]["amount_refunded"], body["lines"][0]["quantity_refunded"]) == (
        "15.00",
        2,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    # Oldest payment first.
    assert (first.amount_refunded, second.amount_refunded) == (Decimal("10.00"), Decimal("5.00"))
    events = OrderEvent.objects.filter(order=order, kind="refunded").order_by("pk")
    assert [(e.data["amount"], len(e.data["lines"])) for e in events] == [
        ("10.00", 1),
        ("5.00", 0),
    ]
    assert [e.payload["amount"] for e in _refund_topics(order)] == ["10.00", "5.00"]


@pytest.mark.django_db(transaction=True)
def test_staff_cancel_refunds_the_captured_payment(channel: Channel) -> None:
    api = api_for(StaffFactory.create())
    order = make_order(channel=channel, paid=True)
    payment = _captured_transfer(order)

    response = api.post(f"orders/{order.number}/cancel", {"reason": "Rupture"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["payment_status"], body["payment_errors"]) == (
        "cancelled",
        "refunded",
        [],
    )
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("24.00")
    assert Stock.objects.get().quantity_allocated == 0
