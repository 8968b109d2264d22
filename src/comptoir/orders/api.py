"""API of orders: the caller's orders on `router` (mounted at /api/v1/), a guest's order by
its token, and the staff routes on `admin_router` (mounted at /api/v1/admin/). Handlers
check access, call one selector or service, and shape the answer (orders.presenters).

The staff cancel and refund routes move money through `comptoir.payments` (imported in
the functions: payments depends on orders, not the other way round)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.core.errors import InvalidInput
from comptoir.core.staff_api import (
    page_request,
    paginated,
    reject_unknown_parameters,
    staff,
)
from comptoir.core.validation import text_check
from comptoir.orders import selectors, services
from comptoir.orders.models import OrderStatus
from comptoir.orders.presenters import event_out, fulfilment_out, order_out, summary_out
from comptoir.orders.schemas import (
    CancelIn,
    CancelOut,
    FulfilmentIn,
    FulfilmentOut,
    NoteIn,
    OrderListOut,
    OrderListQuery,
    OrderOut,
    OrderRefundIn,
    StaffEventOut,
    StaffOrderListOut,
    StaffOrderOut,
)

router = Router(tags=["orders"], auth=session_or_bearer)
admin_router = Router(tags=["admin: orders"], auth=session_or_bearer)

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"
VIEW = "orders.view_order"
CHANGE = "orders.change_order"
PAGE = {"page", "page_size"}
STAFF_FILTERS = PAGE | {"status", "channel", "email", "number", "placed_from", "placed_to"}


# --- the caller's orders ------------------------------------------------------------------


@router.get(
    "orders",
    response=OrderListOut,
    summary="The caller's orders",
    description="Newest first. Errors: 401 UNAUTHORIZED, 400 INVALID_PAGINATION / UNKNOWN_PARAMETER.",
)
def list_orders(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    reject_unknown_parameters(request, PAGE)
    page_req = page_request(page, page_size)
    rows, count = selectors.customer_orders_page(user=request.auth, page=page_req)  # type: ignore[attr-defined]
    return paginated(request, page_req, count, [summary_out(order) for order in rows])


@router.get(
    "orders/by-token/{token}",
    response=OrderOut,
    auth=None,
    summary="A guest's order",
    description=(
        "Reached by the secret token of the order confirmation (no account needed). "
        "Errors: 404 ORDER_NOT_FOUND."
    ),
)
def get_order_by_token(request: HttpRequest, token: str) -> dict[str, Any]:
    return order_out(selectors.order_by_token(token=token))


@router.get(
    "orders/{number}",
    response=OrderOut,
    summary="One of the caller's orders",
    description=(
        "Lines, totals, tax breakdown, addresses, parcels with their tracking and the "
        "timeline. Errors: 401 UNAUTHORIZED, 404 ORDER_NOT_FOUND (also for another "
        "customer's order)."
    ),
)
def get_order(request: HttpRequest, number: str) -> dict[str, Any]:
    return order_out(selectors.order_for_customer(user=request.auth, number=number))  # type: ignore[attr-defined]


# --- staff --------------------------------------------------------------------------------


def _staff_order(number: str, **extra: Any) -> dict[str, Any]:
    order = selectors.order_staff_get(number=number)
    body = order_out(order, staff=True)
    body["payments"] = [
        {
            "reference": str(payment.reference),
            "method": payment.method,
            "state": payment.state,
            "amount": f"{payment.amount:.2f}",
            "amount_captured": f"{payment.amount_captured:.2f}",
            "amount_refunded": f"{payment.amount_refunded:.2f}",
        }
        for payment in order.payments.order_by("pk")
    ]
    return body | extra


def _aware(value: datetime | None, *, field: str) -> datetime | None:
    """`value` in UTC (a naive one is read in the shop's time zone); a time that has no
    UTC equivalent in the years 1 to 9999 (0001-01-01 in Paris) is INVALID_INPUT."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        message = _("This date is out of range.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={field: [message]}) from None


@admin_router.get(
    "orders",
    response=StaffOrderListOut,
    summary="All orders",
    description=(
        "Newest first. Filters: `status`, `channel` (code), `email` (any case), `number` "
        "(or its beginning), `placed_from` / `placed_to` (ISO dates or times, the end "
        f"excluded). Errors: {ACCESS}, 400 INVALID_PAGINATION / INVALID_INPUT / "
        "UNKNOWN_PARAMETER, 422 VALIDATION_ERROR."
    ),
)
def admin_list_orders(request: HttpRequest, filters: Query[OrderListQuery]) -> dict[str, Any]:
    staff(request, VIEW)
    reject_unknown_parameters(request, STAFF_FILTERS)
    if filters.status is not None and filters.status not in OrderStatus.values:
        raise InvalidInput(
            _("Unknown status."),
            code="INVALID_INPUT",
            errors={"status": [", ".join(OrderStatus.values)]},
        )
    text_check(channel=filters.channel, email=filters.email, number=filters.number)
    page_req = page_request(filters.page, filters.page_size)
    rows, count = selectors.orders_staff_list(
        page=page_req,
        status=filters.status,
        channel=filters.channel,
        email=filters.email,
        number=filters.number,
        placed_from=_aware(filters.placed_from, field="placed_from"),
        placed_to=_aware(filters.placed_to, field="placed_to"),
    )
    return paginated(request, page_req, count, [summary_out(o, staff=True) for o in rows])


