"""Numbering, issuing and payments under concurrency (PostgreSQL, threads): numbers stay
gapless and unique, one order gets one invoice however many staff click at once, and
payments recorded together never pay an invoice beyond its total."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.companies.tests.factories import FrenchCompanyFactory
from comptoir.core.testing import race
from comptoir.invoicing import locks, services
from comptoir.invoicing.models import (
    Invoice,
    InvoiceSequence,
    PaymentAllocation,
    ReceivedPayment,
)
from comptoir.invoicing.services import settlement
from comptoir.invoicing.tests.factories import account_for, order_for
from comptoir.orders.models import Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def issue(order: Order) -> Callable[[], object]:
    return lambda: services.invoice_issue_for_order(order=order)


def test_invoices_issued_at_once_take_consecutive_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    orders = [order_for(company) for _ in range(6)]
    outcomes = race(monkeypatch, locks, "order_lock", [issue(order) for order in orders])
    assert outcomes == ["ok"] * 6
    year = timezone.localdate().year
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"F{year}-{n:06d}" for n in range(1, 7)
    ]
    assert InvoiceSequence.objects.get(series="F", year=year).last == 6


def test_one_order_invoiced_by_five_clerks_at_once_has_one_invoice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    order = order_for(company)
    outcomes = race(monkeypatch, locks, "order_lock", [issue(order) for _ in range(5)])
    assert Counter(outcomes) == {"ok": 5}
    assert Invoice.objects.filter(order=order).count() == 1
    assert InvoiceSequence.objects.get(series="F").last == 1


def test_payments_recorded_at_once_never_pay_an_invoice_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    invoice = services.invoice_issue_for_order(order=order_for(company))  # 240.00

    def record(n: int) -> Callable[[], object]:
        return lambda: services.payment_record(
            company=company,
            amount="100.00",
            received_on=str(timezone.localdate()),
            reference=f"VIR-{n}",
        )

    outcomes = race(monkeypatch, settlement, "_target", [record(n) for n in range(4)])
    assert outcomes == ["ok"] * 4
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("240.00"))
    payments = ReceivedPayment.objects.all()
    assert sum(p.unallocated for p in payments) == Decimal("160.00")
    assert sum(a.amount for a in PaymentAllocation.objects.all()) == Decimal("240.00")


def test_money_paid_ahead_pays_invoices_issued_at_once_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    payment = services.payment_record(
        company=company, amount="100.00", received_on=str(timezone.localdate()), reference="AV-1"
    )
    orders = [order_for(company, unit_gross="60.00", quantity=1) for _ in range(4)]

    outcomes = race(monkeypatch, locks, "order_lock", [issue(order) for order in orders])

    assert outcomes == ["ok"] * 4
    payment.refresh_from_db()
    assert payment.unallocated == Decimal("0.00")
    paid = sorted(Invoice.objects.values_list("amount_paid", flat=True))
    assert paid == [Decimal("0.00"), Decimal("0.00"), Decimal("40.00"), Decimal("60.00")]
    assert sum(PaymentAllocation.objects.values_list("amount", flat=True)) == Decimal("100.00")
