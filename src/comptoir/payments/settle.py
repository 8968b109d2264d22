"""The hand-over from payments to checkout, for interfaces (API, pages): a payment that is
decided and has no order yet goes to `checkout.services.checkout_payment_settled`, which
makes its order or releases its checkout (idempotent). Domain code never imports this."""

from __future__ import annotations

from comptoir.checkout import services as checkout_services
from comptoir.payments import selectors
from comptoir.payments.models import Payment


def settle_if_decided(payment: Payment) -> Payment:
    """Hand a decided (settled or failed) payment without an order to checkout; returns the
    payment as stored afterwards."""
    if payment.order_id is None and (payment.is_settled or payment.is_failed):
        checkout_services.checkout_payment_settled(payment=payment)
        return selectors.payment_get(reference=payment.reference)
    return payment