@admin_router.get(
    "orders/{number}",
    response=StaffOrderOut,
    summary="An order (staff view)",
    description=f"With the full timeline (notes, part payments) and the payments. Errors: {ACCESS}, 404 ORDER_NOT_FOUND.",
)
def admin_get_order(request: HttpRequest, number: str) -> dict[str, Any]:
    staff(request, VIEW)
    return _staff_order(number)


@admin_router.post(
    "orders/{number}/fulfilments",
    response={201: FulfilmentOut},
    summary="Ship lines of an order",
    description=(
        "One parcel: `lines` [{line_id, quantity}] (a part of the order is a partial "
        "shipment). Backordered units are allocated now. Without `tracking_url`, the "
        "carrier's template builds it (colissimo, chronopost, ups, dhl, dpd). Errors: "
        f"{ACCESS}, 404 ORDER_NOT_FOUND, 400 INVALID_INPUT / LINE_NOT_FOUND / "
        "INVALID_QUANTITY / INVALID_TRACKING_URL / INVALID_TEXT, 409 INVALID_TRANSITION / "
        "INSUFFICIENT_STOCK, 422 VALIDATION_ERROR."
    ),
)
def admin_create_fulfilment(
    request: HttpRequest, number: str, payload: FulfilmentIn
) -> Status[dict[str, Any]]:
    user = staff(request, CHANGE)
    order = selectors.order_staff_find(number=number)
    fulfilment = services.fulfilment_create(
        order=order,
        lines=[(line.line_id, line.quantity) for line in payload.lines],
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        tracking_url=payload.tracking_url,
        actor=user,
    )
    fresh = selectors.fulfilment_of(order=order, fulfilment_id=fulfilment.pk)
    return Status(201, fulfilment_out(fresh))


@admin_router.post(
    "orders/{number}/fulfilments/{fulfilment_id}/delivered",
    response=FulfilmentOut,
    summary="Mark a parcel delivered",
    description=(
        "The order becomes delivered once everything shipped and every parcel is delivered. "
        f"Errors: {ACCESS}, 404 ORDER_NOT_FOUND / FULFILMENT_NOT_FOUND, 409 INVALID_TRANSITION."
    ),
)
def admin_fulfilment_delivered(
    request: HttpRequest, number: str, fulfilment_id: int
) -> dict[str, Any]:
    user = staff(request, CHANGE)
    order = selectors.order_staff_find(number=number)
    fulfilment = selectors.fulfilment_of(order=order, fulfilment_id=fulfilment_id)
    services.fulfilment_mark_delivered(fulfilment=fulfilment, actor=user)
    return fulfilment_out(selectors.fulfilment_of(order=order, fulfilment_id=fulfilment_id))


@admin_router.post(
    "orders/{number}/cancel",
    response=CancelOut,
    summary="Cancel an order",
    description=(
        "Before anything shipped: releases the stock and the coupons, then voids the "
        "authorized payments and refunds the captured ones (`payment_errors` lists those "
        f"that failed). Errors: {ACCESS}, 404 ORDER_NOT_FOUND, 409 ORDER_NOT_CANCELLABLE / "
        "INVALID_TRANSITION, 400 INVALID_TEXT, 422 VALIDATION_ERROR."
    ),
)
def admin_cancel_order(request: HttpRequest, number: str, payload: CancelIn) -> dict[str, Any]:
    from comptoir.payments import services as payments

    user = staff(request, CHANGE)
    order = selectors.order_staff_find(number=number)
    cancelled = services.order_cancel(order=order, actor=user, reason=payload.reason)
    errors = payments.order_pay_back(order=cancelled, actor=user, reason=payload.reason)
    return _staff_order(number, payment_errors=errors)


@admin_router.post(
    "orders/{number}/refunds",
    response=StaffOrderOut,
    summary="Refund an order",
    description=(
        "Gives `amount` back through the order's captured payments and records it, with "
        "the `lines` [{line_id, quantity}] it covers (an amount of 0 records returned "
        f"units only). Errors: {ACCESS}, 404 ORDER_NOT_FOUND, 400 INVALID_AMOUNT / "
        "REFUND_EXCEEDS_PAID / LINE_NOT_FOUND / INVALID_QUANTITY / INVALID_TEXT, 409 "
        "NO_CAPTURED_PAYMENT, the payment provider's errors, 422 VALIDATION_ERROR."
    ),
)
def admin_refund_order(request: HttpRequest, number: str, payload: OrderRefundIn) -> dict[str, Any]:
    from comptoir.payments import services as payments

    user = staff(request, CHANGE)
    payments.order_refund(
        order=selectors.order_staff_find(number=number),
        amount=payload.amount,
        lines=[(line.line_id, line.quantity) for line in payload.lines],
        actor=user,
        reason=payload.reason,
    )
    return _staff_order(number)


@admin_router.post(
    "orders/{number}/notes",
    response={201: StaffEventOut},
    summary="Add a staff note",
    description=(
        "On the order's timeline, never shown to the customer. Errors: "
        f"{ACCESS}, 404 ORDER_NOT_FOUND, 400 INVALID_INPUT / INVALID_TEXT, 422 VALIDATION_ERROR."
    ),
)
def admin_add_note(request: HttpRequest, number: str, payload: NoteIn) -> Status[dict[str, Any]]:
    user = staff(request, CHANGE)
    order = selectors.order_staff_find(number=number)
    event = services.order_note_add(order=order, text=payload.text, actor=user)
    return Status(201, event_out(event, staff=True))
