"""Order writes (docs/orders.md, contract in docs/checkout.md). Every function is
keyword-only and atomic, locks the order row (after any stock or coupon row: the lock
order of docs/checkout.md), raises comptoir.core.errors with stable codes and changes
nothing when it raises. Import from here: `from comptoir.orders import services`."""

from comptoir.orders.services.cancel import order_cancel
from comptoir.orders.services.fulfilment import (
    TRACKING_URLS,
    fulfilment_create,
    fulfilment_mark_delivered,
    tracking_url_for,
)
from comptoir.orders.services.money import (
    order_mark_paid,
    order_record_refund,
    order_refund_check,
)
from comptoir.orders.services.notes import order_note_add
from comptoir.orders.services.placement import (
    default_prefix,
    next_number,
    order_create,
    order_sequence_set_prefix,
)

__all__ = [
    "TRACKING_URLS",
    "default_prefix",
    "fulfilment_create",
    "fulfilment_mark_delivered",
    "next_number",
    "order_cancel",
    "order_create",
    "order_mark_paid",
    "order_note_add",
    "order_record_refund",
    "order_refund_check",
    "order_sequence_set_prefix",
    "tracking_url_for",
]
