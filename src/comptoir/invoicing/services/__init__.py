"""Writes of invoicing (docs/invoicing.md): billing accounts and the credit check
(`credit`), invoices and credit notes (`invoices`)."""

from comptoir.invoicing.services.credit import (
    billing_account_set,
    credit_allowed,
    credit_check,
)
from comptoir.invoicing.services.invoices import (
    credit_note_issue,
    invoice_issue,
    invoice_issue_for_order,
)

__all__ = [
    "billing_account_set",
    "credit_allowed",
    "credit_check",
    "credit_note_issue",
    "invoice_issue",
    "invoice_issue_for_order",
]
