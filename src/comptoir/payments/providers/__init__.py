"""Payment providers by method code. Card methods have a provider (`provider_for`); bank
transfer and payment on account make no call (None)."""

from __future__ import annotations

from django.conf import settings

from comptoir.payments.models import PaymentMethod
from comptoir.payments.providers.base import Provider


def provider_for(method: str) -> Provider | None:
    """The provider that collects payments of `method`; None for offline methods (bank
    transfer, payment on account) and unknown codes."""
    if method == PaymentMethod.TEST_CARD:
        from comptoir.payments.providers.test_gateway import TestGateway

        return TestGateway()
    if method == PaymentMethod.STRIPE:
        from comptoir.payments.providers.stripe import StripeProvider

        return StripeProvider()
    return None


def method_enabled(method: str) -> bool:
    """Whether this deployment offers `method` at all (before any per-buyer rule):
    the test gateway when COMPTOIR_TEST_GATEWAY is on, Stripe when its secret key is set,
    bank transfer and payment on account always."""
    if method == PaymentMethod.TEST_CARD:
        return bool(settings.COMPTOIR_TEST_GATEWAY)
    if method == PaymentMethod.STRIPE:
        return bool(settings.COMPTOIR_STRIPE_SECRET_KEY)
    return method in (PaymentMethod.BANK_TRANSFER, PaymentMethod.ON_ACCOUNT)


def webhook_provider(code: str) -> Provider | None:
    """The provider whose webhooks arrive at `payments/webhooks/{code}`, if enabled."""
    if code in (PaymentMethod.TEST_CARD, PaymentMethod.STRIPE) and method_enabled(code):
        return provider_for(code)
    return None
