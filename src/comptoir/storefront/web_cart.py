"""The web cart: which cart a browser is using, and its cookie (`cart.web`'s, the API's).

A visitor's cart is found by the `comptoir_cart` cookie (the cart's token; HttpOnly,
SameSite=Lax). A signed-in customer's cart is their open cart in the current channel; a
visitor's cart still named by the cookie when they sign in joins it (`cart_merge`, which
is idempotent), and the cookie is dropped. Views that may change the cookie are wrapped in
`with_cart_cookie`, which writes what the request decided onto the response.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from comptoir.cart import selectors as cart_selectors
from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart
from comptoir.cart.web import (
    cart_cookie_delete,
    cart_cookie_set,
    cart_cookie_token,
    merge_visitor_cart,
)
from comptoir.core.errors import DomainError
from comptoir.storefront.shop import current_channel, current_language

_UNSET = object()
_SET, _DELETE = "set", "delete"


def signed_in(request: HttpRequest) -> Any:
    """The signed-in user, or None for a visitor."""
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _decide_cookie(request: HttpRequest, action: str, token: str = "") -> None:
    request._storefront_cart_cookie = (action, token)  # type: ignore[attr-defined]


def _visitor_cart(request: HttpRequest, token: str) -> Cart | None:
    try:
        cart = cart_selectors.cart_for(token=token, user=None)
    except DomainError:
        _decide_cookie(request, _DELETE)
        return None
    if cart.status in cart_selectors.CLOSED:
        _decide_cookie(request, _DELETE)
        return None
    return cart


def _customer_cart(request: HttpRequest, user: Any, channel: Any) -> Cart | None:
    """The customer's cart; a visitor's cart left in the cookie (signed in by another way
    than the login page, which merges at once) joins it first."""
    if merge_visitor_cart(request, user):
        _decide_cookie(request, _DELETE)
    return cart_selectors.open_cart(user=user, channel=channel)


def web_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """The browser's cart in the current channel (open, or being checked out), created when
    `create` and none exists; None otherwise. Resolved once per request."""
    cached = getattr(request, "_storefront_cart", _UNSET)
    if cached is not _UNSET and (cached is not None or not create):
        return cached  # type: ignore[return-value]
    channel = current_channel(request)
    if channel is None:
        return None
    user = signed_in(request)
    cart: Cart | None
    if user is not None:
        cart = _customer_cart(request, user, channel)
    else:
        token = cart_cookie_token(request)
        cart = _visitor_cart(request, token) if token else None
        if cart is not None and cart.channel_id != channel.pk:
            cart = None  # a cart of another channel: this one starts its own
    if cart is None and create:
        cart = cart_services.cart_create(channel=channel, user=user, language=current_language())
        if user is None:
            _decide_cookie(request, _SET, cart.token)
    request._storefront_cart = cart  # type: ignore[attr-defined]
    return cart


def forget_cart(request: HttpRequest) -> None:
    """The cart was checked out: the next page starts a new one."""
    request._storefront_cart = None  # type: ignore[attr-defined]
    if cart_cookie_token(request):
        _decide_cookie(request, _DELETE)


def cart_cookie_apply(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    decided = getattr(request, "_storefront_cart_cookie", None)
    if decided is None:
        return response
    action, token = decided
    if action == _SET:
        cart_cookie_set(request, response, token)
    else:
        cart_cookie_delete(response)
    return response


def with_cart_cookie(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Write the cart cookie the view decided (set for a new visitor's cart, deleted for a
    merged or checked-out one) onto its response."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return cart_cookie_apply(request, view(request, *args, **kwargs))

    return wrapped
