"""Ninja schemas of the payments API. Money is a string with two decimals in responses;
requests accept strings or numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]


class PaymentMethodOut(Schema):
    code: str
    name: str


class PaymentMethodsOut(Schema):
    channel: str
    results: list[PaymentMethodOut]


class PaymentOut(Schema):
    reference: str
    method: str
    state: str
    amount: str
    currency: str
    amount_captured: str
    amount_refunded: str
    action_url: str = Field(description="Where the customer completes a second step, if any.")
    error_code: str
    order: str | None = Field(description="The order number, once the order exists.")


class WebhookOut(Schema):
    received: bool
    payment: str | None = Field(description="The reference of the payment the event is about.")
    state: str | None


class TransactionOut(Schema):
    id: int
    kind: str
    result: str
    amount: str
    provider_ref: str
    error_code: str
    key: str
    raw: dict[str, object]
    actor: str | None
    created_at: datetime


class PaymentAdminOut(PaymentOut):
    checkout_ref: str
    provider_ref: str
    source: str
    card_brand: str
    card_last4: str
    email: str
    amount_refund_pending: str
    created_at: datetime
    updated_at: datetime


class PaymentDetailOut(PaymentAdminOut):
    transactions: list[TransactionOut]


class PaymentListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[PaymentAdminOut]


class MarkReceivedIn(Schema):
    amount: Amount
    reference: Annotated[str, StringConstraints(max_length=255)] = Field(
        "", description="The bank's reference of the transfer: recording it twice is a no-op."
    )


class RefundIn(Schema):
    amount: Amount
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class PaymentListQuery(Schema):
    state: str | None = Field(None, description="A payment state.")
    method: str | None = Field(None, description="A payment method code.")
    order: str | None = Field(None, max_length=32, description="An order number.")
    checkout: str | None = Field(None, max_length=120, description="A checkout reference.")
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")
