"""Issuing invoices and credit notes: gapless numbers, snapshots, terms, legal mentions,
immutability and every refusal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from comptoir.companies.tests.factories import FrenchCompanyFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.invoicing import services
from comptoir.invoicing.models import Invoice, InvoiceSequence
from comptoir.invoicing.tests.factories import (
    account_for,
    belgian_company,
    order_for,
)
from comptoir.orders.models import OrderStatus

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def test_invoice_of_an_order_on_account_copies_the_order_and_the_terms() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, terms="2-10-net-30")
    order = order_for(company, unit_gross="120.00", quantity=2, shipping_gross="6.00")

    invoice = services.invoice_issue_for_order(order=order)

    today = timezone.localdate()
    assert invoice.number == f"F{YEAR}-000001"
    assert invoice.kind == "invoice"
    assert invoice.status == "open"
    assert invoice.issue_date == today
    assert invoice.due_date == today + timedelta(days=30)
    assert invoice.discount_date == today + timedelta(days=10)
    assert invoice.discount_percent == Decimal("2.00")
    assert invoice.discount_amount == Decimal("4.92")  # 2 % of 246.00
    assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
        Decimal("205.00"),
        Decimal("41.00"),
        Decimal("246.00"),
    )
    assert [(line["sku"], line["net"], line["tax"], line["gross"]) for line in invoice.lines] == [
        (order.lines.get().sku, "200.00", "40.00", "240.00"),
        ("SHIPPING", "5.00", "1.00", "6.00"),
    ]
    assert invoice.tax_breakdown == [
        {
            "rate": "20.000",
            "net": "205.00",
            "tax": "41.00",
            "category": "S",
            "exemption_code": "",
            "exemption_reason": "",
        }
    ]
    assert invoice.buyer["name"] == "Odigo SA"
    assert invoice.buyer["siren"] == "303265045"
    assert invoice.buyer["vat_number"] == "FR40303265045"
    assert invoice.seller["name"] == "Comptoir SAS"
    assert invoice.seller["siren"] == "303265045"
    assert invoice.po_number == "PO-77"
    assert invoice.order_number == order.number
    assert invoice.terms["code"] == "2-10-net-30"
    assert invoice.terms["text"] == (
        "Paiement à 30 jours date de facture. Escompte de 2 % pour paiement sous 10 jours."
    )
    assert invoice.legal_mentions == [
        invoice.terms["text"],
        "Pénalités de retard : 12.00 % par an à compter du lendemain de l'échéance, et "
        "indemnité forfaitaire pour frais de recouvrement de 40.00 EUR (articles L441-10 "
        "et D441-5 du Code de commerce).",
    ]


def test_issuing_twice_returns_the_same_invoice() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    order = order_for(company)
    first, created = services.invoice_issue(order=order)
    again, created_again = services.invoice_issue(order=order)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Invoice.objects.count() == 1
    assert InvoiceSequence.objects.get(series="F", year=YEAR).last == 1


def test_numbers_are_sequential_per_series_and_a_rollback_gives_the_number_back() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    orders = [order_for(company) for _ in range(3)]
    first = services.invoice_issue_for_order(order=orders[0])

    def issue_then_fail() -> None:
        with transaction.atomic():
            services.invoice_issue_for_order(order=orders[1])
            raise RuntimeError("the caller's transaction fails after the number was taken")

    with pytest.raises(RuntimeError):
        issue_then_fail()
    second = services.invoice_issue_for_order(order=orders[2])
    note = services.credit_note_issue(invoice=first)
    assert [first.number, second.number] == [f"F{YEAR}-000001", f"F{YEAR}-000002"]
    assert note.number == f"AV{YEAR}-000001"
    assert not Invoice.objects.filter(order=orders[1]).exists()


def test_paid_card_order_is_invoiced_paid_and_due_on_receipt() -> None:
    order = order_for(None, on_account=False)
    invoice = services.invoice_issue_for_order(order=order)
    assert invoice.status == "paid"
    assert invoice.amount_paid == Decimal("240.00")
    assert invoice.balance == Decimal("0.00")
    assert invoice.due_date == invoice.issue_date
    assert invoice.discount_date is None
    assert invoice.buyer["name"] == "Léa Durand"
    assert invoice.terms["text"] == (
        "Paiement à réception de la facture. Pas d'escompte pour paiement anticipé."
    )


def test_reverse_charge_invoice_says_autoliquidation_and_article_196() -> None:
    company = belgian_company()
    account_for(company, terms="net-30-eom")
    order = order_for(company, reverse_charge=True, language="en")
    invoice = services.invoice_issue_for_order(order=order)
    assert invoice.total_tax == Decimal("0.00")
    assert invoice.total_gross == Decimal("240.00")
    assert invoice.tax_breakdown == [
        {
            "rate": "0.000",
            "net": "240.00",
            "tax": "0.00",
            "category": "AE",
            "exemption_code": "VATEX-EU-AE",
            "exemption_reason": "Reverse charge",
        }
    ]
    assert invoice.legal_mentions[0] == (
        "Reverse charge (autoliquidation): VAT to be accounted for by the customer, "
        "Article 196 of Directive 2006/112/EC."
    )
    assert invoice.terms["text"] == ("Payment 30 days end of month. No discount for early payment.")
    due = invoice.due_date
    assert due >= invoice.issue_date + timedelta(days=30)
    assert (due + timedelta(days=1)).day == 1  # the last day of its month


@pytest.mark.parametrize(
    ("status", "payment_status", "code"),
    [
        (OrderStatus.CANCELLED, "on_account", "ORDER_NOT_INVOICEABLE"),
        (OrderStatus.REFUNDED, "refunded", "ORDER_NOT_INVOICEABLE"),
        (OrderStatus.PLACED, "pending", "ORDER_NOT_PAID"),
        (OrderStatus.PLACED, "authorized", "ORDER_NOT_PAID"),
    ],
)
def test_orders_that_are_not_invoiced(status: str, payment_status: str, code: str) -> None:
    order = order_for(None)
    type(order).objects.filter(pk=order.pk).update(status=status, payment_status=payment_status)
    with pytest.raises(Conflict) as refused:
        services.invoice_issue_for_order(order=order)
    assert refused.value.code == code
    assert not Invoice.objects.exists()
    assert not InvoiceSequence.objects.filter(last__gt=0).exists()


def test_full_credit_note_copies_the_invoice_and_allows_a_new_invoice() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    order = order_for(company, shipping_gross="6.00")
    invoice = services.invoice_issue_for_order(order=order)

    note = services.credit_note_issue(invoice=invoice, reason="Wrong address")

    invoice.refresh_from_db()
    assert note.kind == "credit_note"
    assert note.status == "issued"
    assert note.credited_invoice_id == invoice.pk
    assert note.lines == invoice.lines
    assert (note.total_net, note.total_tax, note.total_gross) == (
        invoice.total_net,
        invoice.total_tax,
        invoice.total_gross,
    )
    assert note.legal_mentions == [f"Avoir sur la facture {invoice.number}."]
    assert invoice.status == "credited"
    assert invoice.amount_credited == Decimal("246.00")
    reissued = services.invoice_issue_for_order(order=order)
    assert reissued.number == f"F{YEAR}-000002"


def test_partial_credit_notes_split_the_amount_over_the_tax_rates() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company)
    invoice = services.invoice_issue_for_order(order=order_for(company))
    note = services.credit_note_issue(invoice=invoice, amount="60.00")
    assert [(line["net"], line["tax"], line["gross"]) for line in note.lines] == [
        ("50.00", "10.00", "60.00")
    ]
    assert note.lines[0]["name"] == f"Avoir sur la facture {invoice.number}"
    assert (note.total_net, note.total_tax, note.total_gross) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("60.00"),
    )
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("60.00")
    assert invoice.status == "open"
    assert invoice.balance == Decimal("180.00")
    # The rest, then nothing more.
    rest = services.credit_note_issue(invoice=invoice)
    assert rest.total_gross == Decimal("180.00")
    with pytest.raises(Conflict) as refused:
        services.credit_note_issue(invoice=invoice, amount="0.01")
    assert refused.value.code == "CREDIT_EXCEEDS_INVOICE"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1", "INVALID_AMOUNT"),
        ("0", "INVALID_AMOUNT"),
        ("1.001", "INVALID_AMOUNT"),
        ("abc", "INVALID_AMOUNT"),
        ("NaN", "INVALID_AMOUNT"),
        (True, "INVALID_AMOUNT"),
        ("240.01", "CREDIT_EXCEEDS_INVOICE"),
    ],
)
def test_credit_note_bad_amounts_change_nothing(amount: object, code: str) -> None:
    invoice = services.invoice_issue_for_order(order=order_for(None))
    with pytest.raises((InvalidInput, Conflict)) as refused:
        services.credit_note_issue(invoice=invoice, amount=amount)
    assert refused.value.code == code
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("0.00")
    assert Invoice.objects.count() == 1


def test_a_credit_note_is_not_credited_and_reasons_are_checked() -> None:
    invoice = services.invoice_issue_for_order(order=order_for(None))
    note = services.credit_note_issue(invoice=invoice, amount="10.00")
    with pytest.raises(Conflict) as refused:
        services.credit_note_issue(invoice=note)
    assert refused.value.code == "NOT_AN_INVOICE"
    with pytest.raises(InvalidInput) as bad:
        services.credit_note_issue(invoice=invoice, reason="x" * 501)
    assert bad.value.code == "INVALID_INPUT"
    with pytest.raises(InvalidInput) as nul:
        services.credit_note_issue(invoice=invoice, reason="a\x00b")
    assert nul.value.code == "INVALID_TEXT"
    assert Invoice.objects.count() == 2
