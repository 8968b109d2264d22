"""Shipping an order, in one or several parcels (fulfilments), and their delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.validation import text_check
from comptoir.inventory import services as inventory
from comptoir.inventory.models import Stock, Warehouse
from comptoir.inventory.selectors import Allocation, warehouses_serving
from comptoir.orders.models import (
    Fulfilment,
    FulfilmentLine,
    FulfilmentStatus,
    Order,
    OrderAllocation,
    OrderLine,
    OrderStatus,
)
from comptoir.orders.services._common import (
    actor_or_none,
    emit,
    event_add,
    line_quantities,
    order_lock,
)
from comptoir.orders.services._stock import stock_prelock
from comptoir.orders.transitions import transition_check

# Tracking pages of the usual French carriers; `{number}` is the tracking number (URL
# quoted). settings.COMPTOIR_TRACKING_URLS adds or replaces entries (keys in lower case).
TRACKING_URLS: Final[dict[str, str]] = {
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "dhl": "https://www.dhl.com/fr-fr/home/tracking/tracking-parcel.html?tracking-id={number}",
    "dpd": "https://trace.dpd.fr/fr/trace/{number}",
}
CARRIER_MAX: Final = Fulfilment._meta.get_field("carrier").max_length or 100
TRACKING_NUMBER_MAX: Final = Fulfilment._meta.get_field("tracking_number").max_length or 100
TRACKING_URL_MAX: Final = Fulfilment._meta.get_field("tracking_url").max_length or 500
_url_validator = URLValidator(schemes=["http", "https"])


def tracking_templates() -> dict[str, str]:
    extra = getattr(settings, "COMPTOIR_TRACKING_URLS", None) or {}
    return {**TRACKING_URLS, **{str(k).lower(): str(v) for k, v in dict(extra).items()}}


def tracking_url_for(carrier: str, tracking_number: str) -> str:
    """The carrier's tracking page for `tracking_number`, or "" for an unknown carrier."""
    template = tracking_templates().get(carrier.strip().lower())
    if not template or not tracking_number:
        return ""
    return template.replace("{number}", quote(tracking_number, safe=""))


def _bad(field: str, detail: str, code: str = "INVALID_INPUT") -> InvalidInput:
    return InvalidInput(detail, code=code, errors={field: [detail]})


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(field, _("At most %(n)d characters.") % {"n": limit})
    return value


def _tracking(carrier: object, number: object, url: object) -> tuple[str, str, str]:
    """(carrier, tracking number, tracking URL) checked; the URL is built from the
    carrier's template when none is given."""
    name = _text(carrier, "carrier", CARRIER_MAX)
    code = _text(number, "tracking_number", TRACKING_NUMBER_MAX)
    link = _text(url, "tracking_url", TRACKING_URL_MAX)
    text_check(carrier=name, tracking_number=code, tracking_url=link)
    name, code, link = name.strip(), code.strip(), link.strip()
    if link:
        try:
            _url_validator(link)
        except DjangoValidationError:
            raise _bad(
                "tracking_url", _("Enter an http or https URL."), code="INVALID_TRACKING_URL"
            ) from None
    else:
        link = tracking_url_for(name, code)
        if len(link) > TRACKING_URL_MAX:
            link = ""
    return name, code, link


@dataclass
class _Plan:
    """What one fulfilment takes: from each allocation row, and what is allocated now
    for backordered units (variant id -> quantity)."""

    from_rows: list[tuple[OrderAllocation, int]]
    backordered: dict[int, int]


