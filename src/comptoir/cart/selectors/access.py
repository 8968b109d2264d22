"""Scoped fetches of carts.

An anonymous cart is reached by its token only (256 random bits): whoever holds the token
may read and change it. A customer's cart is reached by its owner only: the same token in
anyone else's hands (a visitor, another customer) is a 404 `CART_NOT_FOUND`, exactly as a
token that does not exist, so that a guess learns nothing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from comptoir.cart.models import Cart, CartStatus
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_by_id
from comptoir.core.errors import NotFound

# Tokens are `secrets.token_urlsafe(32)`; anything else cannot be one (no query is made).
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Carts that are no longer baskets: read-only (GET shows them), every write is a 404.
CLOSED = frozenset({CartStatus.COMPLETED, CartStatus.MERGED})


def cart_not_found() -> NotFound:
    return NotFound(_("Cart not found."), code="CART_NOT_FOUND")


def _user_id(user: object) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


def cart_for(*, token: str, user: object) -> Cart:
    """The cart of `token` for `user` (None or an anonymous user: a visitor), with its
    channel and customer loaded, whatever its status (services refuse writes to carts
    that are checking out, completed or merged).

    NotFound CART_NOT_FOUND when no cart has this token, and when the cart belongs to a
    customer other than `user`."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise cart_not_found()
    found = list(Cart.objects.filter(token=token)[:1])  # unique: no ORDER BY
    if not found:
        raise cart_not_found()
    cart = found[0]
    if cart.user_id is not None and cart.user_id != _user_id(user):
        raise cart_not_found()
    return with_relations(cart, user=user)


def with_relations(cart: Cart, *, user: object = None, like: Cart | None = None) -> Cart:
    """`cart` with its channel (from the process's copy of the channels: no query) and its
    customer: `user` when it is the cart's, else the one `like` (the same cart, read
    earlier) has loaded, else loaded when first read. Returns `cart`."""
    cart.channel = channel_by_id(channel_id=cart.channel_id)
    if cart.user_id is not None:
        if _user_id(user) == cart.user_id:
            cart.user = user  # type: ignore[assignment]
        elif like is not None and like.user_id == cart.user_id and Cart.user.is_cached(like):
            cart.user = like.user
    return cart


def open_cart(*, user: object, channel: Channel) -> Cart | None:
    """The customer's current cart in `channel`: the open one, else one a checkout is
    running on (it becomes open again if the payment fails). None for a visitor."""
    user_id = _user_id(user)
    if user_id is None:
        return None
    return (
        Cart.objects.select_related("channel", "user")
        .filter(
            user_id=user_id,
            channel_id=channel.pk,
            status__in=[CartStatus.OPEN, CartStatus.CHECKING_OUT],
        )
        # The open one first (there is at most one of them).
        .order_by("-status", "-id")
        .first()
    )
