"""The catalog promotions that can lower prices, kept in each process (VersionedMemo).

Every priced page needs them, and they change rarely: the promotion services bump
PROMOTIONS_VERSION_KEY when a promotion, its targets or a collection used by one change
(`transaction.on_commit(promotions_version_bump, robust=True)`). Scheduling needs no bump:
the copy holds promotions that start later too, and `catalog_promotions` filters by time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from comptoir.catalog.selectors.categories import TREE_VERSION_KEY
from comptoir.catalog.services.collections import COLLECTIONS_VERSION_KEY
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump
from comptoir.promotions.models import Promotion, PromotionKind, RewardType, Stacking
from comptoir.promotions.selectors.targets import Targets, promotion_targets

PROMOTIONS_VERSION_KEY = "promotions:version"


@dataclass(frozen=True, slots=True)
class CatalogPromotion:
    id: int
    code: str
    name: str
    name_en: str
    priority: int
    exclusive: bool
    # Percentage off (Decimal percent) or a fixed amount off in `currency`.
    percentage: bool
    value: Decimal
    currency: str
    starts_at: datetime | None
    ends_at: datetime | None
    # Empty: every channel / every customer (grouped or not).
    channel_ids: frozenset[int]
    group_ids: frozenset[int]
    # None: the whole catalog. Otherwise targeted product ids (direct or through a
    # collection) and category ids (subcategories included).
    product_ids: frozenset[int] | None
    category_ids: frozenset[int]

    def is_live(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def applies_to(self, product_id: int, category_id: int) -> bool:
        if self.product_ids is None:
            return True
        return product_id in self.product_ids or category_id in self.category_ids

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


def promotion_fields(p: Promotion, target: Targets) -> dict[str, Any]:
    """What the copies of a catalog and of a cart promotion share: its identity, reward
    value and currency, dates, and targets (channels, groups, products, categories)."""
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "priority": p.priority,
        "exclusive": p.stacking == Stacking.EXCLUSIVE,
        "value": p.reward_value or Decimal(0),
        "currency": p.currency,
        "starts_at": p.starts_at,
        "ends_at": p.ends_at,
        "channel_ids": target.channel_ids,
        "group_ids": target.group_ids,
        "product_ids": target.product_ids,
        "category_ids": target.category_ids,
    }


def _load() -> tuple[CatalogPromotion, ...]:
    now = timezone.now()
    promotions = list(
        Promotion.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            kind=PromotionKind.CATALOG,
            is_active=True,
            reward_type__in=(RewardType.PERCENTAGE, RewardType.FIXED),
            reward_value__isnull=False,
        ).order_by("-priority", "id")
    )
    if not promotions:
        return ()
    targets = promotion_targets(promotions)

    loaded = []
    for p in promotions:
        loaded.append(
            CatalogPromotion(
                **promotion_fields(p, targets[p.pk]),
                percentage=p.reward_type == RewardType.PERCENTAGE,
            )
        )
    return tuple(loaded)


def promotions_version() -> int:
    """The version of the copies of promotions: promotions, collections and the category
    tree (targeted categories include their subcategories), a change to any of them
    reloads the copies."""
    return hash(
        (
            cache_version(PROMOTIONS_VERSION_KEY),
            cache_version(COLLECTIONS_VERSION_KEY),
            cache_version(TREE_VERSION_KEY),
        )
    )


_memo: VersionedMemo[tuple[CatalogPromotion, ...]] = VersionedMemo(
    version=promotions_version,
    load=_load,
    check_seconds=lambda: 1.0,
    # Reloaded at least once a minute: promotions that ended drop out of the copy.
    max_age_seconds=lambda: 60.0,
)


def catalog_promotions(
    *, channel_id: int, customer_group_id: int | None, now: datetime | None = None
) -> tuple[CatalogPromotion, ...]:
    """The catalog promotions live at `now` for a channel and a customer group (None: a
    customer without a group), highest priority first."""
    moment = now or timezone.now()
    return tuple(
        p
        for p in _memo.get()
        if p.is_live(moment)
        and (not p.channel_ids or channel_id in p.channel_ids)
        and (
            not p.group_ids or (customer_group_id is not None and customer_group_id in p.group_ids)
        )
    )


# Every copy of promotions kept in the process (this module's, the cart's automatic ones).
_copies: list[VersionedMemo[Any]] = [_memo]


def reset_with_promotions(memo: VersionedMemo[Any]) -> None:
    """Register another copy kept under `promotions_version`, reset with the others by
    `promotions_version_bump` in the process that bumps it."""
    _copies.append(memo)


def _reset() -> None:
    for memo in _copies:
        memo.reset()


def promotions_version_bump() -> int:
    """Make every copy of the promotions stale. Promotion (and collection) services call
    it through `transaction.on_commit(promotions_version_bump, robust=True)`."""
    _reset()
    try:
        return cache_version_bump(PROMOTIONS_VERSION_KEY)
    finally:
        _reset()
