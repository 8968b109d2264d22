"""The provider interface: what payments' services ask of a card gateway.

A provider is a small object with the methods of `Provider`. Each call answers with a
`ProviderResult` (what the provider says happened), or raises `ProviderUnavailable` /
`ProviderTimeout` when no answer came back: the outcome is then unknown and the payment is
left UNKNOWN until `payment_sync` asks again (`retrieve`). Providers never touch our
Payment rows: services record every call in the ledger (PaymentTransaction).

Charges are idempotent on our payment reference: asking twice for the same reference
returns the first result and never charges twice. Refunds are idempotent on the key the
caller gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID


class ResultStatus(StrEnum):
    SUCCEEDED = "succeeded"  # captured (charge, capture) or done (refund)
    AUTHORIZED = "authorized"  # held, to capture later
    REQUIRES_ACTION = "requires_action"  # the customer must complete a second step
    PROCESSING = "processing"  # accepted, the outcome comes later
    DECLINED = "declined"  # refused (card declined, authentication failed...)
    VOIDED = "voided"  # cancelled before capture
    ERROR = "error"  # the provider refused the request itself (bad parameters, not found)


# `error_code` of a `retrieve` that found nothing at the provider for the payment.
NOT_FOUND = "not_found"
# `error_code` recorded when no answer came back.
NO_ANSWER = "no_answer"


@dataclass(frozen=True, slots=True)
class ProviderResult:
    status: ResultStatus
    provider_ref: str = ""
    action_url: str = ""
    error_code: str = ""
    # What the provider reports for the operation (captured, refunded...), in the currency.
    amount: Decimal | None = None
    # The provider's answer, for the ledger. Never card data.
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    reference: UUID
    amount: Decimal
    currency: str
    token: str
    return_url: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified webhook event. `result` is where the payment stands according to the
    event, or None for an event that says nothing about a payment's state."""

    event_id: str
    type: str
    reference: str = ""  # our payment reference, when the event carries it
    provider_ref: str = ""
    result: ProviderResult | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class ProviderUnavailable(Exception):
    """No answer from the provider (network error, 5xx, rate limited): whether the request
    took effect is unknown."""


class ProviderTimeout(ProviderUnavailable):
    """The provider did not answer in time: whether the request took effect is unknown."""


class WebhookInvalid(Exception):
    """A webhook whose signature is missing, forged or too old, or whose body is not an
    event of the provider."""


class Provider(Protocol):
    code: str

    def charge(self, request: ChargeRequest) -> ProviderResult:
        """Authorize and capture (a sale), idempotent on `request.reference`."""
        ...

    def authorize(self, request: ChargeRequest) -> ProviderResult:
        """Authorize only (capture later), idempotent on `request.reference`."""
        ...

    def capture(self, *, reference: UUID, provider_ref: str, amount: Decimal) -> ProviderResult:
        """Capture an authorized payment."""
        ...

    def void(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        """Cancel a payment that is not captured (authorized or waiting for the customer)."""
        ...

    def refund(
        self,
        *,
        reference: UUID,
        provider_ref: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> ProviderResult:
        """Give back `amount` of a captured payment, once per `idempotency_key`."""
        ...

    def retrieve(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        """Where the payment stands at the provider (reconciliation). Found by
        `provider_ref` when known, else by our `reference`; ERROR with `NOT_FOUND` when the
        provider has no such payment."""
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """The event of a signed webhook; WebhookInvalid when forged, stale or malformed.
        `headers` keys are lower-case."""
        ...
