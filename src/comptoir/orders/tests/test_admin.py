"""Back-office: the order pages load (list with filters and search, the order with its
lines, parcels and timeline); a note is added through the service; the actions cancel
and mark delivered through the services; sequence prefixes are checked."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.inventory.models import Stock
from comptoir.orders import services
from comptoir.orders.models import (
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderSequence,
    OrderStatus,
)
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages asserted are English
    client.force_login(StaffFactory.create())
    return client


class _Inputs(HTMLParser):
    """The hidden inputs of a page (the inline formsets' management forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("type") == "hidden" and fields.get("name"):
            self.values[str(fields["name"])] = fields.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(html)
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def test_pages_load(staff: Client, channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    line = order.lines.get()
    services.fulfilment_create(order=order, lines=[(line.pk, 1)], carrier="ups")
    make_order(channel=B2BChannelFactory.create())

    for url in (
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_order_changelist") + f"?q={order.number}&status__exact=paid",
        reverse("admin:orders_order_changelist") + "?q=invite@example.fr",
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:orders_ordersequence_changelist"),
        reverse("admin:orders_ordersequence_add"),
        reverse("admin:orders_ordersequence_change", args=[OrderSequence.objects.first().pk]),  # type: ignore[union-attr]
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
    page = staff.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert order.number in page
    assert "ups" in page
    assert staff.get(reverse("admin:orders_order_add")).status_code == 403


def test_a_note_is_added_from_the_order_page(staff: Client, channel: Channel) -> None:
    order = make_order(channel=channel)
    url = reverse("admin:orders_order_change", args=[order.pk])
    data = hidden_inputs(staff.get(url).content.decode())

    response = staff.post(url, {**data, "note": "Livrer au gardien"})

    assert response.status_code == 302, response.content.decode()[:2000]
    event = OrderEvent.objects.get(order=order, kind="note")
    assert event.data == {"text": "Livrer au gardien"}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_cancel_action(staff: Client, channel: Channel) -> None:
    placed = make_order(channel=channel)
    shipped = make_order(channel=channel)
    services.fulfilment_create(order=shipped, lines=[(shipped.lines.get().pk, 1)])

    response = staff.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_orders", "_selected_action": [placed.pk, shipped.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert Order.objects.get(pk=placed.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.PARTIALLY_FULFILLED
    text = response.content.decode()
    assert "1 order cancelled." in text
    assert f"{shipped.number}:" in text  # the refusal is shown
    assert Stock.objects.filter(variant=placed.lines.get().variant).get().quantity_allocated == 0


def test_mark_delivered_action(staff: Client, channel: Channel) -> None:
    order = make_order(channel=channel, paid=True)
    parcel = services.fulfilment_create(order=order, lines=[(order.lines.get().pk, 2)])

    response = staff.post(
        reverse("admin:orders_order_changelist"),
        {"action": "mark_delivered", "_selected_action": [order.pk]},
        follow=True,
    )

    assert response.status_code == 200
    parcel.refresh_from_db()
    assert parcel.status == FulfilmentStatus.DELIVERED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    assert "1 parcel marked delivered." in response.content.decode()


def test_sequence_prefix(staff: Client, channel: Channel) -> None:
    response = staff.post(
        reverse("admin:orders_ordersequence_add"), {"channel": channel.pk, "prefix": "WEB-"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sequence = OrderSequence.objects.get(channel=channel)
    assert sequence.prefix == "WEB-"
    assert make_order(channel=channel, stock=False).number == "WEB-000001"

    url = reverse("admin:orders_ordersequence_change", args=[sequence.pk])
    response = staff.post(url, {"prefix": "web"})
    assert response.status_code == 200
    assert "Use up to 20 upper-case letters" in response.content.decode()
    assert OrderSequence.objects.get(pk=sequence.pk).prefix == "WEB-"


def test_a_clerk_without_change_permission_sees_no_actions(client: Client, channel: Any) -> None:
    clerk = StaffFactory.create(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(clerk)
    order = make_order(channel=channel)

    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_orders", "_selected_action": [order.pk]},
    )

    assert response.status_code in {200, 302}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
