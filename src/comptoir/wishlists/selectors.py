"""Wishlist reads. A customer's items are fetched scoped to that customer (another
customer's item is NotFound, as a missing one); a shared list is reached by its token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from comptoir.catalog.models import ProductTranslation
from comptoir.catalog.selectors import BASE_LANGUAGE, normalize_language, published_listings
from comptoir.catalog.selectors.pictures import (
    PRODUCT_COVER,
    PRODUCT_THUMBNAIL,
    cover_picture,
    media_url,
)
from comptoir.catalog.selectors.products import PRODUCT_VARIANT_COUNT
from comptoir.catalog.selectors.records import Picture
from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound
from comptoir.wishlists.models import Wishlist, WishlistItem

MAX_ID = 2**63 - 1
# secrets.token_urlsafe(24): 32 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True, slots=True)
class WishlistEntry:
    """One item as a page or the API shows it, in one language and channel."""

    id: int
    product_id: int
    slug: str
    name: str
    brand: str
    variant_id: int | None
    sku: str
    variant_name: str
    thumbnail_url: str | None
    # Published in the channel now: it can be bought there (stock is checked on the move).
    available: bool
    # No variant chosen and the product has several: the product page asks which.
    needs_variant: bool
    added_at: datetime
    # The product's first image, in responsive renditions (None without any).
    picture: Picture | None = None


def wishlist_of(*, user: Any) -> Wishlist | None:
    """The customer's wishlist, if it was created."""
    return Wishlist.objects.filter(user=user).first()


def wishlist_by_token(*, token: str) -> Wishlist:
    """The wishlist shared by `token`; an unknown or revoked token is NotFound."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise _wishlist_not_found()
    wishlist = Wishlist.objects.filter(share_token=token).first()
    if wishlist is None:
        raise _wishlist_not_found()
    return wishlist


def _wishlist_not_found() -> NotFound:
    return NotFound(_("Wishlist not found."), code="WISHLIST_NOT_FOUND")


def wishlist_item_get(*, user: Any, item_id: int) -> WishlistItem:
    """One item of the customer's wishlist, with its product and variant."""
    found = None
    if isinstance(item_id, int) and 0 < item_id <= MAX_ID:
        found = (
            WishlistItem.objects.filter(pk=item_id, wishlist__user=user)
            .select_related("product", "variant")
            .first()
        )
    if found is None:
        raise NotFound(_("This item is not in your wishlist."), code="WISHLIST_ITEM_NOT_FOUND")
    return found


def wishlist_entries(
    *, wishlist: Wishlist | None, channel: Channel | None, language: str
) -> list[WishlistEntry]:
    """The wishlist's items, newest first, named in `language`, with whether each is on sale
    in `channel`: one query whatever the number of items."""
    if wishlist is None:
        return []
    lang = normalize_language(language)
    rows = (
        WishlistItem.objects.filter(wishlist=wishlist)
        .select_related("product", "variant")
        .annotate(thumb=PRODUCT_THUMBNAIL, **PRODUCT_COVER, n_variants=PRODUCT_VARIANT_COUNT)
    )
    if lang != BASE_LANGUAGE:
        rows = rows.annotate(
            tr_name=Subquery(
                ProductTranslation.objects.filter(
                    product_id=OuterRef("product_id"), language=lang
                ).values("name")[:1]
            )
        )
    if channel is not None:
        rows = rows.annotate(
            on_sale=Exists(
                published_listings(channel=channel).filter(product_id=OuterRef("product_id"))
            )
        )
    entries = []
    for item in rows:
        product, variant = item.product, item.variant
        entries.append(
            WishlistEntry(
                id=item.pk,
                product_id=product.pk,
                slug=product.slug,
                name=getattr(item, "tr_name", None) or product.name,
                brand=product.brand,
                variant_id=None if variant is None else variant.pk,
                sku="" if variant is None else variant.sku,
                variant_name="" if variant is None else variant.label(lang),
                thumbnail_url=media_url(item.thumb),
                picture=cover_picture(item, item.thumb),
                available=bool(getattr(item, "on_sale", False)),
                needs_variant=variant is None and item.n_variants > 1,
                added_at=item.added_at,
            )
        )
    return entries
