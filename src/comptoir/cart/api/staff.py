"""Staff endpoints of carts under /api/v1/admin/ (`cart.view_cart`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from comptoir.accounts.auth import session_or_bearer
from comptoir.cart.models import Cart
from comptoir.cart.presenters import cart_out
from comptoir.cart.schemas import StaffCartDetailOut, StaffCartListOut, StaffCartQuery
from comptoir.cart.selectors import cart_view
from comptoir.cart.selectors.staff import cart_admin_get, carts_admin_page
from comptoir.core.staff_api import page_request, paginated, staff

admin_router = Router(tags=["admin: cart"], auth=session_or_bearer)

ACCESS = "401 `UNAUTHORIZED`; 403 `PERMISSION_DENIED` without `cart.view_cart`"


def _summary(cart: Cart) -> dict[str, Any]:
    return {
        "id": cart.pk,
        "status": cart.status,
        "channel": cart.channel.code,
        "user_id": cart.user_id,
        "user_email": cart.user.email if cart.user is not None else None,
        "email": cart.email,
        "line_count": getattr(cart, "line_count", 0),
        "created_at": cart.created_at,
        "updated_at": cart.updated_at,
    }


@admin_router.get(
    "carts",
    response=StaffCartListOut,
    summary="Carts",
    description=(
        "Most recently changed first. Filters: `status` (open, checking_out, completed, "
        "merged), `channel` (code), `user` (customer id). Errors: 400 `INVALID_PAGINATION`, "
        f"`INVALID_INPUT`, `INVALID_TEXT`; {ACCESS}; 422 `VALIDATION_ERROR`."
    ),
)
def admin_list_carts(request: HttpRequest, query: Query[StaffCartQuery]) -> dict[str, Any]:
    staff(request, "cart.view_cart")
    wanted = page_request(query.page, query.page_size)
    rows, count = carts_admin_page(
        page=wanted, status=query.status, channel_code=query.channel, user_id=query.user
    )
    return paginated(request, wanted, count, [_summary(cart) for cart in rows])


@admin_router.get(
    "carts/{cart_id}",
    response=StaffCartDetailOut,
    summary="One cart, priced for its customer now",
    description=f"Errors: 404 `CART_NOT_FOUND`; {ACCESS}.",
)
def admin_get_cart(request: HttpRequest, cart_id: int) -> dict[str, Any]:
    staff(request, "cart.view_cart")
    cart = cart_admin_get(cart_id=cart_id)
    language = str(getattr(request, "LANGUAGE_CODE", "fr"))
    return {**_summary(cart), "cart": cart_out(cart_view(cart=cart, language=language), cart)}
