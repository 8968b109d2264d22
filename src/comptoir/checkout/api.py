"""Checkout API: `POST /api/v1/carts/{token}/checkout` places the order (201), waits for
the payment's second step or the provider (202) or reports a declined payment (402, no
order). `Idempotency-Key` is required: a replay returns the first answer."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.utils import check_csrf

from comptoir.accounts.auth import bearer_token, optional_user
from comptoir.checkout import services
from comptoir.companies.web import assisting_staff
from comptoir.core import idempotency
from comptoir.core.errors import PermissionDenied, problem

router = Router(tags=["checkout"])
admin_router = Router(tags=["checkout (staff)"])

PROBLEM_JSON = "application/problem+json"


class CheckoutIn(Schema):
    payment_method: str = Field(
        ..., description="test_card, stripe, bank_transfer or on_account (see payment-methods)."
    )
    payment_source: str | None = Field(
        None,
        description="Test gateway: the test card number. Stripe: the PaymentMethod id "
        "(pm_...) from Stripe.js; card numbers never reach Comptoir.",
    )
    po_number: str | None = Field(
        None,
        description="Purchase order number (B2B; at most 64 characters). Required when the "
        "buyer's company says so: 400 `PO_NUMBER_REQUIRED` without one.",
    )
    cost_centre: str | None = Field(
        None, description="The buyer's cost centre (B2B; at most 64 characters)."
    )
    return_url: str | None = Field(
        None, description="Where the customer lands after a payment's second step."
    )
    customer_note: str | None = None


class MoneyOut(Schema):
    net: str
    tax: str
    gross: str
    currency: str


class CheckoutOrderOut(Schema):
    number: str
    token: str
    status: str
    payment_status: str
    currency: str
    total: MoneyOut
    url: str


class CheckoutPaymentOut(Schema):
    reference: str
    method: str
    state: str
    amount: str
    currency: str
    action_url: str | None


class DeclinedOut(Schema):
    """problem+json: the payment was declined and no order was placed."""

    type: str
    title: str
    status: int
    code: str = Field(..., description="PAYMENT_DECLINED")
    detail: str
    errors: dict[str, list[str]]
    payment: CheckoutPaymentOut


class CheckoutOut(Schema):
    status: str = Field(..., description="placed, requires_action or processing")
    order: CheckoutOrderOut | None = None
    detail: str | None = None
    payment: CheckoutPaymentOut


def _caller(request: HttpRequest) -> Any:
    user = optional_user(request)
    # The session cookie authenticates: the same CSRF check as ninja's SessionAuth.
    session = user is not None and bearer_token(request) is None
    if session and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed."), code="CSRF_FAILED")
    return user


@router.post(
    "/carts/{token}/checkout",
    response={201: CheckoutOut, 202: CheckoutOut, 402: DeclinedOut},
    summary="Place the order",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
def checkout(request: HttpRequest, token: str, payload: CheckoutIn) -> HttpResponse:
    user = _caller(request)
    body = payload.model_dump(exclude_unset=True)
    try:
        status, data = services.checkout_place(
            token=token,
            user=user,
            idempotency_key=request.headers.get("Idempotency-Key"),
            body=body,
            placed_by_staff=assisting_staff(request, user),
        )
    except OperationalError:
        data = problem(
            503,
            "TEMPORARILY_UNAVAILABLE",
            "Service unavailable",
            "The order could not be placed now; retry with the same Idempotency-Key.",
        )
        response = JsonResponse(data, status=503)
        response["Content-Type"] = PROBLEM_JSON
        response["Retry-After"] = "1"
        return response
    response = JsonResponse(data, status=status)
    if status >= 400:
        response["Content-Type"] = PROBLEM_JSON
    return response
