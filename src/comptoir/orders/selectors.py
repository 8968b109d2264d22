"""Reads of orders: a customer's own orders (scoped: another customer's order is a 404),
a guest's order by its unguessable token, the staff list with filters, and the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from django.core.cache import cache
from django.db.models import Model, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.companies.models import CompanyMember
from comptoir.companies.permissions import CompanyPermission
from comptoir.companies.selectors import membership_for_user
from comptoir.core.errors import NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable
from comptoir.orders.models import (
    Fulfilment,
    FulfilmentLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)

# Timeline events a customer sees (notes and part payments are staff-only).
PUBLIC_EVENTS: Final = frozenset(
    {"placed", "paid", "shipped", "delivered", "cancelled", "refunded"}
)
NUMBER_MAX: Final = Order._meta.get_field("number").max_length or 32
MAX_ID: Final = 2**63 - 1
TOKEN_MAX: Final = Order._meta.get_field("token").max_length or 64


def _not_found() -> NotFound:
    return NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")


def _detailed(queryset: QuerySet[Order], *, public: bool) -> QuerySet[Order]:
    """What an order's representation needs, in a constant number of queries."""
    events = OrderEvent.objects.order_by("pk")
    events = events.filter(kind__in=PUBLIC_EVENTS) if public else events.select_related("actor")
    lines = OrderLine.objects.order_by("pk")
    if not public:
        lines = lines.prefetch_related("allocations")
    return queryset.select_related(
        "channel", "pickup_warehouse", "placed_by_staff"
    ).prefetch_related(
        Prefetch("lines", queryset=lines),
        Prefetch(
            "fulfilments",
            queryset=Fulfilment.objects.order_by("sequence").prefetch_related(
                Prefetch("lines", queryset=FulfilmentLine.objects.select_related("line"))
            ),
        ),
        Prefetch("events", queryset=events),
    )


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


def orders_for_customer(*, user: Any) -> QuerySet[Order]:
    """The orders `user` may read, newest first (none for an anonymous caller): those they
    placed, and every order of their company when their role holds `orders.view_all`
    (approvers, finance, viewers, admins). One query to learn the membership."""
    user_id = _user_id(user)
    if user_id is None:
        return Order.objects.none()
    return _readable(user_id, membership_for_user(user))


def _readable(user_id: int, member: CompanyMember | None) -> QuerySet[Order]:
    if member is not None and CompanyPermission.ORDERS_VIEW_ALL in member.role.permissions:
        return Order.objects.filter(Q(user_id=user_id) | Q(company_id=member.company_id)).order_by(
            "-id"
        )
    return Order.objects.filter(user_id=user_id).order_by("-id")


# Orders of a company still on their way: placed, paid, or shipped in part or in full.
OPEN_STATUSES: Final = (
    OrderStatus.PLACED,
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_FULFILLED,
    OrderStatus.FULFILLED,
)


def open_orders_for_member(*, member: CompanyMember, limit: int = 5) -> tuple[list[Order], int]:
    """The company's orders not delivered, cancelled or refunded yet that the member may
    read (`orders_for_customer`'s rule: their own, or all of the company's with
    `orders.view_all`), newest first: the first `limit` and how many. Two queries."""
    queryset = _readable(member.user_id, member).filter(
        company_id=member.company_id, status__in=OPEN_STATUSES
    )
    count = queryset.count()
    return (list(queryset[:limit]) if count else []), count


def _page[M: Model](queryset: QuerySet[M], page: PageRequest) -> tuple[list[M], int]:
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


