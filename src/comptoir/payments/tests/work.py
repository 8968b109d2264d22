"""Work run in spawned processes by the race tests (module-level functions only)."""

from __future__ import annotations

from decimal import Decimal

from comptoir.payments import services
from comptoir.payments.models import Payment


def refund(payment_id: int, amount: str) -> str:
    """Refund `amount` of payment `payment_id`; "ok" or the DomainError's code."""
    services.payment_refund(payment=Payment.objects.get(pk=payment_id), amount=Decimal(amount))
    return "ok"
