"""The JSON bodies checkout answers with; stored as they are in the idempotency record, so a
replay returns exactly the first answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.orders.models import Order
from comptoir.payments.models import Payment


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "reference": str(payment.reference),
        "method": payment.method,
        "state": payment.state,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "action_url": payment.action_url or None,
    }


def order_body(order: Order, payment: Payment) -> dict[str, Any]:
    return {
        "status": "placed",
        "order": {
            "number": order.number,
            "token": order.token,
            "status": order.status,
            "payment_status": order.payment_status,
            "currency": order.currency,
            "total": {
                "net": f"{order.total_net:.2f}",
                "tax": f"{order.total_tax:.2f}",
                "gross": f"{order.total_gross:.2f}",
                "currency": order.currency,
            },
            "url": f"/api/v1/orders/{order.number}",
        },
        "payment": _payment(payment),
    }


def pending_body(payment: Payment) -> dict[str, Any]:
    """202: the payment needs the customer (second step) or the provider has not answered."""
    needs_action = bool(payment.action_url) and payment.state == "requires_action"
    return {
        "status": "requires_action" if needs_action else "processing",
        "detail": _("Complete the payment to place the order.")
        if needs_action
        else _("The payment is being confirmed; the order will follow."),
        "payment": _payment(payment),
    }


def declined_body(payment: Payment) -> dict[str, Any]:
    """402 problem+json: the payment was refused; no order was made."""
    return {
        "type": "about:blank",
        "title": "Payment declined",
        "status": 402,
        "code": "PAYMENT_DECLINED",
        "detail": _("The payment was declined (%(reason)s). No order was placed.")
        % {"reason": payment.error_code or "declined"},
        "errors": {"payment": [payment.error_code or "declined"]},
        "payment": _payment(payment),
    }


def not_placed_body(payment: Payment, error: Any) -> dict[str, Any]:
    """409 problem+json: the payment settled but its order could not be made (the stock
    went after the hold expired, the checkout was closed): the money is given back."""
    code = getattr(error, "code", "") or "error"
    return {
        "type": "about:blank",
        "title": "Order not placed",
        "status": 409,
        "code": "ORDER_NOT_PLACED",
        "detail": _("The order could not be placed (%(reason)s); the payment is given back.")
        % {"reason": code},
        "errors": {"order": [code]},
        "payment": _payment(payment),
    }
