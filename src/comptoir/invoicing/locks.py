"""Row locks of invoicing, each taken in one place (docs/invoicing.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from comptoir.invoicing.models import BillingAccount, InvoiceSequence
from comptoir.orders.models import Order


def billing_account_lock(company_id: int) -> BillingAccount | None:
    """The company's billing account, locked until the transaction ends (None: none)."""
    return BillingAccount.objects.select_for_update().filter(company_id=company_id).first()


def sequence_lock(*, series: str, year: int) -> InvoiceSequence:
    """The series' sequence row of `year`, created when missing, locked until the
    transaction ends: the next number is taken under it."""
    InvoiceSequence.objects.bulk_create(
        [InvoiceSequence(series=series, year=year)], ignore_conflicts=True
    )
    return InvoiceSequence.objects.select_for_update().get(series=series, year=year)


def order_lock(order_id: int) -> QuerySet[Order]:
    """The order (its row only, whatever is joined to it), locked: one invoice is issued
    for it at a time."""
    return Order.objects.select_for_update(of=("self",)).filter(pk=order_id)
