"""Payments received: recorded by staff or imported from a bank statement (CSV), matched
to the company's invoices, with the early-payment discount granted (as a credit note)
when the payment came in time (docs/invoicing.md, "Payments received")."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.companies.models import Company
from comptoir.core import csv_files
from comptoir.core.audit import audit
from comptoir.core.errors import Conflict, DomainError, InvalidInput
from comptoir.core.validation import amount_check, text_check
from comptoir.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentAllocation,
    PaymentMethodReceived,
    ReceivedPayment,
)
from comptoir.invoicing.services.invoices import credit_note_issue, settled_status

ZERO = Decimal("0.00")
UNSETTLED = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
_REFERENCE = re.compile(r"^[^\x00-\x1f]{1,100}$")


def _invalid(field_name: str, message: str, code: str = "INVALID_INPUT") -> InvalidInput:
    return InvalidInput(message, code=code, errors={field_name: [message]})


def _day(value: object) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date) or value > timezone.localdate():
        raise _invalid(
            "received_on", _("Enter the day the money came in (YYYY-MM-DD, not in the future).")
        )
    return value


def _target(company: Company, number: str | None) -> Invoice | None:
    if not number:
        return None
    invoice = Invoice.objects.filter(
        company=company, number=str(number)[:32], kind=InvoiceKind.INVOICE
    ).first()
    if invoice is None:
        raise _invalid("invoice", _("No such invoice for this company."), "UNKNOWN_INVOICE")
    return invoice


def _settle(invoice: Invoice, amount: Decimal, received_on: date) -> tuple[Decimal, Decimal]:
    """Take what `invoice` (locked) still owes out of `amount`: (taken, discount). The
    early-payment discount is granted, by a credit note, when the money came by the
    discount date and covers the rest of the invoice."""
    discount = ZERO
    if (
        invoice.discount_date is not None
        and received_on <= invoice.discount_date
        and invoice.discount_amount > 0
        and invoice.amount_credited == 0
        and amount >= invoice.balance - invoice.discount_amount
    ):
        discount = invoice.discount_amount
        credit_note_issue(
            invoice=invoice,
            amount=discount,
            reason=_("Early-payment discount"),
        )
        invoice.refresh_from_db()
    taken = min(amount, invoice.balance)
    if taken > 0:
        invoice.amount_paid += taken
        invoice.status = settled_status(
            total=invoice.total_gross, paid=invoice.amount_paid, credited=invoice.amount_credited
        )
        invoice.save(update_fields=["amount_paid", "status"])
    return taken, discount


def payment_record(
    *,
    company: Company,
    amount: object,
    received_on: object,
    reference: object,
    method: object = PaymentMethodReceived.TRANSFER,
    invoice: str | None = None,
    note: object = "",
    actor: Any = None,
) -> ReceivedPayment:
    """Record `amount` received from `company` and match it: to `invoice` (a number) when
    given, else to the company's unsettled invoices, oldest due first. What is left stays
    `unallocated` on the payment. The invoices are locked in primary-key order.

    400 INVALID_AMOUNT / INVALID_INPUT (day, reference, method, note) / UNKNOWN_INVOICE /
    INVALID_TEXT; 409 PAYMENT_ALREADY_RECORDED (same reference for the company)."""
    amount_ = amount_check(amount, currency="EUR")
    day = _day(received_on)
    if not isinstance(reference, str) or not _REFERENCE.match(reference.strip() or "\x00"):
        raise _invalid("reference", _("Enter the bank reference (at most 100 characters)."))
    if method not in PaymentMethodReceived.values:
        raise _invalid("method", _("Unknown payment method."))
    if not isinstance(note, str) or len(note) > 500:
        raise _invalid("note", _("At most 500 characters."))
    text_check(reference=reference, note=note)
    target = _target(company, invoice)
    already = Conflict(
        _("A payment with this reference is already recorded."), code="PAYMENT_ALREADY_RECORDED"
    )
    with transaction.atomic():
        if ReceivedPayment.objects.filter(company=company, reference=reference.strip()).exists():
            raise already
        candidates = Invoice.objects.filter(company=company, kind=InvoiceKind.INVOICE)
        candidates = (
            candidates.filter(pk=target.pk) if target else candidates.filter(status__in=UNSETTLED)
        )
        locked = list(candidates.select_for_update().order_by("pk"))
        try:
            with transaction.atomic():  # the same reference recorded at once elsewhere
                payment = ReceivedPayment.objects.create(
                    company=company,
                    amount=amount_,
                    received_on=day,
                    method=str(method),
                    reference=reference.strip(),
                    note=note.strip(),
                    unallocated=amount_,
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise already from None
        left = amount_
        for invoice_ in sorted(locked, key=lambda i: (i.due_date, i.pk)):
            if left <= 0:
                break
            taken, _discount = _settle(invoice_, left, day)
            if taken > 0:
                PaymentAllocation.objects.create(payment=payment, invoice=invoice_, amount=taken)
                left -= taken
        payment.unallocated = left
        payment.save(update_fields=["unallocated"])
        audit(actor=payment.recorded_by, obj=payment, flag=ADDITION, message=_("Recorded."))
    return payment


def unallocated_apply(*, invoice: Invoice) -> Decimal:
    """Settle `invoice` (just issued, in the caller's transaction) from the money its
    company paid that nothing took yet (`unallocated`), oldest payment first; returns the
    amount taken. The payments are locked in (received_on, pk) order, so two invoices issued
    at once take each euro once."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.company_id is None:
        return ZERO
    payments = (
        ReceivedPayment.objects.filter(company_id=invoice.company_id, unallocated__gt=0)
        .select_for_update()
        .order_by("received_on", "pk")
    )
    applied = ZERO
    for payment in payments:
        if invoice.balance <= 0:
            break
        taken, _discount = _settle(invoice, payment.unallocated, payment.received_on)
        if taken > 0:
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=taken)
            payment.unallocated -= taken
            payment.save(update_fields=["unallocated"])
            applied += taken
    return applied


