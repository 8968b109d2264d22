"""Writes of carts. Every function is keyword-only and atomic, takes the cart's row lock
first (lock order: cart -> stock -> coupons, see docs/checkout.md) and raises
comptoir.core.errors with stable codes; nothing changes when one is raised. Prices are
never stored nor accepted: the view recomputes them. See docs/cart.md."""

from comptoir.cart.services._common import MAX_COUPONS, MAX_LINES, MAX_QUANTITY, quantity_check
from comptoir.cart.services.bulk import (
    MAX_BULK_LINES,
    BulkAdded,
    BulkLine,
    BulkRejected,
    BulkResult,
    lines_add_bulk,
)
from comptoir.cart.services.bulk_input import MAX_BYTES as MAX_IMPORT_BYTES
from comptoir.cart.services.bulk_input import lines_from_csv, lines_from_text
from comptoir.cart.services.carts import cart_create, cart_lock, cart_mark, cart_merge
from comptoir.cart.services.details import (
    addresses_set,
    coupon_apply,
    coupon_remove,
    shipping_method_set,
)
from comptoir.cart.services.lines import (
    line_add,
    line_delete,
    line_update,
    move_to_cart,
    save_for_later,
)

__all__ = [
    "MAX_BULK_LINES",
    "MAX_COUPONS",
    "MAX_IMPORT_BYTES",
    "MAX_LINES",
    "MAX_QUANTITY",
    "BulkAdded",
    "BulkLine",
    "BulkRejected",
    "BulkResult",
    "addresses_set",
    "cart_create",
    "cart_lock",
    "cart_mark",
    "cart_merge",
    "coupon_apply",
    "coupon_remove",
    "line_add",
    "line_delete",
    "line_update",
    "lines_add_bulk",
    "lines_from_csv",
    "lines_from_text",
    "move_to_cart",
    "quantity_check",
    "save_for_later",
    "shipping_method_set",
]
