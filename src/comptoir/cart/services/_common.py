"""Limits and checks shared by the cart services."""

from __future__ import annotations

from functools import cache
from typing import Final

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.cart.models import Cart, CartStatus
from comptoir.cart.selectors.access import CLOSED, cart_not_found, with_relations
from comptoir.core.errors import Conflict, InvalidInput

MAX_QUANTITY: Final = 9999  # units of one line
MAX_LINES: Final = 100  # lines of a cart (saved-for-later ones included)
MAX_COUPONS: Final = 5  # codes entered on a cart


def quantity_check(value: object, *, field: str = "quantity") -> int:
    """A whole number of units from 1 to MAX_QUANTITY; booleans, floats (even 2.0),
    strings and anything else are INVALID_QUANTITY (400)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        message = _("A quantity is a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY}
        raise InvalidInput(message, code="INVALID_QUANTITY", errors={field: [message]})
    return value


def cart_lock_row(cart_id: int, *, like: Cart | None = None) -> Cart:
    """The cart row, locked until the transaction ends (call inside `transaction.atomic`),
    with its channel and customer (`with_relations`: the customer `like`, the same cart
    read before, has loaded)."""
    # A unique key: no ORDER BY (`.first()` would sort).
    found = list(Cart.objects.select_for_update().filter(pk=cart_id)[:1])
    if not found:
        raise cart_not_found()
    return with_relations(found[0], like=like)


@cache
def _touch_statement() -> str:
    """UPDATE ... RETURNING every column: the row lock of a write and `updated_at` in one
    round trip. Only table and column names from the model's metadata are interpolated."""
    quote = connection.ops.quote_name
    meta = Cart._meta
    columns = ", ".join(quote(str(f.column)) for f in meta.concrete_fields)
    updated = quote(str(meta.get_field("updated_at").column))
    return (
        f"UPDATE {quote(meta.db_table)} SET {updated} = %s "  # noqa: S608
        f"WHERE {quote(str(meta.pk.column))} = %s RETURNING {columns}"
    )


def writable(cart: Cart) -> Cart:
    """Lock `cart` and check that it may change: a cart a checkout is running on is 409
    CART_LOCKED; a completed or merged cart is no longer a basket (404 CART_NOT_FOUND).
    The lock is taken by setting the cart's `updated_at` (carts left alone are purged by
    it), so a service that writes lines need not touch the cart again; a refusal rolls it
    back with the caller's transaction. Returns the locked row, as stored."""
    found = list(Cart.objects.raw(_touch_statement(), [timezone.now(), cart.pk]))
    if not found:
        raise cart_not_found()
    locked = with_relations(found[0], like=cart)
    if locked.status == CartStatus.CHECKING_OUT:
        raise Conflict(
            _("A checkout is in progress on this cart: it cannot change until it ends."),
            code="CART_LOCKED",
        )
    if locked.status in CLOSED:
        raise cart_not_found()
    return locked


def synced(cart: Cart, locked: Cart) -> Cart:
    """The caller's `cart` made the row as just written (the locked copy), so that it sees
    the change; returns it."""
    if cart is not locked:
        cart.__dict__.update(locked.__dict__)
    return cart


def touch(cart: Cart, *fields: str) -> None:
    """Save `fields` of the cart and its `updated_at` (carts left alone are purged by it)."""
    cart.save(update_fields=[*fields, "updated_at"])
