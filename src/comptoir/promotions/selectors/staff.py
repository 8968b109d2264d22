"""Staff reads of promotions and coupons (the admin API): fetched by id or code with what
their representation needs prefetched, in a constant number of queries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable
from comptoir.promotions.models import Coupon, Promotion

MAX_ID = 2**63 - 1


def _page[M: Model](queryset: QuerySet[M], page: PageRequest) -> tuple[list[M], int]:
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


def _promotions() -> QuerySet[Promotion]:
    return Promotion.objects.prefetch_related(
        "channels", "customer_groups", "products", "categories", "collections"
    )


def live_condition(now: datetime) -> Q:
    """Promotions that are active and within their dates at `now`."""
    return (
        Q(is_active=True)
        & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def promotion_admin_list(
    *, page: PageRequest, kind: str | None = None, active: bool | None = None
) -> tuple[list[Promotion], int]:
    """Promotions, highest priority first; `active`: running now (True) or not (False)."""
    rows = _promotions().order_by("-priority", "id")
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        condition = live_condition(timezone.now())
        rows = rows.filter(condition) if active else rows.exclude(condition)
    return _page(rows, page)


def promotion_admin_get(*, promotion_id: int) -> Promotion:
    promotion = (
        _promotions().filter(pk=promotion_id).first() if 0 < promotion_id <= MAX_ID else None
    )
    if promotion is None:
        raise NotFound(
            _("Unknown promotion: %(key)s") % {"key": promotion_id}, code="PROMOTION_NOT_FOUND"
        )
    return promotion


def coupon_admin_list(*, promotion: Promotion, page: PageRequest) -> tuple[list[Coupon], int]:
    return _page(
        Coupon.objects.filter(promotion=promotion).select_related("promotion").order_by("id"),
        page,
    )


def coupon_admin_get(*, code: str) -> Coupon:
    normalized = code.strip().upper()
    coupon = (
        Coupon.objects.select_related("promotion").filter(code=normalized).first()
        if 0 < len(normalized) <= 40 and text_storable(normalized)
        else None
    )
    if coupon is None:
        raise NotFound(_("Unknown coupon: %(key)s") % {"key": code[:40]}, code="COUPON_NOT_FOUND")
    return coupon
