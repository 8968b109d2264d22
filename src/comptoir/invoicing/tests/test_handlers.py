"""A company's order is invoiced when its first parcel ships (outbox `order.shipped`,
`invoicing.handlers.order_shipped`): once, whatever the redeliveries or an invoice issued
by hand before; never a consumer's order, an order not paid nor on account, or with
`COMPTOIR_INVOICE_ON_SHIPMENT` off."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from comptoir.companies.models import Company
from comptoir.companies.tests.factories import FrenchCompanyFactory
from comptoir.core import outbox
from comptoir.core.models import OutboxEvent
from comptoir.invoicing import services
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import account_for
from comptoir.orders.models import Order, PaymentStatus
from comptoir.orders.services import fulfilment_create
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    company = FrenchCompanyFactory.create()
    account_for(company, limit=None)
    return company


def order_of(company: Company | None, payment: str = PaymentStatus.ON_ACCOUNT) -> Order:
    order = make_order(company_id=company.pk if company else None, payment_method="on_account")
    Order.objects.filter(pk=order.pk).update(payment_status=payment)
    order.refresh_from_db()
    return order


def ship(order: Order) -> int:
    """Ship one unit, then deliver the `order.shipped` events as a worker would (the test's
    transaction never commits; the other events are set aside)."""
    fulfilment_create(order=order, lines=[(order.lines.get().pk, 1)], carrier="ups")
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True)
    pending.exclude(topic="order.shipped").update(delivered_at=timezone.now())
    return outbox.deliver_pending()


def test_a_company_order_on_account_is_invoiced_at_its_first_parcel(company: Company) -> None:
    order = order_of(company)

    assert ship(order) == 1
    invoice = Invoice.objects.get(order=order)
    assert (invoice.company_id, invoice.issued_by_id, invoice.status) == (company.pk, None, "open")

    OutboxEvent.objects.filter(topic="order.shipped").update(delivered_at=None)
    assert outbox.deliver_pending() == 1  # redelivered: nothing more
    assert ship(order) == 1  # the second parcel
    assert Invoice.objects.filter(order=order).count() == 1


def test_an_order_invoiced_by_hand_is_not_invoiced_again(company: Company) -> None:
    order = order_of(company, PaymentStatus.PAID)
    by_hand = services.invoice_issue_for_order(order=order)

    ship(order)

    assert list(Invoice.objects.filter(order=order)) == [by_hand]


@pytest.mark.parametrize("payment", [PaymentStatus.PENDING, PaymentStatus.VOIDED])
def test_an_order_neither_paid_nor_on_account_is_not_invoiced(
    company: Company, payment: str
) -> None:
    order = order_of(company, payment)

    assert ship(order) == 1  # delivered: nothing to do is not a failure

    assert not Invoice.objects.exists()


def test_a_consumer_order_is_not_invoiced() -> None:
    order = order_of(None, PaymentStatus.PAID)
    ship(order)
    assert not Invoice.objects.exists()


@override_settings(COMPTOIR_INVOICE_ON_SHIPMENT=False)
def test_invoicing_at_shipment_can_be_turned_off(company: Company) -> None:
    order = order_of(company)
    ship(order)
    assert not Invoice.objects.exists()
