"""Schemas of the invoicing API. Money is a string with two decimals; amounts and limits
are taken as JSON numbers or strings and checked by the services (precise 400 codes)."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from ninja import Field, Schema


class TermsOut(Schema):
    code: str
    name: str
    net_days: int
    end_of_month: bool
    discount_percent: str
    discount_days: int


class TermsListOut(Schema):
    results: list[TermsOut]


class CreditOut(Schema):
    on_account_allowed: bool
    credit_limit: str | None = Field(description="None: no limit.")
    outstanding: str
    available: str | None = Field(description="What may still be ordered on account.")
    currency: str
    terms: TermsOut | None


class BillingAccountIn(Schema):
    terms: str | None = Field(None, description="Code of active payment terms.")
    credit_limit: str | int | None = Field(
        None, description="0 or more, two decimals; null: no limit."
    )
    on_account_allowed: bool | None = None
    currency: str | None = Field(None, description="ISO 4217 code.")
    note: str = Field("", description="Why it changed (kept in the history).")


class BillingAccountChangeOut(Schema):
    changed_at: datetime
    changed_by: str | None
    terms: str
    on_account_allowed: bool
    credit_limit: str | None
    currency: str
    note: str


class BillingAccountOut(Schema):
    company_id: int
    terms: TermsOut
    on_account_allowed: bool
    credit_limit: str | None
    currency: str
    outstanding: str
    available: str | None
    changed_by: str | None
    updated_at: datetime
    history: list[BillingAccountChangeOut]


class InvoiceLineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_net: str
    tax_rate: str
    net: str
    tax: str
    gross: str


class InvoiceTaxBucketOut(Schema):
    rate: str
    net: str
    tax: str
    category: str
    exemption_code: str
    exemption_reason: str


class InvoiceSummaryOut(Schema):
    number: str
    kind: str = Field(description="invoice or credit_note")
    status: str = Field(
        description="open, partially_paid, paid, credited (invoices); issued (credit notes)"
    )
    overdue: bool
    issue_date: date
    due_date: date
    currency: str
    total_net: str
    total_tax: str
    total_gross: str
    balance: str
    order_number: str
    po_number: str
    credited_invoice: str | None
    pdf_url: str


class InvoiceOut(InvoiceSummaryOut):
    issued_at: datetime
    discount_date: date | None
    discount_percent: str
    discount_amount: str
    amount_paid: str
    amount_credited: str
    seller: dict[str, str]
    buyer: dict[str, str]
    lines: list[InvoiceLineOut]
    tax_breakdown: list[InvoiceTaxBucketOut]
    tax_treatment: str
    terms: dict[str, str]
    legal_mentions: list[str]
    reason: str


class InvoiceListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[InvoiceSummaryOut]


class InvoiceListQuery(Schema):
    status: str | None = Field(
        None, description="open, partially_paid, paid, credited, issued or overdue."
    )
    due_before: date | None = Field(None, description="Due on or before this day.")
    page: int | None = None
    page_size: int | None = None


class StaffInvoiceListQuery(InvoiceListQuery):
    company: int | None = Field(None, description="Id of a company.")
    kind: str | None = Field(None, description="invoice or credit_note")


class CreditNoteIn(Schema):
    amount: str | int | None = Field(
        None, description="Gross amount to credit; null: all that is not credited yet."
    )
    reason: str = ""


class PaymentIn(Schema):
    company_id: int
    amount: str | int = Field(description="Gross amount received, two decimals.")
    received_on: str = Field(description="YYYY-MM-DD, not in the future.")
    reference: str = Field(description="The bank's reference, unique per company.")
    method: str = Field("transfer", description="transfer, cheque, card or other")
    invoice: str | None = Field(
        None, description="Number of the invoice it pays; none: oldest due first."
    )
    note: str = ""


class AllocationOut(Schema):
    invoice: str
    amount: str


class ReceivedPaymentOut(Schema):
    id: int
    company_id: int
    amount: str
    currency: str
    received_on: date
    method: str
    reference: str
    unallocated: str
    allocations: list[AllocationOut]


class PaymentsImportOut(Schema):
    recorded: int
    skipped: int = Field(description="Rows already recorded (same reference).")
    errors: dict[str, list[str]]


class StatementLineOut(Schema):
    date: dt.date
    kind: str = Field(description="invoice, credit_note or payment")
    reference: str
    due_date: dt.date | None
    debit: str
    credit: str
    balance: str


class StatementOut(Schema):
    company: str
    currency: str
    start: date | None
    end: date | None
    opening_balance: str
    lines: list[StatementLineOut]
    closing_balance: str


class StatementQuery(Schema):
    start: date | None = Field(None, description="From this day (included).")
    end: date | None = Field(None, description="To this day (included).")