def _with_item_count(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("channel").annotate(item_count=Sum("lines__quantity"))


def customer_orders_page(*, user: Any, page: PageRequest) -> tuple[list[Order], int]:
    """A page of `user`'s orders, newest first, each with `item_count` (units ordered)."""
    return _page(_with_item_count(orders_for_customer(user=user)), page)


def _number_ok(number: object) -> bool:
    return isinstance(number, str) and 0 < len(number) <= NUMBER_MAX and text_storable(number)


def order_for_customer(*, user: Any, number: str, detailed: bool = True) -> Order:
    """The order `number` if `user` may read it (see `orders_for_customer`: their own, or
    any of their company's when their role holds `orders.view_all`), with its lines, and
    unless `detailed=False` its parcels and public timeline too; NotFound (ORDER_NOT_FOUND)
    otherwise, whether it exists or not."""
    if not _number_ok(number):
        raise _not_found()
    visible = orders_for_customer(user=user)
    visible = _detailed(visible, public=True) if detailed else visible.prefetch_related("lines")
    order = visible.filter(number=number).first()
    if order is None:
        raise _not_found()
    return order


def order_by_token(*, token: str) -> Order:
    """The order reached by its secret token (a guest's confirmation page or email link),
    with its public timeline; NotFound (ORDER_NOT_FOUND) for any other token."""
    if not isinstance(token, str) or not 20 <= len(token) <= TOKEN_MAX or not text_storable(token):
        raise _not_found()
    order = _detailed(Order.objects.all(), public=True).filter(token=token).first()
    if order is None:
        raise _not_found()
    return order


def orders_staff_list(
    *,
    page: PageRequest,
    status: str | None = None,
    channel: str | None = None,
    email: str | None = None,
    number: str | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> tuple[list[Order], int]:
    """Orders for the back-office, newest first: `status` and `channel` (code) exact,
    `email` case-insensitive, `number` exact or a prefix of it, placed within
    [`placed_from`, `placed_to`)."""
    rows = Order.objects.order_by("-id")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel__code=channel)
    if email:
        rows = rows.filter(email__iexact=email)
    if number:
        rows = rows.filter(number__startswith=number)
    if placed_from is not None:
        rows = rows.filter(placed_at__gte=placed_from)
    if placed_to is not None:
        rows = rows.filter(placed_at__lt=placed_to)
    return _page(_with_item_count(rows), page)


def _by_number(queryset: QuerySet[Order], number: str) -> Order:
    order = queryset.filter(number=number).first() if _number_ok(number) else None
    if order is None:
        raise _not_found()
    return order


def order_staff_get(*, number: str) -> Order:
    """Any order by number, with everything the staff view shows (the full timeline)."""
    return _by_number(_detailed(Order.objects.all(), public=False), number)


def order_staff_find(*, number: str) -> Order:
    """Any order by number, the row only (what a staff write hands to a service, which
    reads and locks what it needs); NotFound (ORDER_NOT_FOUND) otherwise."""
    return _by_number(Order.objects.all(), number)


def fulfilment_of(*, order: Order, fulfilment_id: int) -> Fulfilment:
    """The parcel `fulfilment_id` of `order`, its lines loaded; NotFound
    (FULFILMENT_NOT_FOUND) otherwise."""
    found = (
        Fulfilment.objects.filter(order=order, pk=fulfilment_id)
        .prefetch_related(Prefetch("lines", queryset=FulfilmentLine.objects.select_related("line")))
        .first()
        if 0 < fulfilment_id <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound(_("Unknown fulfilment."), code="FULFILMENT_NOT_FOUND")
    return found


def order_timeline(order: Order, *, public: bool = False) -> list[OrderEvent]:
    """The order's events, oldest first; `public`: only those the customer sees."""
    events = order.events.order_by("pk").select_related("actor")
    if public:
        events = events.filter(kind__in=PUBLIC_EVENTS)
    return list(events)


# --- best sellers ---------------------------------------------------------------------------

BEST_SELLERS_DAYS: Final = 30
BEST_SELLERS_CACHE_SECONDS: Final = 600


def best_selling_product_ids(*, channel_id: int, limit: int = 8) -> list[int]:
    """The products sold the most units in a channel over the last BEST_SELLERS_DAYS days
    (cancelled and refunded orders left out), best first; kept in the cache ten minutes per
    channel, so a home page reads it without a query most of the time."""
    key = f"orders:best-sellers:{channel_id}:{limit}"
    cached = cache.get(key)
    if isinstance(cached, list):
        return cached
    since = timezone.now() - timedelta(days=BEST_SELLERS_DAYS)
    ids = list(
        OrderLine.objects.filter(
            order__channel_id=channel_id,
            order__placed_at__gte=since,
            variant__isnull=False,
        )
        .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .values("variant__product_id")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "variant__product_id")
        .values_list("variant__product_id", flat=True)[:limit]
    )
    cache.set(key, ids, BEST_SELLERS_CACHE_SECONDS)
    return ids
