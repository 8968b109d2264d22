"""Payment writes (docs/payments.md, contract in docs/checkout.md). Keyword-only; provider
calls are never made inside a transaction or under a lock; every provider call writes a
ledger row (PaymentTransaction). Import from here: `from comptoir.payments import services`."""

from comptoir.payments.services._common import ProviderRefused, ProviderUnavailableError
from comptoir.payments.services.flow import (
    methods_available,
    payment_attach,
    payment_execute,
    payment_start,
    payment_sync,
)
from comptoir.payments.services.operations import (
    payment_capture,
    payment_mark_received,
    payment_refund,
    payment_void,
    refunds_retry,
)
from comptoir.payments.services.order_money import order_pay_back, order_refund
from comptoir.payments.services.webhooks import webhook_receive

__all__ = [
    "ProviderRefused",
    "ProviderUnavailableError",
    "methods_available",
    "order_pay_back",
    "order_refund",
    "payment_attach",
    "payment_capture",
    "payment_execute",
    "payment_mark_received",
    "payment_refund",
    "payment_start",
    "payment_sync",
    "payment_void",
    "refunds_retry",
    "webhook_receive",
]