# --- CSV import ---------------------------------------------------------------------------

COLUMNS = ("received_on", "amount", "reference", "invoice", "siren", "method", "note")
REQUIRED = ("received_on", "amount", "reference")
MAX_BYTES = 2 << 20
MAX_ROWS = 5000


@dataclass
class ImportResult:
    recorded: int = 0
    skipped: int = 0  # already recorded (same reference): an import may be sent again
    errors: dict[str, list[str]] = field(default_factory=dict)


def _company_of_row(cells: dict[str, str]) -> Company:
    number, siren = cells.get("invoice", ""), cells.get("siren", "")
    if number:
        invoice = Invoice.objects.filter(number=number[:32], kind=InvoiceKind.INVOICE).first()
        if invoice is None or invoice.company_id is None:
            raise _invalid("invoice", _("No such invoice."), "UNKNOWN_INVOICE")
        return invoice.company  # type: ignore[return-value]
    company = Company.objects.filter(siren=siren[:9]).first() if siren else None
    if company is None:
        raise _invalid("siren", _("Give the invoice number or the SIREN of a known company."))
    return company


def payments_import(*, data: bytes | str, actor: Any = None) -> ImportResult:
    """Record each row of a bank statement CSV (columns: received_on, amount, reference,
    and invoice or siren; method and note optional). Each valid row is recorded in its own
    savepoint; rows already recorded (same reference) are skipped; the others are listed
    with their reason ("row N"). 400 INVALID_CSV / 413 CSV_TOO_LARGE for the file."""
    text = csv_files.decode(data, max_bytes=MAX_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_files.delimiter(text))
    result = ImportResult()
    columns: dict[str, int] | None = None
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = csv_files.header(cells, columns=COLUMNS, required=REQUIRED, key="row 1")
                continue
            if reader.line_num > MAX_ROWS + 1:
                raise csv_files.too_large(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
            row = {name: cells[i].strip() if i < len(cells) else "" for name, i in columns.items()}
            key = f"row {reader.line_num}"
            try:
                with transaction.atomic():
                    payment_record(
                        company=_company_of_row(row),
                        amount=row["amount"].replace(",", "."),
                        received_on=row["received_on"],
                        reference=row["reference"],
                        method=row.get("method") or PaymentMethodReceived.TRANSFER,
                        invoice=row.get("invoice") or None,
                        note=row.get("note", ""),
                        actor=actor,
                    )
            except Conflict as exc:
                if exc.code != "PAYMENT_ALREADY_RECORDED":
                    raise
                result.skipped += 1
            except DomainError as exc:
                result.errors[key] = [f"{exc.code}: {exc.detail}"]
            else:
                result.recorded += 1
    except csv.Error as exc:
        message = _("Unreadable CSV at row %(row)s: %(reason)s") % {
            "row": reader.line_num,
            "reason": str(exc),
        }
        raise csv_files.invalid_csv(message) from None
    if columns is None:
        raise csv_files.invalid_csv(
            _("The file is empty: it needs a header line (%(columns)s).")
            % {"columns": ",".join(COLUMNS)}
        )
    return result
