"""Billing accounts, the outstanding balance and the credit check (services and
selectors); the checkout and the race are in test_checkout_on_account.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.companies.tests.factories import CompanyFactory, FrenchCompanyFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.invoicing import selectors, services
from comptoir.invoicing.models import BillingAccount, BillingAccountChange, PaymentTerms
from comptoir.invoicing.terms import Terms, discount_amount, discount_date, due_date
from comptoir.invoicing.tests.factories import account_for, order_for
from comptoir.orders.models import Order, OrderStatus
from comptoir.payments.providers import on_account

pytestmark = pytest.mark.django_db


def test_seeded_terms() -> None:
    assert [
        (t.code, t.net_days, t.end_of_month, t.discount_percent, t.discount_days)
        for t in PaymentTerms.objects.order_by("code")
    ] == [
        ("2-10-net-30", 30, False, Decimal("2.00"), 10),
        ("net-30", 30, False, Decimal("0.00"), 0),
        ("net-30-eom", 30, True, Decimal("0.00"), 0),
        ("net-45", 45, False, Decimal("0.00"), 0),
        ("net-60", 60, False, Decimal("0.00"), 0),
    ]


@pytest.mark.parametrize(
    ("issued", "days", "eom", "due"),
    [
        (date(2026, 1, 15), 30, False, date(2026, 2, 14)),
        (date(2026, 1, 15), 45, False, date(2026, 3, 1)),
        (date(2026, 1, 15), 30, True, date(2026, 2, 28)),
        (date(2028, 1, 31), 30, True, date(2028, 3, 31)),
        (date(2026, 12, 15), 60, False, date(2027, 2, 13)),
        (date(2026, 3, 3), 0, False, date(2026, 3, 3)),
    ],
)
def test_due_dates(issued: date, days: int, eom: bool, due: date) -> None:
    assert due_date(issued, Terms("x", "x", days, eom, Decimal(0), 0)) == due


def test_early_payment_discount() -> None:
    terms = Terms("2-10", "2/10 net 30", 30, False, Decimal("2"), 10)
    assert discount_date(date(2026, 1, 25), terms) == date(2026, 2, 4)
    assert discount_amount(Decimal("123.45"), terms) == Decimal("2.47")  # 2.469 half-up
    none = Terms("net-30", "Net 30", 30, False, Decimal(0), 0)
    assert discount_date(date(2026, 1, 25), none) is None
    assert discount_amount(Decimal("123.45"), none) == Decimal("0.00")


def test_billing_account_set_keeps_who_changed_what() -> None:
    company = FrenchCompanyFactory.create()
    clerk = StaffFactory.create()
    created = services.billing_account_set(company=company, actor=clerk, credit_limit="5000")
    assert (created.terms.code, created.credit_limit, created.on_account_allowed) == (
        "net-30",
        Decimal("5000.00"),
        False,
    )
    changed = services.billing_account_set(
        company=company, actor=clerk, terms="net-60", on_account_allowed=True, note="Bon payeur"
    )
    assert changed.pk == created.pk
    assert changed.changed_by == clerk
    history = list(BillingAccountChange.objects.filter(account=changed).order_by("id"))
    assert [(h.terms_code, h.credit_limit, h.on_account_allowed, h.note) for h in history] == [
        ("net-30", Decimal("5000.00"), False, ""),
        ("net-60", Decimal("5000.00"), True, "Bon payeur"),
    ]
    assert {h.changed_by_id for h in history} == {clerk.pk}
    assert LogEntry.objects.filter(object_id=str(changed.pk), user=clerk).count() == 2
    services.billing_account_set(company=company, actor=clerk, credit_limit=None)
    assert BillingAccount.objects.get().credit_limit is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"terms": "net-90"}, "UNKNOWN_PAYMENT_TERMS"),
        ({"terms": 30}, "UNKNOWN_PAYMENT_TERMS"),
        ({"credit_limit": "-1"}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": "10.001"}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": "Infinity"}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": "lots"}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": True}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": "1e20"}, "INVALID_CREDIT_LIMIT"),
        ({"currency": "euro"}, "INVALID_CURRENCY"),
        ({"on_account_allowed": "yes"}, "INVALID_INPUT"),
        ({"note": "x" * 501}, "INVALID_INPUT"),
        ({"note": "\x00"}, "INVALID_TEXT"),
    ],
)
def test_billing_account_bad_input_changes_nothing(fields: dict[str, object], code: str) -> None:
    company = CompanyFactory.create()
    account_for(company, limit="100.00")
    with pytest.raises(InvalidInput) as refused:
        services.billing_account_set(company=company, actor=None, **fields)  # type: ignore[arg-type]
    assert refused.value.code == code
    account = BillingAccount.objects.get()
    assert (account.terms.code, account.credit_limit, account.currency) == (
        "net-30",
        Decimal("100.00"),
        "EUR",
    )
    assert BillingAccountChange.objects.count() == 1


def test_outstanding_counts_unpaid_orders_on_account_and_unsettled_invoices() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    open_order = order_for(company, unit_gross="100.00", quantity=1)  # 100.00, not invoiced
    invoiced = order_for(company, unit_gross="50.00", quantity=2)  # 100.00, invoiced
    cancelled = order_for(company, unit_gross="70.00", quantity=1)
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)
    order_for(company, on_account=False)  # paid by card: owes nothing
    order_for(None, unit_gross="999.00")  # another customer
    other = CompanyFactory.create()
    order_for(other, unit_gross="999.00")
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("200.00")

    invoice = services.invoice_issue_for_order(order=invoiced)
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("200.00")
    services.credit_note_issue(invoice=invoice, amount="30.00")
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("170.00")
    services.credit_note_issue(invoice=invoice)
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("100.00")
    Order.objects.filter(pk=open_order.pk).update(amount_paid=Decimal("40.00"))
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("60.00")


def test_credit_check_within_and_past_the_limit() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, limit="300.00")
    order_for(company, unit_gross="100.00", quantity=2)  # 200.00 outstanding
    assert on_account.allowed(company.pk)
    on_account.credit_check(company.pk, Decimal("100.00"))  # exactly the limit
    with pytest.raises(Conflict) as refused:
        on_account.credit_check(company.pk, Decimal("100.01"))
    assert refused.value.code == "CREDIT_LIMIT_EXCEEDED"
    assert refused.value.errors == {"credit": ["available=100.00", "amount=100.01"]}
    summary = selectors.credit_summary(company_id=company.pk)
    assert (summary.credit_limit, summary.outstanding, summary.available) == (
        Decimal("300.00"),
        Decimal("200.00"),
        Decimal("100.00"),
    )


def test_credit_check_without_limit_or_without_account() -> None:
    unlimited = FrenchCompanyFactory.create()
    account_for(unlimited, limit=None)
    on_account.credit_check(unlimited.pk, Decimal("1000000"))
    bare = CompanyFactory.create()
    assert not on_account.allowed(bare.pk)
    assert not on_account.allowed(None)
    with pytest.raises(Conflict) as refused:
        on_account.credit_check(bare.pk, Decimal("1"))
    assert refused.value.code == "ON_ACCOUNT_NOT_ALLOWED"
    services.billing_account_set(company=bare, actor=None, on_account_allowed=False)
    assert not on_account.allowed(bare.pk)
    closed = FrenchCompanyFactory.create(is_active=False)
    account_for(closed)
    assert not on_account.allowed(closed.pk)
