"""Orders as the API shows them (plain dicts matching orders.schemas), built from rows the
selectors loaded with their lines, parcels and timeline prefetched (no further query)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from comptoir.orders.models import (
    LINE_MONEY,
    ORDER_TOTALS,
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
)

EVENT_LABELS: Final = {
    "placed": _("Order placed"),
    "paid": _("Payment received"),
    "payment_received": _("Part payment received"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "cancelled": _("Cancelled"),
    "refunded": _("Refunded"),
    "note": _("Note"),
}
TOTALS: Final = (*ORDER_TOTALS, "amount_paid", "amount_refunded")


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def line_out(line: OrderLine, *, staff: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": line.pk,
        "sku": line.sku,
        "product_name": line.product_name,
        "variant_name": line.variant_name,
        "quantity": line.quantity,
        "quantity_fulfilled": line.quantity_fulfilled,
        "quantity_backordered": line.quantity_backordered,
        "quantity_refunded": line.quantity_refunded,
        "tax_rate": f"{line.tax_rate:.3f}",
        **{name: money(getattr(line, name)) for name in LINE_MONEY},
    }
    if staff:
        body["quantity_allocated"] = sum(a.quantity for a in line.allocations.all())
        body["rule"] = line.rule
    return body


def fulfilment_out(fulfilment: Fulfilment) -> dict[str, Any]:
    return {
        "id": fulfilment.pk,
        "sequence": fulfilment.sequence,
        "status": fulfilment.status,
        "carrier": fulfilment.carrier,
        "tracking_number": fulfilment.tracking_number,
        "tracking_url": fulfilment.tracking_url,
        "shipped_at": fulfilment.shipped_at,
        "delivered_at": fulfilment.delivered_at,
        "lines": [
            {"line_id": row.line_id, "sku": row.line.sku, "quantity": row.quantity}
            for row in fulfilment.lines.all()
        ],
    }


def event_out(event: OrderEvent, *, staff: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": event.kind,
        "label": event_label(event.kind),
        "created_at": event.created_at,
    }
    if staff:
        body["id"] = event.pk
        body["actor"] = event.actor.email if event.actor is not None else None
        body["data"] = event.data
    return body


def _tax_rate(row: Any) -> dict[str, str]:
    row = row if isinstance(row, dict) else {}
    return {key: str(row.get(key, "")) for key in ("rate", "net", "tax")}


def summary_out(order: Order, *, staff: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": order.number,
        "channel": order.channel.code,
        "status": order.status,
        "payment_status": order.payment_status,
        "placed_at": order.placed_at,
        "currency": order.currency,
        "total_gross": money(order.total_gross),
        "item_count": int(getattr(order, "item_count", 0) or 0),
    }
    if staff:
        body |= {"email": order.email, "user_id": order.user_id, "company_id": order.company_id}
    return body


def order_out(order: Order, *, staff: bool = False) -> dict[str, Any]:
    """The order with its lines, totals, parcels and timeline (public events only unless
    `staff`)."""
    warehouse = order.pickup_warehouse
    body: dict[str, Any] = {
        "number": order.number,
        "channel": order.channel.code,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "payment_status": order.payment_status,
        "payment_status_label": str(order.get_payment_status_display()),
        "payment_method": order.payment_method,
        "placed_at": order.placed_at,
        "email": order.email,
        "language": order.language,
        "prices_include_tax": order.prices_include_tax,
        "totals": {"currency": order.currency}
        | {name: money(getattr(order, name)) for name in TOTALS},
        "tax_breakdown": [_tax_rate(row) for row in order.tax_breakdown or []],
        "tax_treatment": order.tax_treatment,
        "legal_mention": order.legal_mention,
        "discounts": list(order.discounts or []),
        "coupon_codes": [str(code) for code in order.coupon_codes or []],
        "shipping_method": (
            {"code": order.shipping_method_code, "name": order.shipping_method_name}
            if order.shipping_method_code
            else None
        ),
        "pickup_warehouse": (
            {
                "code": warehouse.code,
                "name": warehouse.name,
                "street_address": warehouse.street_address,
                "postal_code": warehouse.postal_code,
                "city": warehouse.city,
                "country": str(warehouse.country),
            }
            if warehouse is not None
            else None
        ),
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "customer_note": order.customer_note,
        "po_number": order.po_number,
        "cost_centre": order.cost_centre,
        "placed_with_help_of": (
            order.placed_by_staff.get_full_name() if order.placed_by_staff is not None else None
        ),
        "lines": [line_out(line, staff=staff) for line in order.lines.all()],
        "fulfilments": [fulfilment_out(f) for f in order.fulfilments.all()],
        "timeline": [event_out(e, staff=staff) for e in order.events.all()],
    }
    if staff:
        body |= {
            "id": order.pk,
            "user_id": order.user_id,
            "company_id": order.company_id,
            "placed_by_staff_id": order.placed_by_staff_id,
            "checkout_ref": order.checkout_ref,
            "external_ref": order.external_ref,
            "metadata": order.metadata,
        }
    return body
