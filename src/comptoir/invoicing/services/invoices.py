"""Issuing invoices and credit notes: gapless numbers per series and year taken under the
sequence row's lock in the issuing transaction, snapshots copied from the order
(docs/invoicing.md). No service changes an issued document's snapshot."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core import idempotency
from comptoir.core.audit import audit
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.validation import amount_check, text_check
from comptoir.invoicing import documents, locks
from comptoir.invoicing.models import (
    BillingAccount,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentTerms,
)
from comptoir.invoicing.presenters import invoice_out
from comptoir.invoicing.terms import (
    Terms,
    discount_amount,
    discount_date,
    due_date,
    terms_text,
)
from comptoir.orders.models import Order, OrderStatus, PaymentStatus

ZERO = Decimal("0.00")
# An order is invoiced once it is paid or placed on account (docs/invoicing.md).
INVOICEABLE_PAYMENTS = frozenset(
    {PaymentStatus.PAID, PaymentStatus.ON_ACCOUNT, PaymentStatus.PARTIALLY_REFUNDED}
)
CLOSED_ORDERS = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})
ON_RECEIPT = Terms("on-receipt", "On receipt", 0, False, Decimal("0"), 0)


def _number(series: str, issued: date) -> tuple[int, str]:
    """The next number of `series` in the year of `issued` (call inside the issuing
    transaction: the sequence row stays locked until it ends, a rollback gives it back)."""
    sequence = locks.sequence_lock(series=series, year=issued.year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{series}{issued.year}-{sequence.last:06d}"


def _terms_of(order: Order) -> Terms:
    """The company's terms for an order on account; "on receipt" otherwise (it is paid)."""
    if order.payment_method == "on_account" and order.company_id is not None:
        account = (
            BillingAccount.objects.select_related("terms").filter(company=order.company_id).first()
        )
        if account is not None:
            return _terms(account.terms)
    return ON_RECEIPT


def _terms(row: PaymentTerms) -> Terms:
    return Terms(
        row.code,
        row.name,
        row.net_days,
        row.end_of_month,
        row.discount_percent,
        row.discount_days,
    )


def settled_status(*, total: Decimal, paid: Decimal, credited: Decimal) -> str:
    """An invoice's status from what was paid and credited on it."""
    if credited >= total > 0:
        return InvoiceStatus.CREDITED
    if paid + credited >= total:
        return InvoiceStatus.PAID
    if paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.OPEN


def _live_invoice(order: Order) -> Invoice | None:
    """The order's invoice not credited in full, if any."""
    return (
        Invoice.objects.filter(order=order, kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.CREDITED)
        .order_by("-id")
        .first()
    )


def invoice_issue_for_order(*, order: Order, actor: Any = None) -> Invoice:
    """The invoice of `order` (see `invoice_issue`)."""
    return invoice_issue(order=order, actor=actor)[0]


