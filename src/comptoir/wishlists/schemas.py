from __future__ import annotations

from datetime import datetime

from ninja import Schema


class WishlistItemIn(Schema):
    """What to keep: a product by its slug (from a listing) or a variant by its SKU."""

    product: str = ""
    sku: str = ""


class WishlistItemOut(Schema):
    id: int
    product: str
    name: str
    brand: str
    sku: str | None
    variant_name: str
    thumbnail_url: str | None
    available: bool
    needs_variant: bool
    added_at: datetime


class WishlistOut(Schema):
    count: int
    max_items: int
    share_url: str | None
    items: list[WishlistItemOut]


class SharedWishlistOut(Schema):
    count: int
    items: list[WishlistItemOut]


class MoveToCartIn(Schema):
    cart: str
    quantity: int = 1
    sku: str = ""


class MoveToCartOut(Schema):
    cart: str
    sku: str
    quantity: int
