"""Shipping: partial shipments off the allocations (sale movements, ledger intact),
backordered units allocated at ship time or refused, tracking URLs, delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.core.errors import DomainError
from comptoir.core.models import OutboxEvent
from comptoir.inventory.models import MovementKind, Stock, StockMovement
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders import services
from comptoir.orders.models import (
    Fulfilment,
    FulfilmentStatus,
    Order,
    OrderAllocation,
    OrderLine,
    OrderStatus,
)
from comptoir.orders.tests.factories import (
    allocated_line,
    draft_line,
    make_draft,
    make_order,
    stock_for,
)

pytestmark = pytest.mark.django_db


def snapshot(order: Order) -> tuple[Any, ...]:
    """Everything a refused shipment must leave as it was."""
    return (
        Order.objects.get(pk=order.pk).status,
        list(OrderLine.objects.filter(order=order).values_list("quantity_fulfilled", flat=True)),
        list(OrderAllocation.objects.filter(line__order=order).values_list("quantity", flat=True)),
        list(Stock.objects.order_by("pk").values_list("quantity", "quantity_allocated")),
        Fulfilment.objects.count(),
        OutboxEvent.objects.count(),
    )


def refused(code: str, order: Order, **kwargs: Any) -> DomainError:
    before = snapshot(order)
    with pytest.raises(DomainError) as caught:
        services.fulfilment_create(order=order, **kwargs)
    assert caught.value.code == code, caught.value.errors
    assert snapshot(order) == before
    return caught.value


def test_partial_then_complete_shipment(
    channel: Channel, variant: ProductVariant, actor: Any, topics: Callable[..., list[str]]
) -> None:
    other = ProductVariantFactory.create(sku="FORET-8")
    order = make_order(channel=channel, items=[(variant, 3), (other, 1)], paid=True)
    first, second = order.lines.order_by("pk")
    stock = Stock.objects.get(variant=variant)

    parcel = services.fulfilment_create(
        order=order,
        lines=[(first.pk, 2)],
        carrier="Colissimo",
        tracking_number="6A 123/45",
        actor=actor,
    )

    assert (parcel.sequence, parcel.status, parcel.warehouse_id) == (
        1,
        FulfilmentStatus.SHIPPED,
        stock.warehouse_id,
    )
    assert parcel.tracking_url == (
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A%20123%2F45"
    )
    assert list(parcel.lines.values_list("line_id", "quantity")) == [(first.pk, 2)]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_FULFILLED
    assert OrderLine.objects.get(pk=first.pk).quantity_fulfilled == 2
    assert OrderAllocation.objects.get(line=first).quantity == 1
    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_allocated) == (1, 1)
    sale = StockMovement.objects.get(stock=stock, kind=MovementKind.SALE)
    assert (sale.quantity, sale.reference, sale.actor) == (-2, order.number, actor)

    last = services.fulfilment_create(order=order, lines=[(first.pk, 1), (second.pk, 1)])

    assert last.sequence == 2
    assert last.warehouse_id is None  # two warehouses
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert not OrderAllocation.objects.filter(line__order=order).exists()
    assert list(Stock.objects.order_by("pk").values_list("quantity", "quantity_allocated")) == [
        (0, 0),
        (0, 0),
    ]
    assert ledger_mismatches() == []
    assert [e.kind for e in order.events.all()] == ["placed", "paid", "shipped", "shipped"]
    assert topics(order) == ["order.placed", "order.paid", "order.shipped", "order.shipped"]
    shipped = OutboxEvent.objects.filter(topic="order.shipped").order_by("pk")
    assert [e.payload for e in shipped] == [
        {"number": order.number, "fulfilment_id": parcel.pk},
        {"number": order.number, "fulfilment_id": last.pk},
    ]


def test_an_unpaid_order_can_ship(channel: Channel) -> None:
    """On account or bank transfer: staff decide when to ship."""
    order = make_order(channel=channel)
    (line,) = order.lines.all()

    services.fulfilment_create(order=order, lines=[(line.pk, 2)])

    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED


def test_backordered_units_are_allocated_when_they_ship(
    channel: Channel, variant: ProductVariant
) -> None:
    order = make_order(channel=channel, items=[(variant, 3)], stock=False)
    (line,) = order.lines.all()
    assert line.quantity_backordered == 3

    refused("INSUFFICIENT_STOCK", order, lines=[(line.pk, 1)])

    stock = stock_for(variant, 2)
    services.fulfilment_create(order=order, lines=[(line.pk, 2)])

    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_allocated) == (0, 0)
    assert OrderLine.objects.get(pk=line.pk).quantity_fulfilled == 2
    refused("INSUFFICIENT_STOCK", order, lines=[(line.pk, 1)])
    assert ledger_mismatches() == []


def test_allocated_units_ship_before_backordered_ones(
    channel: Channel, variant: ProductVariant
) -> None:
    stock = stock_for(variant, 1)
    line = allocated_line(variant, 1, channel=channel)
    draft = make_draft(
        lines=[
            draft_line(variant, 3, allocations=line.allocations, backordered=2),
        ],
        channel=channel,
    )
    order = services.order_create(draft=draft)
    (row,) = order.lines.all()
    other_stock = stock_for(variant, 5)

    services.fulfilment_create(order=order, lines=[(row.pk, 2)])

    stock.refresh_from_db()
    other_stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_allocated) == (0, 0)
    assert (other_stock.quantity, other_stock.quantity_allocated) == (4, 0)
    assert not OrderAllocation.objects.filter(line=row).exists()
    assert ledger_mismatches() == []


def test_more_than_left_to_ship_is_refused(channel: Channel) -> None:
    order = make_order(channel=channel)
    (line,) = order.lines.all()
    refused("INVALID_QUANTITY", order, lines=[(line.pk, 3)])
    services.fulfilment_create(order=order, lines=[(line.pk, 1)])
    refused("INVALID_QUANTITY", order, lines=[(line.pk, 1), (line.pk, 1)])  # merged: 2 > 1


def test_a_line_of_another_order_is_refused(channel: Channel) -> None:
    order, other = make_order(channel=channel), make_order(channel=channel)
    (line,) = other.lines.all()
    refused("LINE_NOT_FOUND", order, lines=[(line.pk, 1)])


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "INVALID_INPUT"),
        ("1,2", "INVALID_INPUT"),
        ([(1,)], "INVALID_INPUT"),
        ([("1", 1)], "LINE_NOT_FOUND"),
        ([(True, 1)], "LINE_NOT_FOUND"),
        ([(1, 0)], "INVALID_QUANTITY"),
        ([(1, 1.0)], "INVALID_QUANTITY"),
        ([(1, 10**7)], "INVALID_QUANTITY"),
        ([(1, 1)] * 1001, "INVALID_INPUT"),
    ],
)
def test_malformed_lines_are_refused(channel: Channel, lines: Any, code: str) -> None:
    refused(code, make_order(channel=channel), lines=lines)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"tracking_url": "javascript:alert(1)"}, "INVALID_TRACKING_URL"),
        ({"tracking_url": "ftp://example.fr/x"}, "INVALID_TRACKING_URL"),
        ({"tracking_url": "https://"}, "INVALID_TRACKING_URL"),
        ({"tracking_url": "https://example.fr/" + "x" * 500}, "INVALID_INPUT"),
        ({"carrier": "c" * 101}, "INVALID_INPUT"),
        ({"tracking_number": None}, "INVALID_INPUT"),
        ({"tracking_number": "\x00"}, "INVALID_TEXT"),
    ],
)
def test_bad_tracking_is_refused(channel: Channel, fields: dict[str, Any], code: str) -> None:
    order = make_order(channel=channel)
    (line,) = order.lines.all()
    refused(code, order, lines=[(line.pk, 1)], **fields)


@pytest.mark.parametrize(
    ("carrier", "url"),
    [
        ("chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY1"),
        ("UPS", "https://www.ups.com/track?tracknum=XY1"),
        (" DHL ", "https://www.dhl.com/fr-fr/home/tracking/tracking-parcel.html?tracking-id=XY1"),
        ("dpd", "https://trace.dpd.fr/fr/trace/XY1"),
        ("Coursier du coin", ""),
    ],
)
def test_tracking_url_templates(carrier: str, url: str) -> None:
    assert services.tracking_url_for(carrier, "XY1") == url


def test_a_given_tracking_url_wins_and_settings_add_carriers(
    channel: Channel, settings: Any
) -> None:
    settings.COMPTOIR_TRACKING_URLS = {"Geodis": "https://geodis.example/t/{number}"}
    order = make_order(channel=channel)
    (line,) = order.lines.all()

    a = services.fulfilment_create(
        order=order, lines=[(line.pk, 1)], carrier="ups", tracking_url="https://t.example/1"
    )
    b = services.fulfilment_create(
        order=order, lines=[(line.pk, 1)], carrier="geodis", tracking_number="G7"
    )

    assert (a.tracking_url, b.tracking_url) == (
        "https://t.example/1",
        "https://geodis.example/t/G7",
    )


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.REFUNDED])
def test_no_shipment_once_cancelled_or_refunded(channel: Channel, status: str) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()
    if status == OrderStatus.CANCELLED:
        services.order_cancel(order=order)
    else:
        services.order_record_refund(order=order, amount=order.total_gross)
    refused("INVALID_TRANSITION", order, lines=[(line.pk, 1)])


def test_delivery(channel: Channel, topics: Callable[..., list[str]]) -> None:
    order = make_order(channel=channel, paid=True)
    (line,) = order.lines.all()
    first = services.fulfilment_create(order=order, lines=[(line.pk, 1)])

    services.fulfilment_mark_delivered(fulfilment=first)

    first.refresh_from_db()
    assert first.status == FulfilmentStatus.DELIVERED
    assert first.delivered_at is not None
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_FULFILLED

    second = services.fulfilment_create(order=order, lines=[(line.pk, 1)])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED
    services.fulfilment_mark_delivered(fulfilment=second)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    assert topics(order)[-1] == "order.delivered"
    assert topics(order).count("order.delivered") == 1
    with pytest.raises(DomainError) as caught:
        services.fulfilment_mark_delivered(fulfilment=second)
    assert caught.value.code == "INVALID_TRANSITION"