def invoice_issue(*, order: Order, actor: Any = None) -> tuple[Invoice, bool]:
    """The invoice of `order` and whether it was issued by this call: issued now (or the one already issued: idempotent; a new
    one only after the previous one was credited in full). The order is locked while its
    invoice is issued, so two calls at once make one invoice.

    409 ORDER_NOT_INVOICEABLE (cancelled or refunded order), ORDER_NOT_PAID (neither paid
    nor placed on account)."""
    with transaction.atomic():
        locked = locks.order_lock(order.pk).select_related("company").get()
        existing = _live_invoice(locked)
        if existing is not None:
            return existing, False
        if locked.status in CLOSED_ORDERS:
            raise Conflict(
                _("A cancelled or refunded order is not invoiced."), code="ORDER_NOT_INVOICEABLE"
            )
        if locked.payment_status not in INVOICEABLE_PAYMENTS:
            raise Conflict(
                _("The order is neither paid nor placed on account yet."), code="ORDER_NOT_PAID"
            )
        now = timezone.now()
        issued = timezone.localdate(now)
        terms = _terms_of(locked)
        with translation.override(locked.language or "fr"):
            lines = documents.order_lines(locked)
            taxes = documents.breakdown(lines, locked.tax_treatment)
        total_net = sum((Decimal(line["net"]) for line in lines), ZERO)
        total_tax = sum((Decimal(line["tax"]) for line in lines), ZERO)
        total = total_net + total_tax
        paid = min(locked.amount_paid, total)
        series = settings.COMPTOIR_INVOICE_SERIES
        sequence, number = _number(series, issued)
        with translation.override(locked.language or "fr"):
            mentions = documents.legal_mentions(treatment=locked.tax_treatment, terms=terms)
            terms_snapshot = {k: str(v) for k, v in asdict(terms).items()}
            terms_snapshot["text"] = terms_text(terms)
        invoice = Invoice.objects.create(
            number=number,
            kind=InvoiceKind.INVOICE,
            series=series,
            year=issued.year,
            sequence=sequence,
            status=settled_status(total=total, paid=paid, credited=ZERO),
            order=locked,
            company=locked.company,
            language=locked.language or "fr",
            issued_at=now,
            issue_date=issued,
            due_date=due_date(issued, terms),
            discount_date=discount_date(issued, terms),
            discount_percent=terms.discount_percent if discount_date(issued, terms) else ZERO,
            discount_amount=discount_amount(total, terms),
            currency=locked.currency,
            seller=documents.seller_snapshot(),
            buyer=documents.buyer_snapshot(locked),
            lines=lines,
            tax_breakdown=taxes,
            total_net=total_net,
            total_tax=total_tax,
            total_gross=total,
            amount_paid=paid,
            tax_treatment=locked.tax_treatment,
            terms=terms_snapshot,
            legal_mentions=mentions,
            po_number=locked.po_number,
            order_number=locked.number,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(actor=invoice.issued_by, obj=invoice, flag=ADDITION, message=_("Issued."))
        # Money the company sent ahead (unallocated) pays it at once. Imported here:
        # settlement builds on this module.
        from comptoir.invoicing.services.settlement import unallocated_apply

        if unallocated_apply(invoice=invoice) > 0:
            invoice.refresh_from_db()
    return invoice, True


def credit_note_issue(
    *, invoice: Invoice, amount: object = None, reason: str = "", actor: Any = None
) -> Invoice:
    """A credit note of `amount` (gross; None: all that is not credited yet) on `invoice`,
    with its own number in the credit note series. A full credit copies the invoice's
    lines; a partial one credits each tax rate in proportion.

    400 INVALID_AMOUNT / INVALID_INPUT / INVALID_TEXT; 409 NOT_AN_INVOICE (a credit note
    is not credited), CREDIT_EXCEEDS_INVOICE (more than the invoice's total not credited
    yet)."""
    if not isinstance(reason, str) or len(reason) > 500:
        message = _("At most 500 characters.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"reason": [message]})
    text_check(reason=reason)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.kind != InvoiceKind.INVOICE:
            raise Conflict(_("Only an invoice can be credited."), code="NOT_AN_INVOICE")
        remainder = locked.total_gross - locked.amount_credited
        amount_ = remainder if amount is None else amount_check(amount, currency=locked.currency)
        if amount_ > remainder or remainder <= 0:
            message = _("At most %(left)s %(currency)s of this invoice can still be credited.") % {
                "left": remainder,
                "currency": locked.currency,
            }
            raise Conflict(message, code="CREDIT_EXCEEDS_INVOICE", errors={"amount": [message]})
        with translation.override(locked.language):
            if amount_ == locked.total_gross:
                lines = list(locked.lines)
            else:
                label = _("Credit on invoice %(number)s") % {"number": locked.number}
                lines = documents.partial_lines(
                    locked.tax_breakdown, locked.total_gross, amount_, label
                )
            mentions = documents.legal_mentions(
                treatment=locked.tax_treatment, terms=None, credit_of=locked.number
            )
            taxes = documents.breakdown(lines, locked.tax_treatment)
        total_net = sum((Decimal(line["net"]) for line in lines), ZERO)
        now = timezone.now()
        issued = timezone.localdate(now)
        series = settings.COMPTOIR_CREDIT_NOTE_SERIES
        sequence, number = _number(series, issued)
        note = Invoice.objects.create(
            number=number,
            kind=InvoiceKind.CREDIT_NOTE,
            series=series,
            year=issued.year,
            sequence=sequence,
            status=InvoiceStatus.ISSUED,
            order_id=locked.order_id,
            company_id=locked.company_id,
            credited_invoice=locked,
            language=locked.language,
            issued_at=now,
            issue_date=issued,
            due_date=issued,
            currency=locked.currency,
            seller=locked.seller,
            buyer=locked.buyer,
            lines=lines,
            tax_breakdown=taxes,
            total_net=total_net,
            total_tax=amount_ - total_net,
            total_gross=amount_,
            tax_treatment=locked.tax_treatment,
            legal_mentions=mentions,
            po_number=locked.po_number,
            order_number=locked.order_number,
            reason=reason.strip(),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        locked.amount_credited += amount_
        locked.status = settled_status(
            total=locked.total_gross, paid=locked.amount_paid, credited=locked.amount_credited
        )
        locked.save(update_fields=["amount_credited", "status"])
        audit(actor=note.issued_by, obj=note, flag=ADDITION, message=_("Issued."))
    return note


def credit_note_issue_keyed(
    *,
    idempotency_key: str | None,
    invoice: Invoice,
    amount: object = None,
    reason: str = "",
    actor: Any = None,
) -> tuple[int, dict[str, Any]]:
    """`credit_note_issue` for the API: (201, the credit note as the API shows it). With an
    `Idempotency-Key`, a retry with the same body replays the first answer and credits
    nothing more; the same key with another body is a 409 IDEMPOTENCY_KEY_REUSED."""
    if idempotency_key is None:
        note = credit_note_issue(invoice=invoice, amount=amount, reason=reason, actor=actor)
        return 201, invoice_out(note, staff=True)
    key = idempotency.key_check(idempotency_key)
    claimed = idempotency.claim(
        scope=f"credit-note:{invoice.number}",
        key=key,
        request_hash=idempotency.request_hash({"amount": str(amount), "reason": reason}),
    )
    if claimed.replay is not None:
        return claimed.replay
    assert claimed.record is not None
    try:
        with transaction.atomic():
            note = credit_note_issue(invoice=invoice, amount=amount, reason=reason, actor=actor)
            body = invoice_out(note, staff=True)
            idempotency.complete(record=claimed.record, status=201, body=body)
    except BaseException:
        idempotency.release(record=claimed.record)
        raise
    return 201, body
