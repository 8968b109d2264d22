"""Reads of invoicing: outstanding balances, credit summaries, invoices scoped to a
company (`invoice_for_company`: another company's invoice is NotFound)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.invoicing.models import (
    BillingAccount,
    BillingAccountChange,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentTerms,
)
from comptoir.orders.models import Order, OrderStatus

ZERO = Decimal("0.00")
UNSETTLED = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
# Orders that no longer owe anything whatever their invoices say.
CLOSED_ORDERS = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
STATUS_FILTERS = frozenset({*InvoiceStatus.values, "overdue"})


def _sum(queryset: QuerySet[Any], expression: Any) -> Decimal:
    total = queryset.aggregate(total=Coalesce(Sum(expression), ZERO))["total"]
    return Decimal(total).quantize(Decimal("0.01"))


def company_outstanding(*, company_id: int) -> Decimal:
    """What the company owes on account (docs/invoicing.md, "Outstanding"):

    - each issued invoice not settled (open or partially paid): total - credited - paid;
    - each order placed on account, neither cancelled nor refunded, for which no invoice
      was issued yet: total - paid.

    An invoiced order counts through its invoices only, so nothing counts twice. Two
    aggregate queries."""
    invoiced = Invoice.objects.filter(order_id=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    orders = (
        Order.objects.filter(company_id=company_id, payment_method="on_account")
        .exclude(status__in=CLOSED_ORDERS)
        .exclude(Exists(invoiced))
    )
    invoices = Invoice.objects.filter(
        company_id=company_id, kind=InvoiceKind.INVOICE, status__in=UNSETTLED
    )
    return _sum(orders, F("total_gross") - F("amount_paid")) + _sum(
        invoices, F("total_gross") - F("amount_credited") - F("amount_paid")
    )


@dataclass(frozen=True)
class CreditSummary:
    on_account_allowed: bool
    credit_limit: Decimal | None
    outstanding: Decimal
    available: Decimal | None
    currency: str
    terms: PaymentTerms | None


def credit_summary(*, company_id: int) -> CreditSummary:
    """The company's terms, limit, outstanding and what it may still order on account
    (`available`: None without a limit, never below 0)."""
    account = BillingAccount.objects.select_related("terms").filter(company_id=company_id).first()
    outstanding = company_outstanding(company_id=company_id)
    if account is None:
        return CreditSummary(False, None, outstanding, None, "EUR", None)
    limit = account.credit_limit
    available = None if limit is None else max(limit - outstanding, ZERO)
    return CreditSummary(
        account.on_account_allowed, limit, outstanding, available, account.currency, account.terms
    )


@dataclass(frozen=True)
class DueSummary:
    """What the company's unsettled invoices owe: all of them, and those past due."""

    open_count: int
    open_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    next_due: date | None  # the earliest due date of an unsettled invoice


def invoices_due_summary(*, company_id: int, today: date | None = None) -> DueSummary:
    """The company's unsettled invoices (open or partially paid): how many, what they still
    owe (total - credited - paid), and the same for those past due (`overdue` as the
    invoice filter means it). One aggregate query."""
    today = today or timezone.localdate()
    owed = F("total_gross") - F("amount_credited") - F("amount_paid")
    late = Q(due_date__lt=today)
    totals = Invoice.objects.filter(
        company_id=company_id, kind=InvoiceKind.INVOICE, status__in=UNSETTLED
    ).aggregate(
        open_count=Count("id"),
        open_amount=Coalesce(Sum(owed), ZERO),
        overdue_count=Count("id", filter=late),
        overdue_amount=Coalesce(Sum(owed, filter=late), ZERO),
        next_due=Min("due_date"),
    )
    cent = Decimal("0.01")
    return DueSummary(
        totals["open_count"],
        Decimal(totals["open_amount"]).quantize(cent),
        totals["overdue_count"],
        Decimal(totals["overdue_amount"]).quantize(cent),
        totals["next_due"],
    )


def payment_terms_list() -> list[PaymentTerms]:
    return list(PaymentTerms.objects.filter(is_active=True))


def payment_terms_by_code(*, code: object) -> PaymentTerms:
    """Active terms by code; InvalidInput(UNKNOWN_PAYMENT_TERMS) otherwise."""
    terms = None
    if isinstance(code, str) and len(code) <= 30:
        terms = PaymentTerms.objects.filter(code=code, is_active=True).first()
    if terms is None:
        message = _("Unknown payment terms.")
        raise InvalidInput(message, code="UNKNOWN_PAYMENT_TERMS", errors={"terms": [message]})
    return terms


def billing_account_get(*, company_id: int) -> BillingAccount:
    account = (
        BillingAccount.objects.select_related("terms", "changed_by")
        .filter(company_id=company_id)
        .first()
    )
    if account is None:
        raise NotFound(_("This company has no billing account."), code="BILLING_ACCOUNT_NOT_FOUND")
    return account


def billing_account_history(*, account: BillingAccount) -> list[BillingAccountChange]:
    return list(account.changes.select_related("changed_by")[:50])


# --- invoices ---------------------------------------------------------------------------


def _status_filter(queryset: QuerySet[Invoice], status: str | None, today: date) -> Any:
    if status is None:
        return queryset
    if status not in STATUS_FILTERS:
        message = _("Unknown status.")
        raise InvalidInput(message, code="INVALID_FILTER", errors={"status": [message]})
    if status == "overdue":
        return queryset.filter(status__in=UNSETTLED, due_date__lt=today)
    return queryset.filter(status=status)


def invoice_list(
    *,
    company_id: int | None = None,
    status: str | None = None,
    due_before: date | None = None,
    kind: str | None = None,
    page: PageRequest,
) -> tuple[list[Invoice], int]:
    """Invoices newest first, of one company when `company_id` is given (two queries)."""
    queryset = Invoice.objects.all()
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    if kind is not None:
        if kind not in InvoiceKind.values:
            message = _("Unknown kind.")
            raise InvalidInput(message, code="INVALID_FILTER", errors={"kind": [message]})
        queryset = queryset.filter(kind=kind)
    queryset = _status_filter(queryset, status, timezone.localdate())
    if due_before is not None:
        queryset = queryset.filter(due_date__lte=due_before)
    count = queryset.count()
    rows = list(
        queryset.select_related("credited_invoice")[page.offset : page.offset + page.page_size]
    )
    return rows, count


def invoice_for_company(*, company_id: int, number: str) -> Invoice:
    """The company's invoice `number`; NotFound (INVOICE_NOT_FOUND) for any other."""
    invoice = (
        Invoice.objects.select_related("credited_invoice")
        .filter(Q(company_id=company_id) & Q(number=number[:32]))
        .first()
    )
    if invoice is None:
        raise NotFound(_("No such invoice."), code="INVOICE_NOT_FOUND")
    return invoice


def invoice_get(*, number: str) -> Invoice:
    """Any invoice by number (staff); NotFound (INVOICE_NOT_FOUND)."""
    invoice = Invoice.objects.select_related("credited_invoice").filter(number=number[:32]).first()
    if invoice is None:
        raise NotFound(_("No such invoice."), code="INVOICE_NOT_FOUND")
    return invoice
