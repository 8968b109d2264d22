"""Writes of invoicing (docs/invoicing.md): billing accounts and the credit check
(`credit`), invoices and credit notes (`invoices`), payments received (`settlement`),
reminders (`dunning`)."""

from comptoir.invoicing.services.credit import (
    billing_account_set,
    credit_allowed,
    credit_check,
)
from comptoir.invoicing.services.dunning import dunning_run
from comptoir.invoicing.services.invoices import (
    credit_note_issue,
    credit_note_issue_keyed,
    invoice_issue,
    invoice_issue_for_order,
)
from comptoir.invoicing.services.settlement import ImportResult, payment_record, payments_import

__all__ = [
    "ImportResult",
    "billing_account_set",
    "credit_allowed",
    "credit_check",
    "credit_note_issue",
    "credit_note_issue_keyed",
    "dunning_run",
    "invoice_issue",
    "invoice_issue_for_order",
    "payment_record",
    "payments_import",
]
