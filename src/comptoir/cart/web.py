"""The cart cookie of web callers, and the merge of a visitor's cart on sign-in (called by
the accounts login view). An interface module: it may touch requests and responses."""

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


def cart_cookie_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(CART_COOKIE, "")
    return token if 0 < len(token) <= 64 else ""


def merge_on_login(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """After a successful sign-in: the visitor's cart named by the cookie joins the
    customer's cart (`cart_merge`), and the cookie goes (the customer's cart is found by
    its owner from now on). A cart that cannot be merged (unknown, another customer's,
    being checked out) is left alone: signing in never fails because of a cart."""
    token = cart_cookie_token(request)
    if not token:
        return
    with contextlib.suppress(DomainError):
        cart_merge(user=user, token=token)
    response.delete_cookie(CART_COOKIE, samesite="Lax")
