"""Payments received (recorded, imported from CSV) matched to invoices, the early-payment
discount, the statement of account and the dunning reminders."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from pypdf import PdfReader

from comptoir.companies.models import Company
from comptoir.companies.tests.factories import CompanyFactory, FrenchCompanyFactory
from comptoir.core import outbox
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.models import OutboxEvent
from comptoir.core.testing import clerk_api, problem
from comptoir.core.testing_smtp import SmtpServer
from comptoir.invoicing import selectors, services
from comptoir.invoicing.models import DunningReminder, Invoice, ReceivedPayment
from comptoir.invoicing.statements import statement_for_company
from comptoir.invoicing.tests.factories import account_for, order_for
from comptoir.invoicing.tests.test_api import buyer_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def company() -> Company:
    company = FrenchCompanyFactory.create()
    account_for(company, terms="net-30")
    return company


def invoice_of(company: Company, gross: str = "120.00") -> Invoice:
    return services.invoice_issue_for_order(order=order_for(company, unit_gross=gross, quantity=1))


def pay(company: Company, amount: str, reference: str, **fields: Any) -> ReceivedPayment:
    return services.payment_record(
        company=company, amount=amount, received_on=str(TODAY), reference=reference, **fields
    )


def test_a_payment_settles_the_oldest_invoices_first_and_keeps_the_rest(company: Company) -> None:
    older, newer = invoice_of(company, "100.00"), invoice_of(company, "80.00")
    Invoice.objects.filter(pk=newer.pk).update(due_date=TODAY + timedelta(days=40))

    payment = pay(company, "150.00", "VIR-001")

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, older.amount_paid) == ("paid", Decimal("100.00"))
    assert (newer.status, newer.amount_paid, newer.balance) == (
        "partially_paid",
        Decimal("50.00"),
        Decimal("30.00"),
    )
    assert [(a.invoice_id, a.amount) for a in payment.allocations.order_by("id")] == [
        (older.pk, Decimal("100.00")),
        (newer.pk, Decimal("50.00")),
    ]
    assert payment.unallocated == Decimal("0.00")
    assert selectors.company_outstanding(company_id=company.pk) == Decimal("30.00")
    extra = pay(company, "50.00", "VIR-002")
    assert extra.unallocated == Decimal("20.00")
    newer.refresh_from_db()
    assert newer.status == "paid"


def test_a_payment_for_a_named_invoice(company: Company) -> None:
    first, second = invoice_of(company), invoice_of(company)
    pay(company, "120.00", "CHQ-9", invoice=second.number, method="cheque")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("open", "paid")


def test_early_payment_discount_is_granted_by_a_credit_note_when_paid_in_time() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, terms="2-10-net-30")
    invoice = invoice_of(company, "250.00")  # discount 5.00 until today + 10
    payment = pay(company, "245.00", "VIR-ESC")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert (invoice.amount_paid, invoice.amount_credited) == (Decimal("245.00"), Decimal("5.00"))
    note = Invoice.objects.get(kind="credit_note")
    assert (note.total_gross, note.reason) == (Decimal("5.00"), "Escompte pour paiement anticipé")
    assert payment.unallocated == Decimal("0.00")


def test_no_discount_when_paid_late_or_short() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, terms="2-10-net-30")
    late = invoice_of(company, "250.00")
    Invoice.objects.filter(pk=late.pk).update(discount_date=TODAY - timedelta(days=1))
    pay(company, "245.00", "VIR-LATE", invoice=late.number)
    late.refresh_from_db()
    assert (late.status, late.balance) == ("partially_paid", Decimal("5.00"))
    short = invoice_of(company, "250.00")
    pay(company, "200.00", "VIR-SHORT", invoice=short.number)
    short.refresh_from_db()
    assert (short.amount_credited, short.balance) == (Decimal("0.00"), Decimal("50.00"))
    assert not Invoice.objects.filter(kind="credit_note").exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amount": "0"}, "INVALID_AMOUNT"),
        ({"amount": "-5"}, "INVALID_AMOUNT"),
        ({"amount": "1.234"}, "INVALID_AMOUNT"),
        ({"received_on": "2026-02-30"}, "INVALID_INPUT"),
        ({"received_on": str(TODAY + timedelta(days=1))}, "INVALID_INPUT"),
        ({"reference": ""}, "INVALID_INPUT"),
        ({"reference": "x" * 101}, "INVALID_INPUT"),
        ({"method": "bitcoin"}, "INVALID_INPUT"),
        ({"invoice": "F1999-000001"}, "UNKNOWN_INVOICE"),
        ({"note": "\x00"}, "INVALID_TEXT"),
    ],
)
def test_bad_payments_change_nothing(company: Company, fields: dict[str, Any], code: str) -> None:
    invoice = invoice_of(company)
    data = {"amount": "10.00", "received_on": str(TODAY), "reference": "VIR-X"} | fields
    with pytest.raises(InvalidInput) as refused:
        services.payment_record(company=company, **data)
    assert refused.value.code == code
    assert not ReceivedPayment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("0.00")


def test_the_same_reference_is_recorded_once_and_other_companies_invoices_are_unknown(
    company: Company,
) -> None:
    pay(company, "10.00", "VIR-1")
    with pytest.raises(Conflict) as again:
        pay(company, "10.00", "VIR-1")
    assert again.value.code == "PAYMENT_ALREADY_RECORDED"
    theirs = invoice_of(CompanyFactory.create())
    with pytest.raises(InvalidInput) as refused:
        pay(company, "10.00", "VIR-2", invoice=theirs.number)
    assert refused.value.code == "UNKNOWN_INVOICE"
    assert ReceivedPayment.objects.count() == 1


def test_csv_import_records_valid_rows_skips_known_ones_and_lists_the_others(
    company: Company,
) -> None:
    first, second = invoice_of(company), invoice_of(company)
    csv = (
        "received_on;amount;reference;invoice;siren\n"
        f"{TODAY};120,00;BANK-1;{first.number};\n"
        f"{TODAY};50.00;BANK-2;;303265045\n"
        f"{TODAY};abc;BANK-3;{second.number};\n"
        f"{TODAY};10.00;BANK-4;;999999999\n"
    )
    result = services.payments_import(data=csv.encode())
    assert (result.recorded, result.skipped) == (2, 0)
    assert set(result.errors) == {"row 4", "row 5"}
    assert result.errors["row 4"][0].startswith("INVALID_AMOUNT")
    again = services.payments_import(data=csv.encode())
    assert (again.recorded, again.skipped) == (0, 2)
    second.refresh_from_db()
    assert second.amount_paid == Decimal("50.00")
    with pytest.raises(InvalidInput) as bad:
        services.payments_import(data=b"amount;reference\n1;2\n")
    assert bad.value.code == "INVALID_CSV"


def test_statement_of_account(company: Company) -> None:
    invoice = invoice_of(company, "100.00")
    services.credit_note_issue(invoice=invoice, amount="10.00")
    pay(company, "40.00", "VIR-S")
    statement = statement_for_company(company_id=company.pk)
    assert [(line.kind, line.debit, line.credit, line.balance) for line in statement.lines] == [
        ("invoice", Decimal("100.00"), Decimal("0.00"), Decimal("100.00")),
        ("credit_note", Decimal("0.00"), Decimal("10.00"), Decimal("90.00")),
        ("payment", Decimal("0.00"), Decimal("40.00"), Decimal("50.00")),
    ]
    assert statement.closing == Decimal("50.00")
    later = statement_for_company(company_id=company.pk, start=TODAY + timedelta(days=1))
    assert (later.opening, later.lines, later.closing) == (
        Decimal("50.00"),
        [],
        Decimal("50.00"),
    )
    with pytest.raises(InvalidInput):
        statement_for_company(company_id=company.pk, start=TODAY, end=TODAY - timedelta(days=1))


def test_statement_api_is_scoped_to_the_company(client: Client, company: Company) -> None:
    invoice_of(company, "100.00")
    invoice_of(CompanyFactory.create(), "999.00")
    body = client.get("/api/v1/company/statement", headers=buyer_of(company, client)).json()
    assert [(line["kind"], line["balance"]) for line in body["lines"]] == [("invoice", "100.00")]
    assert body["closing_balance"] == "100.00"
    headers = buyer_of(company, client)
    problem(
        client.get(
            "/api/v1/company/statement",
            {"start": "2026-02-01", "end": "2026-01-01"},
            headers=headers,
        ),
        400,
        "INVALID_FILTER",
    )


def test_staff_payment_api(client: Client, company: Company) -> None:
    invoice = invoice_of(company)
    admin = clerk_api(client, "add_receivedpayment")
    body = {
        "company_id": company.pk,
        "amount": "120.00",
        "received_on": str(TODAY),
        "reference": "VIR-API",
    }
    created = admin.post("payments-received", body)
    assert created.status_code == 201, created.content
    assert created.json()["allocations"] == [{"invoice": invoice.number, "amount": "120.00"}]
    problem(admin.post("payments-received", body), 409, "PAYMENT_ALREADY_RECORDED")
    problem(
        admin.post("payments-received", body | {"company_id": 999999}), 404, "COMPANY_NOT_FOUND"
    )
    problem(admin.post("payments-received", body | {"amount": "-1"}), 400, "INVALID_AMOUNT")
    imported = admin.csv(
        "payments-received/import", f"received_on,amount,reference,siren\n{TODAY},5,B9,303265045\n"
    )
    assert imported.json() == {"recorded": 1, "skipped": 0, "errors": {}}
    reader = clerk_api(client, "view_invoice")
    problem(reader.post("payments-received", body), 403, "PERMISSION_DENIED")


def test_money_paid_ahead_settles_the_invoices_issued_later(company: Company) -> None:
    first = pay(company, "50.00", "VIR-AHEAD-1")
    second = pay(company, "100.00", "VIR-AHEAD-2")
    other = FrenchCompanyFactory.create()
    account_for(other)
    theirs = pay(other, "500.00", "VIR-THEIRS")
    assert (first.unallocated, second.unallocated) == (Decimal("50.00"), Decimal("100.00"))

    invoice = invoice_of(company, "120.00")

    assert (invoice.amount_paid, invoice.status) == (Decimal("120.00"), "paid")
    first.refresh_from_db()
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert (first.unallocated, second.unallocated) == (Decimal("0.00"), Decimal("30.00"))
    assert theirs.unallocated == Decimal("500.00")  # another company's money stays theirs
    assert sorted(invoice.allocations.values_list("payment__reference", "amount")) == [
        ("VIR-AHEAD-1", Decimal("50.00")),
        ("VIR-AHEAD-2", Decimal("70.00")),
    ]

    later = invoice_of(company, "60.00")
    assert (later.amount_paid, later.status) == (Decimal("30.00"), "partially_paid")
    second.refresh_from_db()
    assert second.unallocated == Decimal("0.00")


def send_reminders() -> int:
    """Deliver the pending `invoice.overdue` events as a worker would (the test's
    transaction never commits; the orders' own events are set aside)."""
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True)
    pending.exclude(topic="invoice.overdue").update(delivered_at=timezone.now())
    return outbox.deliver_pending()


