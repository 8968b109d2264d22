"""The cart promotions a cart may get: the automatic ones, and those unlocked by the coupon
codes entered.

The automatic ones (no coupon needed) are kept in each process like the catalog
promotions (`VersionedMemo` under the same versions, see `selectors.active`): a cart read
without a code costs no query for them. With codes, the promotions are read per cart
evaluation in a constant number of queries (no copy: coupons change with every order)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from comptoir.core.memo import VersionedMemo
from comptoir.core.text import text_storable
from comptoir.promotions.cart import CartPromotion
from comptoir.promotions.models import Coupon, Promotion, PromotionKind
from comptoir.promotions.selectors.active import (
    promotion_fields,
    promotions_version,
    reset_with_promotions,
)
from comptoir.promotions.selectors.targets import Targets, promotion_targets


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
    if not codes:
        return _automatic_live(
            channel_id=channel_id, customer_group_id=customer_group_id, now=moment
        )
    unlocked: dict[int, str] = {}
    # A coupon's own minimum amount counts with its promotion's (the higher one applies).
    coupon_minimum: dict[int, Decimal | None] = {}
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

    return [
        _cart_promotion(
            p,
            targets[p.pk],
            min_coupon=coupon_minimum.get(p.pk) if p.requires_coupon else None,
            coupon_code=unlocked.get(p.pk, "") if p.requires_coupon else "",
        )
        for p in promotions
        if _for_group(targets[p.pk].group_ids, customer_group_id)
    ]


def _for_group(group_ids: frozenset[int], customer_group_id: int | None) -> bool:
    return not group_ids or (customer_group_id is not None and customer_group_id in group_ids)


def _cart_promotion(
    p: Promotion, target: Targets, *, min_coupon: Decimal | None, coupon_code: str
) -> CartPromotion:
    return CartPromotion(
        **promotion_fields(p, target),
        reward_type=p.reward_type,
        min_subtotal=_higher(p.min_subtotal, min_coupon),
        min_quantity=p.min_quantity,
        buy_quantity=p.buy_quantity,
        get_quantity=p.get_quantity,
        coupon_code=coupon_code,
    )


def _load_automatic() -> tuple[CartPromotion, ...]:
    """Every active cart promotion that needs no coupon and has not ended (those that
    start later too: `cart_promotions` filters by time), highest priority first."""
    now = timezone.now()
    promotions = list(
        Promotion.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            kind=PromotionKind.CART,
            is_active=True,
            requires_coupon=False,
        ).order_by("-priority", "id")
    )
    if not promotions:
        return ()
    targets = promotion_targets(promotions)
    return tuple(
        _cart_promotion(p, targets[p.pk], min_coupon=None, coupon_code="") for p in promotions
    )


_automatic: VersionedMemo[tuple[CartPromotion, ...]] = VersionedMemo(
    version=promotions_version,
    load=_load_automatic,
    check_seconds=lambda: 1.0,
    # Reloaded at least once a minute: promotions that ended drop out of the copy.
    max_age_seconds=lambda: 60.0,
)
reset_with_promotions(_automatic)


def _automatic_live(
    *, channel_id: int, customer_group_id: int | None, now: datetime
) -> list[CartPromotion]:
    return [
        p
        for p in _automatic.get()
        if p.is_live(now)
        and (not p.channel_ids or channel_id in p.channel_ids)
        and _for_group(p.group_ids, customer_group_id)
    ]


def _higher(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else max(a, b)
