"""Ninja schemas of the quotes API. Money is a string with two decimals ("19.90") next to
the quote's `currency`; prices on quotes are excluding tax (B2B)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from comptoir.approvals.schemas import ApprovalOut


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class QuoteLineIn(_In):
    sku: Any = Field(..., description="A SKU of the catalog.")
    quantity: Any = Field(..., description="Whole units; the variant's quantity rule applies.")
    target_unit_price: Any = Field(None, description="The price the buyer hopes for, excl. tax.")


class QuoteRequestIn(_In):
    cart: str | None = Field(
        None, description="Quote the lines of this cart (its token); or give `lines`."
    )
    lines: list[QuoteLineIn] | None = None
    channel: str | None = Field(None, description="Channel code (default: the business channel).")
    comment: Any = None
    shipping_address: Any = None


class QuoteCommentIn(_In):
    body: Any = None


class QuoteReasonIn(_In):
    comment: Any = None


class QuoteAcceptIn(_In):
    payment_method: Any = Field(..., description="on_account or bank_transfer")
    po_number: Any = None


class QuotePatchIn(_In):
    discount_percent: Any = Field(None, description='Percent off every line, "0" to "100".')
    shipping_method: Any = Field(None, description='A shipping method code, "" for none.')
    shipping_price: Any = Field(None, description="Shipping cost excl. tax.")
    expires_at: datetime | None = None
    shipping_address: Any = None
    billing_address: Any = None


class QuoteStaffLineIn(_In):
    sku: Any
    quantity: Any
    unit_price: Any = Field(None, description="Negotiated unit price excl. tax (default: list).")


class QuoteStaffLinePatchIn(_In):
    quantity: Any = None
    unit_price: Any = None


class QuoteSendIn(_In):
    comment: Any = None


class QuoteLineOut(Schema):
    id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    list_unit_net: str
    list_rule: str
    target_unit_net: str | None
    unit_net: str
    tax_rate: str
    subtotal_net: str
    discount_net: str
    total_net: str
    total_tax: str
    total_gross: str


class QuoteCommentOut(Schema):
    id: int
    author: str
    by_staff: bool
    body: str
    created_at: datetime


class QuoteAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    created_at: datetime


class QuoteRevisionOut(Schema):
    version: int
    comment: str
    created_at: datetime
    snapshot: dict[str, Any]


class QuoteSummaryOut(Schema):
    number: str
    state: str
    company: str
    requested_by: str
    currency: str
    total_net: str
    total_gross: str
    line_count: int
    version: int
    expires_at: datetime
    created_at: datetime


class QuoteOut(Schema):
    number: str
    state: str
    company: str
    requested_by: str
    channel: str
    currency: str
    language: str
    version: int
    expires_at: datetime
    tax_treatment: str
    legal_mention: str
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    shipping_method: str
    shipping_method_name: str
    discount_percent: str
    subtotal_net: str
    discount_net: str
    shipping_net: str
    shipping_tax: str
    total_net: str
    total_tax: str
    total_gross: str
    order: str | None
    lines: list[QuoteLineOut]
    comments: list[QuoteCommentOut]
    attachments: list[QuoteAttachmentOut]
    revisions: list[QuoteRevisionOut]
    external_ref: str | None
    metadata: dict[str, Any]
    created_at: datetime


class QuoteEventOut(Schema):
    kind: str
    actor: str | None
    data: dict[str, Any]
    created_at: datetime


class QuoteStaffOut(QuoteOut):
    events: list[QuoteEventOut]


class QuoteListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[QuoteSummaryOut]


class QuoteMoneyOut(Schema):
    net: str
    tax: str
    gross: str
    currency: str


class QuoteAcceptedOrderOut(Schema):
    number: str
    status: str
    payment_status: str
    currency: str
    total: QuoteMoneyOut


class QuoteAcceptedOut(Schema):
    quote: str
    state: str
    order: QuoteAcceptedOrderOut


class QuoteApprovalPendingOut(Schema):
    """The 202 answer of an accept the company's approval rules apply to."""

    quote: str
    state: str = Field(description="accepted: the order is placed once approved.")
    status: str = Field(description="approval_pending")
    code: str = Field(description="APPROVAL_REQUIRED")
    approval: ApprovalOut
