"""`selectors.invoices_due_summary`: what the unsettled invoices of a company owe, in all
and past due, in one query; credit notes, paid invoices and other companies' don't
count."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comptoir.companies.tests.factories import FrenchCompanyFactory
from comptoir.invoicing import selectors, services
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import account_for, order_for

pytestmark = pytest.mark.django_db


def test_open_and_overdue(django_assert_num_queries: Any) -> None:
    today = timezone.localdate()
    company, other = FrenchCompanyFactory.create(), FrenchCompanyFactory.create()
    account_for(company, limit=None)
    account_for(other, limit=None)
    late = services.invoice_issue_for_order(order=order_for(company))  # 240.00
    Invoice.objects.filter(pk=late.pk).update(due_date=today - timedelta(days=1))
    current = services.invoice_issue_for_order(order=order_for(company, quantity=3))  # 360.00
    services.credit_note_issue(invoice=current, amount="60.00", actor=None)
    paid = services.invoice_issue_for_order(order=order_for(company))
    services.payment_record(
        company=company, amount="240.00", received_on=today, reference="R1", invoice=paid.number
    )
    services.invoice_issue_for_order(order=order_for(other))
    with django_assert_num_queries(1):
        due = selectors.invoices_due_summary(company_id=company.pk)
    assert due.open_count == 2
    assert due.open_amount == Decimal("540.00")  # 240.00 + 360.00 - 60.00
    assert due.overdue_count == 1
    assert due.overdue_amount == Decimal("240.00")
    assert due.next_due == today - timedelta(days=1)


def test_nothing_owed() -> None:
    due = selectors.invoices_due_summary(company_id=FrenchCompanyFactory.create().pk)
    assert (due.open_count, due.open_amount, due.overdue_count, due.next_due) == (
        0,
        Decimal("0.00"),
        0,
        None,
    )
