"""Staff reads of carts (the back-office and `/api/v1/admin/carts`)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from comptoir.cart.models import Cart, CartStatus
from comptoir.cart.selectors.access import cart_not_found
from comptoir.core.errors import InvalidInput
from comptoir.core.pagination import PageRequest
from comptoir.core.validation import text_check


def _carts() -> QuerySet[Cart]:
    return Cart.objects.select_related("channel", "user").annotate(line_count=Count("lines"))


def carts_admin_page(
    *,
    page: PageRequest,
    status: str | None = None,
    channel_code: str | None = None,
    user_id: int | None = None,
) -> tuple[list[Cart], int]:
    """Carts, most recently changed first, with their number of lines (`line_count`)."""
    carts = Cart.objects.all()
    if status is not None:
        if status not in CartStatus.values:
            message = _("Unknown cart status.")
            raise InvalidInput(message, code="INVALID_INPUT", errors={"status": [message]})
        carts = carts.filter(status=status)
    if channel_code is not None:
        text_check(channel=channel_code)  # PostgreSQL refuses NUL in a query
        carts = carts.filter(channel__code=channel_code[:50])
    if user_id is not None:
        carts = carts.filter(user_id=user_id if 0 < user_id < 2**63 else 0)
    count = carts.count()
    if page.offset >= count:  # past the end; also keeps an offset over 2**63 out of SQL
        return [], count
    rows = list(
        _carts()
        .filter(pk__in=carts.values("pk"))
        .order_by("-updated_at", "-id")[page.offset : page.offset + page.page_size]
    )
    return rows, count


def cart_admin_get(*, cart_id: int) -> Cart:
    """One cart with its number of lines; 404 CART_NOT_FOUND."""
    cart = _carts().filter(pk=cart_id).first() if 0 < cart_id < 2**63 else None
    if cart is None:
        raise cart_not_found()
    return cart
