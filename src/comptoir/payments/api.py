"""API of payments: public routes on `router` (provider webhooks, the return from a second
step, the methods a buyer may use), staff and integration routes on `admin_router`
(mounted under /api/v1/admin/). Handlers call services and selectors only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from comptoir.accounts.auth import optional_user, session_or_bearer
from comptoir.channels.selectors import channel_for_buyer
from comptoir.companies.selectors import company_for_user
from comptoir.core.staff_api import page_request, paginated, reject_unknown_parameters, staff
from comptoir.payments import selectors, services
from comptoir.payments.models import Payment, PaymentMethod, PaymentTransaction
from comptoir.payments.schemas import (
    MarkReceivedIn,
    PaymentDetailOut,
    PaymentListOut,
    PaymentListQuery,
    PaymentMethodsOut,
    PaymentOut,
    RefundIn,
    WebhookOut,
)
from comptoir.payments.settle import settle_if_decided

router = Router(tags=["payments"])
admin_router = Router(tags=["admin: payments"], auth=session_or_bearer)

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"
PROVIDER = "502 PAYMENT_PROVIDER_ERROR, 503 PAYMENT_PROVIDER_UNAVAILABLE"


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "reference": str(payment.reference),
        "method": payment.method,
        "state": payment.state,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "amount_captured": f"{payment.amount_captured:.2f}",
        "amount_refunded": f"{payment.amount_refunded:.2f}",
        "action_url": payment.action_url,
        "error_code": payment.error_code,
        "order": payment.order.number if payment.order_id is not None and payment.order else None,
    }


def payment_admin_out(payment: Payment) -> dict[str, Any]:
    return {
        **payment_out(payment),
        "checkout_ref": payment.checkout_ref,
        "provider_ref": payment.provider_ref,
        "source": payment.source,
        "card_brand": payment.card_brand,
        "card_last4": payment.card_last4,
        "email": payment.email,
        "amount_refund_pending": f"{payment.amount_refund_pending:.2f}",
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def transaction_out(row: PaymentTransaction) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "result": row.result,
        "amount": f"{row.amount:.2f}",
        "provider_ref": row.provider_ref,
        "error_code": row.error_code,
        "key": row.key,
        "raw": row.raw,
        "actor": row.actor.email if row.actor is not None else None,
        "created_at": row.created_at,
    }


def payment_detail_out(payment: Payment) -> dict[str, Any]:
    return {
        **payment_admin_out(payment),
        "transactions": [transaction_out(row) for row in payment.transactions.all()],
    }


# --- public ---------------------------------------------------------------------------------


@router.post(
    "payments/webhooks/{provider}",
    response=WebhookOut,
    auth=None,
    summary="Webhook of a payment provider",
    description=(
        "For the providers only: `stripe` (header `Stripe-Signature`) and `test_card` "
        "(header `Comptoir-Test-Gateway-Signature`), signed `t=<unix time>,v1=<HMAC-SHA256>` "
        "and at most 300 s old. An event already processed changes nothing. A payment it "
        "decides is turned into its order (or its checkout released). Errors: 400 "
        "WEBHOOK_INVALID (forged, stale or malformed), 404 PROVIDER_NOT_FOUND."
    ),
)
def webhook(request: HttpRequest, provider: str) -> dict[str, Any]:
    payment = services.webhook_receive(
        provider=provider[:40], body=request.body, headers=request.headers
    )
    if payment is None:
        return {"received": True, "payment": None, "state": None}
    payment = settle_if_decided(payment)
    return {"received": True, "payment": str(payment.reference), "state": payment.state}


@router.post(
    "payments/{reference}/confirm",
    response=PaymentOut,
    summary="Back from the payment's second step",
    description=(
        "The client calls this when the customer comes back from the provider's page "
        "(3-D Secure): the provider is asked where the payment stands, and a decided "
        "payment becomes its order (`order`) or releases its checkout. The reference is "
        "the payment's unguessable id, known only to the client that checked out. Errors: "
        "404 PAYMENT_NOT_FOUND."
    ),
)
def confirm(request: HttpRequest, reference: str) -> dict[str, Any]:
    payment = selectors.payment_get(reference=reference)
    payment = services.payment_sync(payment=payment)
    return payment_out(settle_if_decided(payment))


@router.get(
    "payment-methods",
    response=PaymentMethodsOut,
    summary="Payment methods the caller may use",
    description=(
        "Codes for `payment_method` at checkout, with their names in the request's language. "
        "`on_account` is offered to buyers acting for a company. Errors: 404 "
        "CHANNEL_NOT_FOUND."
    ),
)
def payment_methods(request: HttpRequest, channel: str | None = Query(None)) -> dict[str, Any]:
    company = company_for_user(optional_user(request))
    found = channel_for_buyer(code=(channel or "")[:60] or None, business=company is not None)
    codes = services.methods_available(
        channel=found, company_id=company.pk if company is not None else None
    )
    return {
        "channel": found.code,
        "results": [{"code": code, "name": str(PaymentMethod(code).label)} for code in codes],
    }


# --- staff ----------------------------------------------------------------------------------


@admin_router.get(
    "payments",
    response=PaymentListOut,
    summary="Payments",
    description=(
        "Newest first; filters `state`, `method`, `order` (number), `checkout` (checkout "
        f"reference). Errors: {ACCESS}, 400 INVALID_FILTER / INVALID_PAGINATION / "
        "UNKNOWN_PARAMETER, 422 VALIDATION_ERROR."
    ),
)
def admin_list(request: HttpRequest, filters: Query[PaymentListQuery]) -> dict[str, Any]:
    staff(request, "payments.view_payment")
    reject_unknown_parameters(request, set(PaymentListQuery.model_fields))
    page_req = page_request(filters.page, filters.page_size)
    rows, count = selectors.payment_admin_list(
        page=page_req,
        state=filters.state,
        method=filters.method,
        order=filters.order,
        checkout=filters.checkout,
    )
    return paginated(request, page_req, count, [payment_admin_out(p) for p in rows])


@admin_router.get(
    "payments/{reference}",
    response=PaymentDetailOut,
    summary="A payment and its ledger",
    description=f"Every provider call and money movement, oldest first. Errors: {ACCESS}, 404 PAYMENT_NOT_FOUND.",
)
def admin_get(request: HttpRequest, reference: str) -> dict[str, Any]:
    staff(request, "payments.view_payment")
    return payment_detail_out(selectors.payment_admin_get(reference=reference))


@admin_router.post(
    "payments/{reference}/mark-received",
    response=PaymentDetailOut,
    summary="Record a bank transfer received",
    description=(
        "Adds `amount` to what was received and marks it paid on the order; a `reference` "
        "already recorded for this payment is a no-op. Errors: "
        f"{ACCESS}, 404 PAYMENT_NOT_FOUND, 400 INVALID_AMOUNT / OVERPAYMENT, 409 "
        "PAYMENT_NOT_BANK_TRANSFER / PAYMENT_WITHOUT_ORDER / PAYMENT_NOT_PENDING / "
        "AMOUNT_EXCEEDS_DUE, 422 VALIDATION_ERROR."
    ),
)
def admin_mark_received(
    request: HttpRequest, reference: str, payload: MarkReceivedIn
) -> dict[str, Any]:
    user = staff(request, "payments.change_payment")
    payment = selectors.payment_get(reference=reference)
    services.payment_mark_received(
        payment=payment, amount=payload.amount, actor=user, reference=payload.reference
    )
    return payment_detail_out(selectors.payment_admin_get(reference=reference))


@admin_router.post(
    "payments/{reference}/refund",
    response=PaymentDetailOut,
    summary="Refund a payment",
    description=(
        "Gives back `amount` (at most what was captured and not refunded yet) and records "
        "it on the order. Errors: "
        f"{ACCESS}, 404 PAYMENT_NOT_FOUND, 400 INVALID_AMOUNT, 409 PAYMENT_NOT_REFUNDABLE / "
        f"REFUND_EXCEEDS_CAPTURED, {PROVIDER}, 422 VALIDATION_ERROR."
    ),
)
def admin_refund(request: HttpRequest, reference: str, payload: RefundIn) -> dict[str, Any]:
    user = staff(request, "payments.refund_payment")
    payment = selectors.payment_get(reference=reference)
    services.payment_refund(
        payment=payment, amount=payload.amount, actor=user, reason=payload.reason
    )
    return payment_detail_out(selectors.payment_admin_get(reference=reference))


@admin_router.post(
    "payments/{reference}/void",
    response=PaymentDetailOut,
    summary="Void a payment that holds no money",
    description=(
        f"Errors: {ACCESS}, 404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_VOIDABLE, "
        "503 PAYMENT_PROVIDER_UNAVAILABLE."
    ),
)
def admin_void(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = staff(request, "payments.change_payment")
    services.payment_void(payment=selectors.payment_get(reference=reference), actor=user)
    return payment_detail_out(selectors.payment_admin_get(reference=reference))


@admin_router.post(
    "payments/{reference}/capture",
    response=PaymentDetailOut,
    summary="Capture an authorized payment",
    description=f"Errors: {ACCESS}, 404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_CAPTURABLE, {PROVIDER}.",
)
def admin_capture(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = staff(request, "payments.change_payment")
    services.payment_capture(payment=selectors.payment_get(reference=reference), actor=user)
    return payment_detail_out(selectors.payment_admin_get(reference=reference))
