"""Row locks of the catalog, always taken in primary-key order so that two transactions
locking overlapping rows queue instead of deadlocking. Call inside `transaction.atomic`."""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.catalog.models import ProductChannelListing


def listings_for_update(product_ids: Iterable[int]) -> list[ProductChannelListing]:
    """Lock the channel listings of `product_ids` (every channel), in primary-key order.

    Whoever changes what a listing's `price_from` is computed from (a variant price, a
    variant) takes this lock before writing: the recomputations of one product then run one
    after the other, each seeing the prices the previous one committed."""
    ids = sorted(set(product_ids))
    if not ids:
        return []
    return list(
        ProductChannelListing.objects.select_for_update().filter(product_id__in=ids).order_by("pk")
    )