def test_dunning_sends_one_reminder_per_level(company: Company) -> None:
    invoice = invoice_of(company)
    paid = invoice_of(company)
    pay(company, "120.00", "VIR-D", invoice=paid.number)
    Invoice.objects.filter(pk__in=[invoice.pk, paid.pk]).update(due_date=TODAY - timedelta(days=8))

    def run(days: int = 0) -> int:
        decided = services.dunning_run(today=TODAY + timedelta(days=days))
        assert send_reminders() == decided
        return decided

    assert run() == 1
    assert run() == 0  # idempotent: the same level is not sent again
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Rappel : la facture {invoice.number} est impayée"
    assert message.to == ["invite@example.fr"]
    assert "Reste à payer : 120,00" in message.body
    assert "8 jours après son échéance" not in message.body  # the level, not the delay
    assert "7 jours après son échéance" in message.body
    assert run(7) == 1  # 15 days late: the next level
    assert run(30) == 1  # 38 days late: the last one
    assert run(60) == 0
    assert len(mail.outbox) == 3
    assert list(DunningReminder.objects.values_list("level", flat=True)) == [7, 15, 30]


def test_dunning_reminder_goes_through_a_real_smtp_server(company: Company) -> None:
    invoice = invoice_of(company)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=TODAY - timedelta(days=16))
    server = SmtpServer()
    server.start()
    try:
        with (
            override_settings(MAILERS=server.mailers()),
        ):
            assert services.dunning_run() == 1
            assert send_reminders() == 1
    finally:
        server.stop()
    [(recipients, message)] = server.inbox.messages
    assert recipients == ["invite@example.fr"]
    assert message["Subject"] == f"Rappel : la facture {invoice.number} est impayée"
    body = message.get_content()
    assert "15 jours après son échéance" in body
    assert "FR7630006000011234567890189" in body
    assert DunningReminder.objects.get().level == 15


