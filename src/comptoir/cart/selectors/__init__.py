"""Reads of carts: scoped fetches (`cart_for`), the priced view checkout snapshots
(`cart_view`), the shipping options of a cart, staff lists. See docs/cart.md."""

from comptoir.cart.selectors.access import CLOSED, cart_for, open_cart
from comptoir.cart.selectors.view import (
    buyer_of,
    cart_context,
    cart_goods,
    cart_shipping_options,
    cart_view,
    goods_reused,
)

__all__ = [
    "CLOSED",
    "buyer_of",
    "cart_context",
    "cart_for",
    "cart_goods",
    "cart_shipping_options",
    "cart_view",
    "goods_reused",
    "open_cart",
]
