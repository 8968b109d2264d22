"""Back-office for payments: read-only pages with the ledger, and "mark received" for bank
transfers through the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentTransaction
from comptoir.payments.tests.factories import captured, make_order, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def test_pages_are_read_only_with_the_ledger(staff: Client) -> None:
    payment = captured(amount="12.00")

    listing = staff.get(reverse("admin:payments_payment_changelist"))
    page = staff.get(reverse("admin:payments_payment_change", args=[payment.pk]))

    assert listing.status_code == page.status_code == 200
    html = page.content.decode()
    assert "tgw_ch_" in html  # the sale's ledger row
    assert 'name="_save"' not in html
    assert staff.get(reverse("admin:payments_payment_add")).status_code == 403
    assert (
        staff.post(reverse("admin:payments_payment_delete", args=[payment.pk])).status_code == 403
    )


def test_mark_received_action(staff: Client) -> None:
    order = make_order(total=Decimal("45.00"), paid=Decimal(0))
    transfer = services.payment_attach(
        payment=start(method="bank_transfer", amount="45.00"), order=order
    )
    orphan = start(method="bank_transfer", amount="10.00")  # no order yet: refused
    card = captured()

    response = staff.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "mark_received", "_selected_action": [transfer.pk, orphan.pk, card.pk]},
        follow=True,
    )

    assert response.status_code == 200
    transfer.refresh_from_db()
    order.refresh_from_db()
    assert (transfer.state, transfer.amount_captured) == ("captured", Decimal("45.00"))
    assert order.payment_status == "paid"
    assert Payment.objects.get(pk=orphan.pk).state == "pending"
    assert PaymentTransaction.objects.filter(kind="manual").count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 3


def test_the_action_needs_the_change_permission(client: Client) -> None:
    viewer = StaffFactory.create(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(viewer)
    transfer = start(method="bank_transfer")

    listing = client.get(reverse("admin:payments_payment_changelist"))
    client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "mark_received", "_selected_action": [transfer.pk]},
    )

    assert listing.status_code == 200
    assert "mark_received" not in listing.content.decode()
    assert Payment.objects.get(pk=transfer.pk).amount_captured == 0
    page = client.get(reverse("admin:payments_payment_change", args=[transfer.pk]))
    assert page.status_code == 200