def _plan(order: Order, wanted: dict[int, int]) -> tuple[dict[int, OrderLine], _Plan]:
    """With the order locked: check each line can ship the quantity, and take it from the
    line's allocations first (oldest first), then from backordered units."""
    lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=order, pk__in=list(wanted)).prefetch_related(
            "allocations"
        )
    }
    if missing := set(wanted) - set(lines):
        raise InvalidInput(
            _("Unknown order line."),
            code="LINE_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    plan = _Plan(from_rows=[], backordered={})
    for line_id, quantity in sorted(wanted.items()):
        line = lines[line_id]
        left = line.quantity - line.quantity_fulfilled
        if quantity > left:
            raise InvalidInput(
                _("Only %(n)d units of %(sku)s are left to ship.") % {"n": left, "sku": line.sku},
                code="INVALID_QUANTITY",
                errors={"lines": [str(line_id)]},
            )
        need = quantity
        for row in sorted(line.allocations.all(), key=lambda r: r.pk):
            take = min(need, row.quantity)
            if take:
                plan.from_rows.append((row, take))
                need -= take
        if need:
            if line.variant_id is None:
                raise Conflict(
                    _("%(sku)s no longer exists; it cannot be allocated.") % {"sku": line.sku},
                    code="INSUFFICIENT_STOCK",
                    errors={line.sku: [_("Not in the catalog any more.")]},
                )
            plan.backordered[line.variant_id] = plan.backordered.get(line.variant_id, 0) + need
    return lines, plan


def _backorder_stock_ids(order: Order, wanted: dict[int, int]) -> set[int]:
    """The stock rows a shipment of backordered units may allocate from (to lock them
    ahead of the order row)."""
    variant_ids = [
        v
        for v in OrderLine.objects.filter(
            order_id=order.pk, pk__in=list(wanted), quantity_backordered__gt=0
        ).values_list("variant_id", flat=True)
        if v is not None
    ]
    if not variant_ids:
        return set()
    return set(
        Stock.objects.filter(
            variant_id__in=variant_ids,
            warehouse__in=Warehouse.objects.filter(warehouses_serving(order.channel)),
        ).values_list("pk", flat=True)
    )


def _ship(order: Order, plan: _Plan, actor: Any) -> set[int]:
    """Ship the planned units (one `sale` movement per stock row): allocate the
    backordered ones now (409 INSUFFICIENT_STOCK when there is not enough), take the rest
    off the order's allocations. Returns the warehouses shipped from."""
    allocations: list[Allocation] = []
    stocks = {
        s.pk: s for s in Stock.objects.filter(pk__in=[row.stock_id for row, _q in plan.from_rows])
    }
    for row, take in plan.from_rows:
        stock = stocks[row.stock_id]
        allocations.append(
            Allocation(
                stock_id=row.stock_id,
                warehouse_id=stock.warehouse_id,
                variant_id=stock.variant_id,
                quantity=take,
            )
        )
    if plan.backordered:
        allocations += inventory.stock_allocate(
            lines=sorted(plan.backordered.items()), channel=order.channel
        )
    inventory.stock_ship(
        allocations=allocations, reference=order.number, actor=actor_or_none(actor)
    )
    for row, take in plan.from_rows:
        if take == row.quantity:
            row.delete()
        else:
            OrderAllocation.objects.filter(pk=row.pk).update(quantity=row.quantity - take)
    return {a.warehouse_id for a in allocations}


@transaction.atomic
def fulfilment_create(
    *,
    order: Order,
    lines: Sequence[tuple[int, int]],
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
    actor: Any = None,
) -> Fulfilment:
    """Ship `lines` ((order line id, quantity) pairs) of `order` in one parcel.

    Units come off the line's stock allocations (inventory.stock_ship, a `sale` movement
    referenced with the order number); backordered units are allocated at this moment
    (inventory.stock_allocate), or the whole shipment is refused with 409
    INSUFFICIENT_STOCK. `quantity_fulfilled` goes up; the order becomes `fulfilled` when
    every unit has shipped, `partially_fulfilled` otherwise. Without a `tracking_url`, the
    carrier's template builds one (docs/orders.md). Timeline `shipped`, outbox
    `order.shipped` with the fulfilment id.

    400 INVALID_INPUT / LINE_NOT_FOUND / INVALID_QUANTITY / INVALID_TRACKING_URL,
    409 INVALID_TRANSITION (cancelled, refunded, already fulfilled or delivered order),
    409 INSUFFICIENT_STOCK."""
    wanted = line_quantities(lines, required=True)
    carrier, tracking_number, tracking_url = _tracking(carrier, tracking_number, tracking_url)
    if order.pk:
        current = Order.objects.select_related("channel").filter(pk=order.pk).first()
        if current is not None:
            stock_prelock(order.pk, _backorder_stock_ids(current, wanted))
    locked = order_lock(order)
    if locked.status not in (OrderStatus.PLACED, OrderStatus.PAID, OrderStatus.PARTIALLY_FULFILLED):
        transition_check(locked.status, OrderStatus.PARTIALLY_FULFILLED)
    rows, plan = _plan(locked, wanted)
    warehouses = _ship(locked, plan, actor)
    sequence = (locked.fulfilments.aggregate(top=Max("sequence"))["top"] or 0) + 1
    fulfilment = Fulfilment.objects.create(
        order=locked,
        sequence=sequence,
        warehouse_id=next(iter(warehouses)) if len(warehouses) == 1 else None,
        carrier=carrier,
        tracking_number=tracking_number,
        tracking_url=tracking_url,
        shipped_at=timezone.now(),
    )
    FulfilmentLine.objects.bulk_create(
        [
            FulfilmentLine(fulfilment=fulfilment, line_id=pk, quantity=q)
            for pk, q in sorted(wanted.items())
        ]
    )
    for pk, quantity in wanted.items():
        rows[pk].quantity_fulfilled += quantity
    OrderLine.objects.bulk_update([rows[pk] for pk in sorted(wanted)], ["quantity_fulfilled"])
    done = not OrderLine.objects.filter(order=locked, quantity_fulfilled__lt=F("quantity")).exists()
    target = OrderStatus.FULFILLED if done else OrderStatus.PARTIALLY_FULFILLED
    transition_check(locked.status, target)
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    event_add(
        locked,
        "shipped",
        actor=actor,
        data={
            "fulfilment_id": fulfilment.pk,
            "sequence": sequence,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "lines": [
                {"line_id": pk, "sku": rows[pk].sku, "quantity": q}
                for pk, q in sorted(wanted.items())
            ],
        },
    )
    emit("order.shipped", locked, fulfilment_id=fulfilment.pk)
    return fulfilment


@transaction.atomic
def fulfilment_mark_delivered(*, fulfilment: Fulfilment, actor: Any = None) -> Fulfilment:
    """Record that the parcel `fulfilment` was delivered. The order becomes `delivered`
    once every unit has shipped and every parcel is delivered (outbox `order.delivered`).
    409 INVALID_TRANSITION when the parcel is not in transit."""
    locked = order_lock(fulfilment.order_id)
    current = Fulfilment.objects.filter(pk=fulfilment.pk, order=locked).first()
    if current is None:
        raise NotFound(_("Unknown fulfilment."), code="FULFILMENT_NOT_FOUND")
    if current.status != FulfilmentStatus.SHIPPED:
        raise Conflict(
            _("This parcel is %(status)s.") % {"status": current.get_status_display()},
            code="INVALID_TRANSITION",
            errors={"status": [current.status]},
        )
    current.status = FulfilmentStatus.DELIVERED
    current.delivered_at = timezone.now()
    current.save(update_fields=["status", "delivered_at"])
    event_add(
        locked,
        "delivered",
        actor=actor,
        data={"fulfilment_id": current.pk, "sequence": current.sequence},
    )
    in_transit = locked.fulfilments.filter(status=FulfilmentStatus.SHIPPED).exists()
    if locked.status == OrderStatus.FULFILLED and not in_transit:
        transition_check(locked.status, OrderStatus.DELIVERED)
        locked.status = OrderStatus.DELIVERED
        locked.save(update_fields=["status", "updated_at"])
        emit("order.delivered", locked)
    return current