def test_dunning_with_the_mail_server_down_is_retried_until_it_answers(company: Company) -> None:
    invoice = invoice_of(company)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=TODAY - timedelta(days=7))
    server = SmtpServer()  # not started yet: the port refuses connections
    with override_settings(MAILERS=server.mailers()):
        assert services.dunning_run() == 1
        assert send_reminders() == 0
    reminder = DunningReminder.objects.get(invoice=invoice, level=7)
    assert reminder.emailed_at is None
    event = OutboxEvent.objects.get(topic="invoice.overdue")
    assert (event.delivered_at, event.attempts) == (None, 1)
    assert "invoicing.handlers.invoice_overdue" in event.last_error

    server.start()
    try:
        OutboxEvent.objects.filter(pk=event.pk).update(available_at=timezone.now())
        with override_settings(MAILERS=server.mailers()):
            assert outbox.deliver_pending() == 1
            OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
            assert outbox.deliver_pending() == 1  # a redelivery sends nothing again
    finally:
        server.stop()
    assert len(server.inbox.messages) == 1
    reminder.refresh_from_db()
    assert reminder.emailed_at is not None


def test_a_reminder_of_an_invoice_paid_meanwhile_is_not_sent(company: Company) -> None:
    invoice = invoice_of(company)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=TODAY - timedelta(days=7))
    assert services.dunning_run() == 1  # decided; its event waits for a worker
    pay(company, "120.00", "VIR-LATE", invoice=invoice.number)

    assert send_reminders() == 1
    assert OutboxEvent.objects.get(topic="invoice.overdue").delivered_at is not None
    assert mail.outbox == []
    assert DunningReminder.objects.get().emailed_at is None


def test_statement_pdf(client: Client, company: Company) -> None:
    invoice = invoice_of(company, "100.00")
    pay(company, "40.00", "VIR-PDF")
    response = client.get(
        "/api/v1/company/statement.pdf",
        headers=buyer_of(company, client) | {"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Relevé de compte" in text
    assert invoice.number in text
    assert "VIR-PDF" in text
    assert "60,00" in text  # the balance due
    loner = buyer_of(CompanyFactory.create(), client)
    other = client.get("/api/v1/company/statement.pdf", headers=loner)
    assert invoice.number.encode() not in other.content
