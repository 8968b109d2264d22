"""The order's books: payments received (part, full, too much) and refunds (part, full,
with the units they cover)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.errors import DomainError
from comptoir.core.models import OutboxEvent
from comptoir.inventory.models import Stock
from comptoir.orders import services
from comptoir.orders.models import Order, OrderLine, OrderStatus, PaymentStatus
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def books(order: Order) -> tuple[Any, ...]:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.status,
        fresh.payment_status,
        fresh.amount_paid,
        fresh.amount_refunded,
        list(OrderLine.objects.filter(order=order).values_list("quantity_refunded", flat=True)),
        fresh.events.count(),
        OutboxEvent.objects.count(),
    )


def refused(code: str, call: Callable[..., Any], order: Order, **kwargs: Any) -> None:
    before = books(order)
    with pytest.raises(DomainError) as caught:
        call(order=order, **kwargs)
    assert caught.value.code == code, caught.value.errors
    assert books(order) == before


def test_part_then_full_payment(
    channel: Channel, actor: Any, topics: Callable[..., list[str]]
) -> None:
    order = make_order(channel=channel)  # 24.00

    order = services.order_mark_paid(order=order, amount=Decimal("10.00"), reference="VIR-1")

    assert (order.status, order.payment_status, order.amount_paid) == (
        OrderStatus.PLACED,
        PaymentStatus.PENDING,
        Decimal("10.00"),
    )
    order = services.order_mark_paid(order=order, amount=Decimal("14"), actor=actor)

    assert (order.status, order.payment_status, order.amount_paid) == (
        OrderStatus.PAID,
        PaymentStatus.PAID,
        Decimal("24.00"),
    )
    events = [(e.kind, e.data.get("amount")) for e in order.events.all()]
    assert events == [("placed", None), ("payment_received", "10.00"), ("paid", "14.00")]
    assert order.events.last().actor == actor  # type: ignore[union-attr]
    assert topics(order) == ["order.placed", "order.paid"]
    refused("OVERPAYMENT", services.order_mark_paid, order, amount=Decimal("0.01"))


def test_payment_of_a_shipped_order_keeps_its_status(channel: Channel) -> None:
    order = make_order(channel=channel)
    (line,) = order.lines.all()
    services.fulfilment_create(order=order, lines=[(line.pk, 2)])

    order = services.order_mark_paid(order=order, amount=Decimal("24.00"))

    assert (order.status, order.payment_status) == (OrderStatus.FULFILLED, PaymentStatus.PAID)


@pytest.mark.parametrize(
    "amount",
    [Decimal("0"), Decimal("-1"), Decimal("1.005"), 1.5, "abc", Decimal("Inf"), None, True],
)
def test_bad_amounts_are_refused(channel: Channel, amount: Any) -> None:
    refused("INVALID_AMOUNT", services.order_mark_paid, make_order(channel=channel), amount=amount)


def test_overpayment_is_refused(channel: Channel) -> None:
    refused(
        "OVERPAYMENT",
        services.order_mark_paid,
        make_order(channel=channel),
        amount=Decimal("24.01"),
    )


def test_no_payment_on_a_cancelled_order(channel: Channel) -> None:
    order = services.order_cancel(order=make_order(channel=channel))
    refused("INVALID_TRANSITION", services.order_mark_paid, order, amount=Decimal("1.00"))


def test_part_refund_with_lines(channel: Channel, topics: Callable[..., list[str]]) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()

    order = services.order_record_refund(
        order=order, amount=Decimal("12.00"), lines=[(line.pk, 1)], reference="re_1"
    )

    assert (order.status, order.payment_status, order.amount_refunded) == (
        OrderStatus.PAID,
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("12.00"),
    )
    assert OrderLine.objects.get(pk=line.pk).quantity_refunded == 1
    event = order.events.last()
    assert event is not None
    assert (event.kind, event.data["lines"]) == (
        "refunded",
        [{"line_id": line.pk, "sku": line.sku, "quantity": 1}],
    )
    assert topics(order)[-1] == "order.refunded"
    assert OutboxEvent.objects.filter(topic="order.refunded").get().payload == {
        "number": order.number,
        "amount": "12.00",
    }
    refused("REFUND_EXCEEDS_PAID", services.order_record_refund, order, amount=Decimal("12.01"))
    refused(
        "INVALID_QUANTITY",
        services.order_record_refund,
        order,
        amount=Decimal("1.00"),
        lines=[(line.pk, 2)],
    )


def test_full_refund_releases_the_stock_still_held(
    channel: Channel, variant: ProductVariant
) -> None:
    order = make_order(channel=channel, items=[(variant, 3)], paid=True)
    (line,) = order.lines.all()
    services.fulfilment_create(order=order, lines=[(line.pk, 1)])

    order = services.order_record_refund(order=order, amount=Decimal("36.00"))

    assert (order.status, order.payment_status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (2, 0)
    assert order.events.last().data["released"][0]["quantity"] == 2  # type: ignore[union-attr]


def test_returned_units_without_money(channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()

    order = services.order_record_refund(order=order, amount=Decimal("0"), lines=[(line.pk, 2)])

    assert order.payment_status == PaymentStatus.PAID
    assert OrderLine.objects.get(pk=line.pk).quantity_refunded == 2
    assert "order.refunded" not in OutboxEvent.objects.values_list("topic", flat=True)
    refused("INVALID_AMOUNT", services.order_record_refund, order, amount=Decimal("0"))


def test_refund_of_an_unpaid_order_is_refused(channel: Channel) -> None:
    refused(
        "REFUND_EXCEEDS_PAID",
        services.order_record_refund,
        make_order(channel=channel),
        amount=Decimal("1.00"),
    )


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([(987654, 1)], "LINE_NOT_FOUND"),
        ([("x", 1)], "LINE_NOT_FOUND"),
        ([(1, 0)], "INVALID_QUANTITY"),
        ("x", "INVALID_INPUT"),
        ([(1, 2, 3)], "INVALID_INPUT"),
    ],
)
def test_bad_refund_lines_are_refused(channel: Channel, lines: Any, code: str) -> None:
    order = make_order(channel=channel, paid=True)
    refused(code, services.order_record_refund, order, amount=Decimal("1.00"), lines=lines)


def test_a_line_of_another_order_cannot_be_refunded(channel: Channel) -> None:
    order, other = make_order(channel=channel, paid=True), make_order(channel=channel)
    (line,) = other.lines.all()
    refused(
        "LINE_NOT_FOUND",
        services.order_record_refund,
        order,
        amount=Decimal("1.00"),
        lines=[(line.pk, 1)],
    )


def test_refund_after_cancel_keeps_the_order_cancelled(channel: Channel) -> None:
    order = services.order_cancel(order=make_order(channel=channel, paid=True))

    order = services.order_record_refund(order=order, amount=Decimal("24.00"))

    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, PaymentStatus.REFUNDED)


def test_refund_check_writes_nothing(channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    before = books(order)

    assert services.order_refund_check(order=order, amount=Decimal("5")) == Decimal("5.00")
    with pytest.raises(DomainError) as caught:
        services.order_refund_check(order=order, amount=Decimal("25"))
    assert caught.value.code == "REFUND_EXCEEDS_PAID"
    assert books(order) == before


def test_reference_too_long_is_refused(channel: Channel) -> None:
    refused(
        "INVALID_INPUT",
        services.order_mark_paid,
        make_order(channel=channel),
        amount=Decimal("1.00"),
        reference="r" * 256,
    )
