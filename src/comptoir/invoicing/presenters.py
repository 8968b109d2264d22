"""The JSON shapes of the invoicing API (money as strings with two decimals)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from comptoir.invoicing.models import (
    BillingAccount,
    BillingAccountChange,
    Invoice,
    InvoiceStatus,
    PaymentTerms,
    ReceivedPayment,
)
from comptoir.invoicing.selectors import CreditSummary
from comptoir.invoicing.statements import Statement


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def terms_out(terms: PaymentTerms) -> dict[str, Any]:
    return {
        "code": terms.code,
        "name": terms.name,
        "net_days": terms.net_days,
        "end_of_month": terms.end_of_month,
        "discount_percent": f"{terms.discount_percent:.2f}",
        "discount_days": terms.discount_days,
    }


def credit_out(summary: CreditSummary) -> dict[str, Any]:
    return {
        "on_account_allowed": summary.on_account_allowed,
        "credit_limit": _money(summary.credit_limit),
        "outstanding": _money(summary.outstanding),
        "available": _money(summary.available),
        "currency": summary.currency,
        "terms": terms_out(summary.terms) if summary.terms else None,
    }


def _who(user: Any) -> str | None:
    return None if user is None else user.email


def change_out(change: BillingAccountChange) -> dict[str, Any]:
    return {
        "changed_at": change.changed_at,
        "changed_by": _who(change.changed_by),
        "terms": change.terms_code,
        "on_account_allowed": change.on_account_allowed,
        "credit_limit": _money(change.credit_limit),
        "currency": change.currency,
        "note": change.note,
    }


def account_out(
    account: BillingAccount, summary: CreditSummary, history: list[BillingAccountChange]
) -> dict[str, Any]:
    return {
        "company_id": account.company_id,
        "terms": terms_out(account.terms),
        "on_account_allowed": account.on_account_allowed,
        "credit_limit": _money(account.credit_limit),
        "currency": account.currency,
        "outstanding": _money(summary.outstanding),
        "available": _money(summary.available),
        "changed_by": _who(account.changed_by),
        "updated_at": account.updated_at,
        "history": [change_out(change) for change in history],
    }


def overdue(invoice: Invoice) -> bool:
    return (
        invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
        and invoice.due_date < timezone.localdate()
    )


def summary_out(invoice: Invoice, *, staff: bool = False) -> dict[str, Any]:
    base = "/api/v1/admin/invoices" if staff else "/api/v1/invoices"
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "status": invoice.status,
        "overdue": overdue(invoice),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "total_net": _money(invoice.total_net),
        "total_tax": _money(invoice.total_tax),
        "total_gross": _money(invoice.total_gross),
        "balance": _money(invoice.balance),
        "order_number": invoice.order_number,
        "po_number": invoice.po_number,
        "credited_invoice": invoice.credited_invoice.number if invoice.credited_invoice else None,
        "pdf_url": f"{base}/{invoice.number}.pdf",
    }


def invoice_out(invoice: Invoice, *, staff: bool = False) -> dict[str, Any]:
    return summary_out(invoice, staff=staff) | {
        "issued_at": invoice.issued_at,
        "discount_date": invoice.discount_date,
        "discount_percent": f"{invoice.discount_percent:.2f}",
        "discount_amount": _money(invoice.discount_amount),
        "amount_paid": _money(invoice.amount_paid),
        "amount_credited": _money(invoice.amount_credited),
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "lines": invoice.lines,
        "tax_breakdown": invoice.tax_breakdown,
        "tax_treatment": invoice.tax_treatment,
        "terms": invoice.terms,
        "legal_mentions": invoice.legal_mentions,
        "reason": invoice.reason,
    }


def payment_out(payment: ReceivedPayment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "company_id": payment.company_id,
        "amount": _money(payment.amount),
        "currency": payment.currency,
        "received_on": payment.received_on,
        "method": payment.method,
        "reference": payment.reference,
        "unallocated": _money(payment.unallocated),
        "allocations": [
            {"invoice": allocation.invoice.number, "amount": _money(allocation.amount)}
            for allocation in payment.allocations.select_related("invoice")
        ],
    }


def statement_out(statement: Statement, *, company: str, currency: str) -> dict[str, Any]:
    return {
        "company": company,
        "currency": currency,
        "start": statement.start,
        "end": statement.end,
        "opening_balance": _money(statement.opening),
        "lines": [
            {
                "date": line.day,
                "kind": line.kind,
                "reference": line.reference,
                "due_date": line.due_date,
                "debit": _money(line.debit),
                "credit": _money(line.credit),
                "balance": _money(line.balance),
            }
            for line in statement.lines
        ],
        "closing_balance": _money(statement.closing),
    }
