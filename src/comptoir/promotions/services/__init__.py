"""Promotion writes: promotions (with their targets) and coupons (create, generate in
batches, check, redeem at order placement, release). Every function is keyword-only and
atomic and raises comptoir.core.errors with stable codes; nothing changes when one is
raised. Import from here: `from comptoir.promotions import services`."""

from comptoir.promotions.services.coupons import (
    ALPHABET,
    CouponBatch,
    code_normalize,
    coupon_check,
    coupon_create,
    coupon_delete,
    coupon_redeem,
    coupon_release,
    coupon_update,
    coupons_generate,
)
from comptoir.promotions.services.promotions import (
    promotion_check,
    promotion_create,
    promotion_delete,
    promotion_update,
)

__all__ = [
    "ALPHABET",
    "CouponBatch",
    "code_normalize",
    "coupon_check",
    "coupon_create",
    "coupon_delete",
    "coupon_redeem",
    "coupon_release",
    "coupon_update",
    "coupons_generate",
    "promotion_check",
    "promotion_create",
    "promotion_delete",
    "promotion_update",
]
