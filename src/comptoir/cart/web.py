"""The cart cookie of web callers (the API and the storefront's pages), and the merge of a
visitor's cart on sign-in (called by the accounts login view, and by the storefront for a
customer whose browser still names a visitor's cart). An interface module: it may touch
requests and responses."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest, HttpResponse

from comptoir.cart.services import cart_merge
from comptoir.core.errors import DomainError

CART_COOKIE = "comptoir_cart"
CART_COOKIE_MAX_AGE = 60 * 60 * 24 * 30  # seconds: 30 days


def cart_cookie_set(request: HttpRequest, response: HttpResponse, token: str) -> None:
    """Name the cart in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS)."""
    response.set_cookie(
        CART_COOKIE,
        token,
        max_age=CART_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def cart_cookie_delete(response: HttpResponse) -> None:
    response.delete_cookie(CART_COOKIE, samesite="Lax")


def cart_cookie_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(CART_COOKIE, "")
    return token if 0 < len(token) <= 64 else ""


def merge_visitor_cart(request: HttpRequest, user: Any) -> bool:
    """The visitor's cart named by the cookie joins the customer's cart (`cart_merge`,
    idempotent). A cart that cannot be merged (unknown, another customer's, being checked
    out) is left alone. Whether the request named a cart: its cookie is to be deleted (the
    customer's cart is found by its owner from now on)."""
    token = cart_cookie_token(request)
    if not token:
        return False
    with contextlib.suppress(DomainError):
        cart_merge(user=user, token=token)
    return True


def merge_on_login(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """After a successful sign-in: `merge_visitor_cart`, and the cookie goes. Signing in
    never fails because of a cart."""
    if merge_visitor_cart(request, user):
        cart_cookie_delete(response)
