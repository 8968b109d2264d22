"""The statement of account of a company: its invoices (debit), credit notes and payments
received (credit) in date order, with the running balance (docs/invoicing.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.invoicing.models import Invoice, InvoiceKind, ReceivedPayment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StatementLine:
    day: date
    kind: str  # invoice, credit_note, payment
    reference: str
    due_date: date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    start: date | None
    end: date | None
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal


def _entries(company_id: int) -> list[tuple[date, int, str, str, date | None, Decimal, Decimal]]:
    entries = []
    for invoice in Invoice.objects.filter(company_id=company_id).only(
        "issue_date", "kind", "number", "due_date", "total_gross", "id"
    ):
        invoice_kind = invoice.kind == InvoiceKind.INVOICE
        entries.append(
            (
                invoice.issue_date,
                invoice.pk,
                str(invoice.kind),
                invoice.number,
                invoice.due_date if invoice_kind else None,
                invoice.total_gross if invoice_kind else ZERO,
                ZERO if invoice_kind else invoice.total_gross,
            )
        )
    for payment in ReceivedPayment.objects.filter(company_id=company_id).only(
        "received_on", "reference", "amount", "id"
    ):
        entries.append(
            (payment.received_on, 0, "payment", payment.reference, None, ZERO, payment.amount)
        )
    entries.sort(key=lambda e: (e[0], e[2] == "payment", e[1]))
    return entries


def statement_for_company(
    *, company_id: int, start: date | None = None, end: date | None = None
) -> Statement:
    """Lines from `start` to `end` (both included; None: open-ended), the balance
    brought forward at `start` and the closing balance. Two queries."""
    if start is not None and end is not None and start > end:
        message = _("The start is after the end.")
        raise InvalidInput(message, code="INVALID_FILTER", errors={"start": [message]})
    balance, opening = ZERO, ZERO
    lines: list[StatementLine] = []
    for day, _pk, kind, reference, due, debit, credit in _entries(company_id):
        if end is not None and day > end:
            break
        balance += debit - credit
        if start is not None and day < start:
            opening = balance
            continue
        lines.append(StatementLine(day, kind, reference, due, debit, credit, balance))
    return Statement(start, end, opening, lines, balance)
