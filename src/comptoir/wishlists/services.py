"""Wishlist writes: add, remove, move to cart, share-link regeneration.

Design choices (see docs/wishlists.md):
- An item is a product with the variant chosen when there was one: a listing card has no
  variant to offer, the product page does. A product with one variant is always kept with
  it. Adding a variant of a product kept without one fills the variant in.
- Adds lock the wishlist row, so the limit holds and two concurrent adds of the same item
  give one row (the partial unique constraints stay as the last guard).
- "Move to cart" goes through `cart.services.line_add`, the storefront's add to cart:
  stock, availability and quantity rules are the cart's. A refusal leaves the item where
  it was.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartLine
from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.selectors import published_listings
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.core.ids import new_token
from comptoir.core.text import text_storable
from comptoir.wishlists.models import Wishlist, WishlistItem
from comptoir.wishlists.selectors import wishlist_item_get, wishlist_of

DEFAULT_MAX_ITEMS = 100
SKU_MAX_LENGTH = 64
SLUG_MAX_LENGTH = 160
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def max_items() -> int:
    """How many items a wishlist holds (`COMPTOIR_WISHLIST_MAX_ITEMS`, 100 by default)."""
    return int(getattr(settings, "COMPTOIR_WISHLIST_MAX_ITEMS", DEFAULT_MAX_ITEMS))


def wishlist_get_or_create(*, user: Any) -> Wishlist:
    """The customer's wishlist, created on first use (concurrent first uses: one row)."""
    wishlist = wishlist_of(user=user)
    if wishlist is not None:
        return wishlist
    try:
        with transaction.atomic():
            return Wishlist.objects.create(user=user, share_token=new_token())
    except IntegrityError:
        return Wishlist.objects.get(user=user)


def _unknown_product(field: str) -> InvalidInput:
    message = _("This product is not sold here.")
    return InvalidInput(message, code="UNKNOWN_PRODUCT", errors={field: [message]})


def _target(
    *, channel: Channel | None, product: str, sku: str
) -> tuple[Product, ProductVariant | None]:
    """The product (by slug) or variant (by SKU) to keep, published in `channel`."""
    if bool(product) == bool(sku):
        message = _("Give either a product or a SKU.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"product": [message]})
    variant: ProductVariant | None = None
    if sku:
        sku = sku.strip()
        if len(sku) > SKU_MAX_LENGTH or not text_storable(sku):
            raise _unknown_product("sku")
        variant = ProductVariant.objects.select_related("product").filter(sku=sku).first()
        if variant is None:
            raise _unknown_product("sku")
        found: Product | None = variant.product
    else:
        if len(product) > SLUG_MAX_LENGTH or not _SLUG.fullmatch(product):
            raise _unknown_product("product")
        found = Product.objects.filter(slug=product).first()
    field = "sku" if sku else "product"
    if found is None or channel is None:
        raise _unknown_product(field)
    if not published_listings(channel=channel).filter(product_id=found.pk).exists():
        raise _unknown_product(field)
    if variant is None:
        variants = list(ProductVariant.objects.filter(product=found)[:2])
        if len(variants) == 1:
            variant = variants[0]
    return found, variant


@transaction.atomic
def wishlist_item_add(
    *, user: Any, channel: Channel | None, product: str = "", sku: str = ""
) -> tuple[WishlistItem, bool]:
    """Keep a product (`product`: its slug) or one of its variants (`sku`) in the customer's
    wishlist. Returns the item and whether the wishlist changed. Already kept: the item,
    unchanged (a product kept with a variant counts for the product).

    Errors: 400 INVALID_INPUT (neither or both given), UNKNOWN_PRODUCT (unknown, or not
    on sale in `channel`), WISHLIST_FULL (`max_items()` reached)."""
    kept, variant = _target(channel=channel, product=product, sku=sku)
    wishlist = wishlist_get_or_create(user=user)
    Wishlist.objects.select_for_update().filter(pk=wishlist.pk).first()
    items = WishlistItem.objects.filter(wishlist=wishlist)
    same = items.filter(variant=variant) if variant is not None else items.filter(product=kept)
    existing = same.first()
    if existing is not None:
        return existing, False
    general = None
    if variant is not None:
        general = items.filter(product=kept, variant__isnull=True).first()
    if general is not None:
        general.variant = variant
        general.save(update_fields=["variant"])
        return general, True
    limit = max_items()
    if items.count() >= limit:
        message = _("Your wishlist is full (%(max)s items). Remove an item first.") % {"max": limit}
        raise InvalidInput(message, code="WISHLIST_FULL")
    item = WishlistItem.objects.create(wishlist=wishlist, product=kept, variant=variant)
    return item, True


@transaction.atomic
def wishlist_item_remove(*, user: Any, item_id: int) -> None:
    """Take an item out of the customer's wishlist (404 WISHLIST_ITEM_NOT_FOUND)."""
    wishlist_item_get(user=user, item_id=item_id).delete()


def _sku_to_buy(item: WishlistItem, sku: str) -> str:
    if item.variant is not None:
        return item.variant.sku
    variants = {v.sku for v in ProductVariant.objects.filter(product_id=item.product_id)}
    if sku and sku in variants:
        return sku
    if sku:
        message = _("This option is not one of the product's.")
        raise InvalidInput(message, code="UNKNOWN_SKU", errors={"sku": [message]})
    if len(variants) == 1:
        return variants.pop()
    message = _("Choose an option on the product page first.")
    raise InvalidInput(message, code="VARIANT_REQUIRED", errors={"sku": [message]})


@transaction.atomic
def wishlist_item_move_to_cart(
    *, user: Any, item_id: int, cart: Cart, quantity: int = 1, sku: str = ""
) -> CartLine:
    """Add the item to `cart` (the caller's: see `cart.selectors`) through the cart's own
    add-to-cart, then take it out of the wishlist. `sku` chooses the variant of an item kept
    without one. Every refusal of the cart (UNKNOWN_SKU, NOT_FOR_SALE, INSUFFICIENT_STOCK,
    QUANTITY_RULE, CART_FULL, CART_LOCKED...) leaves the item in the wishlist; and
    404 WISHLIST_ITEM_NOT_FOUND, 400 VARIANT_REQUIRED."""
    item = wishlist_item_get(user=user, item_id=item_id)
    line = cart_services.line_add(
        cart=cart, sku=_sku_to_buy(item, sku), quantity=quantity, user=user
    )
    item.delete()
    return line


@transaction.atomic
def wishlist_share_regenerate(*, user: Any) -> Wishlist:
    """A new share token: the old link stops working (404)."""
    wishlist = wishlist_get_or_create(user=user)
    wishlist.share_token = new_token()
    wishlist.save(update_fields=["share_token", "updated_at"])
    return wishlist
