"""The cart promotions a cart may get: the automatic ones, and those unlocked by the coupon
codes entered. Read per cart evaluation in a constant number of queries (no copy kept in
the process: coupons change with every order)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from comptoir.core.text import text_storable
from comptoir.promotions.cart import CartPromotion
from comptoir.promotions.models import Coupon, Promotion, PromotionKind, Stacking
from comptoir.promotions.selectors.targets import promotion_targets


def _normalize(codes: Iterable[str]) -> list[str]:
    # A code no column can hold (a NUL character...) is ignored, as an unknown code is.
    return sorted(
        {c.strip().upper() for c in codes if c and len(c.strip()) <= 40 and text_storable(c)}
    )


def cart_promotions(
    *,
    channel_id: int,
    customer_group_id: int | None,
    coupon_codes: Iterable[str] = (),
    now: datetime | None = None,
) -> list[CartPromotion]:
    """The cart promotions live at `now` in a channel for a customer group (None: a
    customer without a group), highest priority first: those that need no code, and those
    unlocked by one of `coupon_codes` whose coupon is active, within its dates and not used
    up. Per-customer limits and minimum amounts are checked by `coupon_check` when the code
    is entered and by `coupon_redeem` at order placement; an unknown code is ignored here."""
    moment = now or timezone.now()
    codes = _normalize(coupon_codes)
    unlocked: dict[int, str] = {}
    # A coupon's own minimum amount counts with its promotion's (the higher one applies).
    coupon_minimum: dict[int, Decimal | None] = {}
    if codes:
        for promotion_id, code, minimum in (
            Coupon.objects.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=moment),
                Q(valid_until__isnull=True) | Q(valid_until__gt=moment),
                Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")),
                code__in=codes,
                is_active=True,
            )
            .order_by("code")
            .values_list("promotion_id", "code", "min_subtotal")
        ):
            if promotion_id not in unlocked:
                unlocked[promotion_id] = code
                coupon_minimum[promotion_id] = minimum
    promotions = list(
        Promotion.objects.filter(
            Q(requires_coupon=False) | Q(pk__in=list(unlocked)),
            Q(starts_at__isnull=True) | Q(starts_at__lte=moment),
            Q(ends_at__isnull=True) | Q(ends_at__gt=moment),
            Q(channels__isnull=True) | Q(channels=channel_id),
            kind=PromotionKind.CART,
            is_active=True,
        )
        .distinct()
        .order_by("-priority", "id")
    )
    if not promotions:
        return []
    targets = promotion_targets(promotions)

    found: list[CartPromotion] = []
    for p in promotions:
        target = targets[p.pk]
        group_ids = target.group_ids
        if group_ids and (customer_group_id is None or customer_group_id not in group_ids):
            continue
        found.append(
            CartPromotion(
                id=p.pk,
                code=p.code,
                name=p.name,
                name_en=p.name_en,
                priority=p.priority,
                exclusive=p.stacking == Stacking.EXCLUSIVE,
                reward_type=p.reward_type,
                value=p.reward_value or Decimal(0),
                currency=p.currency,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                channel_ids=target.channel_ids,
                group_ids=group_ids,
                product_ids=target.product_ids,
                category_ids=target.category_ids,
                min_subtotal=_higher(
                    p.min_subtotal, coupon_minimum.get(p.pk) if p.requires_coupon else None
                ),
                min_quantity=p.min_quantity,
                buy_quantity=p.buy_quantity,
                get_quantity=p.get_quantity,
                coupon_code=unlocked.get(p.pk, "") if p.requires_coupon else "",
            )
        )
    return found


def _higher(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else max(a, b)
