"""Wishlist API: the caller's wishlist under `/wishlist` (bearer token or session; session
writes pass Django's CSRF check) and shared lists under `/wishlists/shared/{token}`
(public, read-only). Another customer's item is a 404, as a missing one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.accounts.models import User
from comptoir.cart import selectors as cart_selectors
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_for_buyer
from comptoir.pricing.selectors.context import company_of
from comptoir.wishlists import selectors, services
from comptoir.wishlists.models import Wishlist
from comptoir.wishlists.schemas import (
    MoveToCartIn,
    MoveToCartOut,
    SharedWishlistOut,
    WishlistItemIn,
    WishlistItemOut,
    WishlistOut,
)
from comptoir.wishlists.selectors import WishlistEntry

router = Router(tags=["wishlist"])
ITEM_NOT_FOUND = "404 `WISHLIST_ITEM_NOT_FOUND` (no such item, or another customer's)"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by the router's auth
    return user


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def _channel(user: User | None, code: str | None) -> Channel:
    return channel_for_buyer(code=code or None, business=company_of(user) is not None)


def _item_out(entry: WishlistEntry) -> WishlistItemOut:
    return WishlistItemOut(
        id=entry.id,
        product=entry.slug,
        name=entry.name,
        brand=entry.brand,
        sku=entry.sku or None,
        variant_name=entry.variant_name,
        thumbnail_url=entry.thumbnail_url,
        available=entry.available,
        needs_variant=entry.needs_variant,
        added_at=entry.added_at,
    )


def _entries(
    request: HttpRequest, wishlist: Wishlist | None, user: User | None, channel: str | None
) -> list[WishlistItemOut]:
    entries = selectors.wishlist_entries(
        wishlist=wishlist, channel=_channel(user, channel), language=_language(request)
    )
    return [_item_out(entry) for entry in entries]


def _wishlist_out(request: HttpRequest, user: User, channel: str | None) -> WishlistOut:
    wishlist = selectors.wishlist_of(user=user)
    items = _entries(request, wishlist, user, channel)
    share_url = None
    if wishlist is not None:
        path = reverse("storefront:wishlist_shared", args=[wishlist.share_token])
        share_url = request.build_absolute_uri(path)
    return WishlistOut(
        count=len(items), max_items=services.max_items(), share_url=share_url, items=items
    )


@router.get(
    "/wishlist",
    response=WishlistOut,
    auth=session_or_bearer,
    summary="The caller's wishlist",
    description="Newest first; `available`: on sale in the channel (`?channel=`, else the "
    "caller's default). `share_url` is null until the wishlist holds something.",
)
def wishlist_get(request: HttpRequest, channel: str | None = None) -> WishlistOut:
    return _wishlist_out(request, _user(request), channel)


@router.post(
    "/wishlist/items",
    response={200: WishlistItemOut, 201: WishlistItemOut},
    auth=session_or_bearer,
    summary="Keep a product or a variant in the wishlist",
    description="`product` (a slug) or `sku`, not both. 201 when added, 200 when it was "
    "already kept. 400 `INVALID_INPUT`, `UNKNOWN_PRODUCT` (unknown or not on sale in the "
    "channel), `WISHLIST_FULL`.",
)
def wishlist_item_add(
    request: HttpRequest, payload: WishlistItemIn, channel: str | None = None
) -> Status[WishlistItemOut]:
    user = _user(request)
    item, created = services.wishlist_item_add(
        user=user, channel=_channel(user, channel), product=payload.product, sku=payload.sku
    )
    entries = selectors.wishlist_entries(
        wishlist=item.wishlist, channel=_channel(user, channel), language=_language(request)
    )
    entry = next(e for e in entries if e.id == item.pk)
    return Status(201 if created else 200, _item_out(entry))


@router.delete(
    "/wishlist/items/{item_id}",
    response={204: None},
    auth=session_or_bearer,
    summary="Remove an item from the wishlist",
    description=ITEM_NOT_FOUND,
)
def wishlist_item_remove(request: HttpRequest, item_id: int) -> Status[None]:
    services.wishlist_item_remove(user=_user(request), item_id=item_id)
    return Status(204, None)


@router.post(
    "/wishlist/items/{item_id}/move-to-cart",
    response=MoveToCartOut,
    auth=session_or_bearer,
    summary="Move an item to a cart",
    description="Adds the item to the caller's cart `cart` (its token) as `POST "
    "carts/{id}/lines` does, then removes it from the wishlist. Any refusal leaves it in the "
    "wishlist: " + ITEM_NOT_FOUND + "; 404 `CART_NOT_FOUND`; 400 `VARIANT_REQUIRED` (give "
    "`sku`), `INVALID_QUANTITY`, `UNKNOWN_SKU`, `NOT_FOR_SALE`, `QUANTITY_RULE`, "
    "`CART_FULL`; 409 `INSUFFICIENT_STOCK`, `CART_LOCKED`.",
)
def wishlist_item_move(request: HttpRequest, item_id: int, payload: MoveToCartIn) -> Any:
    user = _user(request)
    cart = cart_selectors.cart_for(token=payload.cart, user=user)
    line = services.wishlist_item_move_to_cart(
        user=user, item_id=item_id, cart=cart, quantity=payload.quantity, sku=payload.sku
    )
    line.refresh_from_db(fields=["quantity"])
    return MoveToCartOut(cart=cart.token, sku=line.variant.sku, quantity=line.quantity)


@router.post(
    "/wishlist/share-token",
    response=WishlistOut,
    auth=session_or_bearer,
    summary="Regenerate the share link",
    description="The previous link stops working (404).",
)
def wishlist_share_regenerate(request: HttpRequest, channel: str | None = None) -> WishlistOut:
    services.wishlist_share_regenerate(user=_user(request))
    return _wishlist_out(request, _user(request), channel)


@router.get(
    "/wishlists/shared/{token}",
    response=SharedWishlistOut,
    auth=None,
    summary="A shared wishlist (read-only)",
    description="404 `WISHLIST_NOT_FOUND` for an unknown or revoked token.",
)
def wishlist_shared(
    request: HttpRequest, token: str, channel: str | None = None
) -> SharedWishlistOut:
    wishlist = selectors.wishlist_by_token(token=token)
    items = _entries(request, wishlist, None, channel)
    return SharedWishlistOut(count=len(items), items=items)
