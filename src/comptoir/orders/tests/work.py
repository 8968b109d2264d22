"""Work run in other processes by the PostgreSQL race tests (comptoir.core.processes):
module-level functions taking ids, returning "ok" or a number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.module_loading import import_string

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.orders import services
from comptoir.orders.models import Order
from comptoir.orders.tests.factories import draft_line, make_draft


def place(channel_id: int, variant_id: int) -> str:
    """Place an order of one backordered unit; its number."""
    channel = Channel.objects.get(pk=channel_id)
    variant = ProductVariant.objects.select_related("product").get(pk=variant_id)
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    return services.order_create(draft=draft).number


def ship(order_id: int, line_id: int, quantity: int) -> str:
    services.fulfilment_create(order=Order(pk=order_id), lines=[(line_id, quantity)])
    return "ok"


def cancel(order_id: int) -> str:
    services.order_cancel(order=Order(pk=order_id))
    return "ok"


def pay(order_id: int, amount: str) -> str:
    services.order_mark_paid(order=Order(pk=order_id), amount=Decimal(amount))
    return "ok"


def dispatch(target: str, args: tuple[Any, ...]) -> Any:
    """Run `target` (a dotted path, module:function) with `args`: one pool, several kinds
    of work."""
    return import_string(target.replace(":", "."))(*args)
