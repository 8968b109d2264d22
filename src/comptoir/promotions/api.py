"""Staff and integration endpoints of promotions under /api/v1/admin/: promotions and their
coupons. Every handler checks the caller's Django model permission, then calls one service
(writes) or a staff selector (reads)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.core.errors import InvalidInput
from comptoir.core.staff_api import page_request, paginated, patch_changes, staff
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, Promotion, PromotionKind
from comptoir.promotions.schemas import (
    CouponBatchOut,
    CouponGenerateIn,
    CouponIn,
    CouponListOut,
    CouponOut,
    CouponPatch,
    PromotionIn,
    PromotionListOut,
    PromotionOut,
    PromotionPatch,
)
from comptoir.promotions.selectors import staff as reads

admin_router = Router(tags=["admin: promotions"], auth=session_or_bearer)

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"
PROMOTION_ERRORS = (
    "400 INVALID_INPUT / INVALID_TEXT / INVALID_PROMOTION / INVALID_DATES / "
    "CURRENCY_MISMATCH / CHANNEL_NOT_FOUND / GROUP_NOT_FOUND / PRODUCT_NOT_FOUND / "
    "CATEGORY_NOT_FOUND / COLLECTION_NOT_FOUND, 409 PROMOTION_CODE_TAKEN / "
    "EXTERNAL_REF_TAKEN, 422 VALIDATION_ERROR"
)
COUPON_ERRORS = "400 INVALID_INPUT / INVALID_DATES / COUPON_NOT_ALLOWED, 422 VALIDATION_ERROR"
NULLABLE_PROMOTION = frozenset(
    {
        "reward_value",
        "starts_at",
        "ends_at",
        "min_subtotal",
        "min_quantity",
        "buy_quantity",
        "get_quantity",
        "external_ref",
    }
)
NULLABLE_COUPON = frozenset(
    {"usage_limit", "per_customer_limit", "min_subtotal", "valid_from", "valid_until"}
)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def promotion_out(p: Promotion) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "name_en": p.name_en,
        "kind": p.kind,
        "reward_type": p.reward_type,
        "reward_value": _amount(p.reward_value),
        "currency": p.currency,
        "starts_at": p.starts_at,
        "ends_at": p.ends_at,
        "is_active": p.is_active,
        "priority": p.priority,
        "stacking": p.stacking,
        "min_subtotal": _amount(p.min_subtotal),
        "min_quantity": p.min_quantity,
        "buy_quantity": p.buy_quantity,
        "get_quantity": p.get_quantity,
        "requires_coupon": p.requires_coupon,
        "external_ref": p.external_ref,
        "metadata": p.metadata,
        "channels": sorted(c.code for c in p.channels.all()),
        "customer_groups": sorted(g.code for g in p.customer_groups.all()),
        "products": sorted(x.slug for x in p.products.all()),
        "categories": sorted(x.slug for x in p.categories.all()),
        "collections": sorted(x.slug for x in p.collections.all()),
    }


def coupon_out(c: Coupon) -> dict[str, Any]:
    return {
        "code": c.code,
        "promotion": c.promotion.code,
        "usage_limit": c.usage_limit,
        "per_customer_limit": c.per_customer_limit,
        "times_used": c.times_used,
        "min_subtotal": _amount(c.min_subtotal),
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "is_active": c.is_active,
        "batch": c.batch,
    }


# --- promotions ---------------------------------------------------------------------------


@admin_router.get(
    "promotions",
    response=PromotionListOut,
    summary="All promotions",
    description=(
        "Highest priority first. `kind`: catalog or cart; `active`: true for the promotions "
        f"running now (active and within their dates), false for the others. Errors: {ACCESS}, "
        "400 INVALID_PAGINATION / INVALID_INPUT (unknown kind), 422 VALIDATION_ERROR."
    ),
)
def admin_list_promotions(
    request: HttpRequest,
    kind: str | None = Query(None),
    active: bool | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "promotions.view_promotion")
    if kind is not None and kind not in PromotionKind.values:
        raise InvalidInput(
            _("Unknown kind."), code="INVALID_INPUT", errors={"kind": [_("Use catalog or cart.")]}
        )
    page_req = page_request(page, page_size)
    rows, count = reads.promotion_admin_list(page=page_req, kind=kind, active=active)
    return paginated(request, page_req, count, [promotion_out(p) for p in rows])


@admin_router.post(
    "promotions",
    response={201: PromotionOut},
    summary="Create a promotion",
    description=f"Errors: {ACCESS}, {PROMOTION_ERRORS}.",
)
def admin_create_promotion(request: HttpRequest, payload: PromotionIn) -> Status[dict[str, Any]]:
    staff(request, "promotions.add_promotion")
    promotion = services.promotion_create(**payload.model_dump())
    return Status(201, promotion_out(reads.promotion_admin_get(promotion_id=promotion.pk)))


@admin_router.get(
    "promotions/{promotion_id}",
    response=PromotionOut,
    summary="A promotion",
    description=f"Errors: {ACCESS}, 404 PROMOTION_NOT_FOUND.",
)
def admin_get_promotion(request: HttpRequest, promotion_id: int) -> dict[str, Any]:
    staff(request, "promotions.view_promotion")
    return promotion_out(reads.promotion_admin_get(promotion_id=promotion_id))


@admin_router.patch(
    "promotions/{promotion_id}",
    response=PromotionOut,
    summary="Change a promotion",
    description=(
        "Only the fields sent change; a list of targets replaces those targets. "
        f"Errors: {ACCESS}, 404 PROMOTION_NOT_FOUND, {PROMOTION_ERRORS}."
    ),
)
def admin_update_promotion(
    request: HttpRequest, promotion_id: int, payload: PromotionPatch
) -> dict[str, Any]:
    staff(request, "promotions.change_promotion")
    promotion = reads.promotion_admin_get(promotion_id=promotion_id)
    services.promotion_update(
        promotion=promotion, **patch_changes(payload, nullable=NULLABLE_PROMOTION)
    )
    return promotion_out(reads.promotion_admin_get(promotion_id=promotion_id))


@admin_router.delete(
    "promotions/{promotion_id}",
    response={204: None},
    summary="Delete a promotion",
    description=(
        "Deletes its coupons too. Errors: "
        f"{ACCESS}, 404 PROMOTION_NOT_FOUND, 409 PROMOTION_IN_USE (orders used its coupons)."
    ),
)
def admin_delete_promotion(request: HttpRequest, promotion_id: int) -> Status[None]:
    staff(request, "promotions.delete_promotion")
    services.promotion_delete(promotion=reads.promotion_admin_get(promotion_id=promotion_id))
    return Status(204, None)


# --- coupons ------------------------------------------------------------------------------


@admin_router.get(
    "promotions/{promotion_id}/coupons",
    response=CouponListOut,
    summary="The coupons of a promotion",
    description=f"Errors: {ACCESS}, 404 PROMOTION_NOT_FOUND, 400 INVALID_PAGINATION.",
)
def admin_list_coupons(
    request: HttpRequest,
    promotion_id: int,
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "promotions.view_coupon")
    promotion = reads.promotion_admin_get(promotion_id=promotion_id)
    page_req = page_request(page, page_size)
    rows, count = reads.coupon_admin_list(promotion=promotion, page=page_req)
    return paginated(request, page_req, count, [coupon_out(c) for c in rows])


@admin_router.post(
    "promotions/{promotion_id}/coupons",
    response={201: CouponOut},
    summary="Create a coupon",
    description=(
        f"Errors: {ACCESS}, 404 PROMOTION_NOT_FOUND, 400 INVALID_COUPON_CODE, {COUPON_ERRORS}, "
        "409 COUPON_CODE_TAKEN."
    ),
)
def admin_create_coupon(
    request: HttpRequest, promotion_id: int, payload: CouponIn
) -> Status[dict[str, Any]]:
    staff(request, "promotions.add_coupon")
    promotion = reads.promotion_admin_get(promotion_id=promotion_id)
    coupon = services.coupon_create(promotion=promotion, **payload.model_dump())
    return Status(201, coupon_out(coupon))


@admin_router.post(
    "promotions/{promotion_id}/coupons/generate",
    response={201: CouponBatchOut},
    summary="Generate single-use coupon codes",
    description=(
        "`count` (1 to 10,000) random codes of `prefix` + `length` characters from an "
        "unambiguous alphabet, in one batch. Errors: "
        f"{ACCESS}, 404 PROMOTION_NOT_FOUND, 400 INVALID_COUPON_CODE (prefix), {COUPON_ERRORS}."
    ),
)
def admin_generate_coupons(
    request: HttpRequest, promotion_id: int, payload: CouponGenerateIn
) -> Status[dict[str, Any]]:
    staff(request, "promotions.add_coupon")
    promotion = reads.promotion_admin_get(promotion_id=promotion_id)
    batch = services.coupons_generate(promotion=promotion, **payload.model_dump())
    return Status(201, {"batch": batch.batch, "codes": batch.codes})


@admin_router.get(
    "coupons/{code}",
    response=CouponOut,
    summary="A coupon",
    description=f"The code is case-insensitive. Errors: {ACCESS}, 404 COUPON_NOT_FOUND.",
)
def admin_get_coupon(request: HttpRequest, code: str) -> dict[str, Any]:
    staff(request, "promotions.view_coupon")
    return coupon_out(reads.coupon_admin_get(code=code))


@admin_router.patch(
    "coupons/{code}",
    response=CouponOut,
    summary="Change a coupon",
    description=(
        "Limits, validity and state; the code never changes. Errors: "
        f"{ACCESS}, 404 COUPON_NOT_FOUND, {COUPON_ERRORS}, 400 COUPON_LIMIT_BELOW_USAGE."
    ),
)
def admin_update_coupon(request: HttpRequest, code: str, payload: CouponPatch) -> dict[str, Any]:
    staff(request, "promotions.change_coupon")
    coupon = reads.coupon_admin_get(code=code)
    services.coupon_update(coupon=coupon, **patch_changes(payload, nullable=NULLABLE_COUPON))
    return coupon_out(reads.coupon_admin_get(code=code))


@admin_router.delete(
    "coupons/{code}",
    response={204: None},
    summary="Delete a coupon",
    description=f"Errors: {ACCESS}, 404 COUPON_NOT_FOUND, 409 COUPON_IN_USE (orders used it).",
)
def admin_delete_coupon(request: HttpRequest, code: str) -> Status[None]:
    staff(request, "promotions.delete_coupon")
    services.coupon_delete(coupon=reads.coupon_admin_get(code=code))
    return Status(204, None)
