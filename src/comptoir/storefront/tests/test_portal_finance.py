"""The B2B portal's finance pages: the company's invoices (filters, pages, Factur-X PDF
and UBL downloads), the credit and the statement of account (dates, PDF). Members whose
role holds `invoices.view` (admin, finance) see them; a buyer gets a 403 like the API, a
consumer a 404, another company's invoice is a 404, a visitor goes to the login page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import facturx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import FrenchCompanyFactory, member_with_role
from comptoir.core.testing import LanguageClient
from comptoir.invoicing import services
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import account_for, order_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def invoiced(company: Company, **order: Any) -> Invoice:
    """An invoice of 2 x 120.00 TTC (200.00 HT) on account, unless told."""
    return services.invoice_issue_for_order(order=order_for(company, **order))


def client_of(company: Company, role: str = "finance", language: str = "en") -> Client:
    client = LanguageClient(language=language)
    client.force_login(member_with_role(company, role).user)
    return client


@pytest.fixture
def company() -> Company:
    """Net 30 on account up to 20,000.00; three invoices: one overdue (F1, 240.00 TTC),
    one paid by a transfer (F2, 240.00), one open (F3, 360.00), and a credit note of
    40.00 on the open one."""
    company = FrenchCompanyFactory.create(legal_name="Atelier Martin SARL")
    account_for(company, limit="20000.00", terms="net-30")
    first = invoiced(company)
    Invoice.objects.filter(pk=first.pk).update(
        issue_date=TODAY - timedelta(days=45), due_date=TODAY - timedelta(days=15)
    )
    second = invoiced(company)
    services.payment_record(
        company=company,
        amount="240.00",
        received_on=TODAY,
        reference="VIR-1",
        invoice=second.number,
    )
    third = invoiced(company, quantity=3)
    services.credit_note_issue(invoice=third, amount="40.00", reason="Casse", actor=None)
    return company


def numbers(company: Company) -> list[str]:
    return list(
        Invoice.objects.filter(company=company).order_by("id").values_list("number", flat=True)
    )


# --- the invoices page ----------------------------------------------------------------


def test_the_invoices_with_amounts_status_and_downloads(company: Company) -> None:
    f1, f2, f3, av = numbers(company)
    response = client_of(company).get("/account/company/invoices/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for number in (f1, f2, f3, av):
        assert number in html
        assert reverse("storefront:company_invoice_pdf", args=[number]) in html
        assert reverse("storefront:company_invoice_ubl", args=[number]) in html
    assert '<td class="num">€200.00</td>' in html  # HT of F1 and F2
    assert '<td class="num">€360.00</td>' in html  # TTC of F3
    assert '<span class="status status--overdue">Overdue</span>' in html
    assert '<span class="status status--paid">Paid</span>' in html
    assert '<span class="status status--issued">Issued</span>' in html
    assert '<td class="num">€320.00</td>' in html  # F3 owes 360.00 - 40.00
    assert f"for {f3}" in html  # the credit note names its invoice
    assert 'aria-current="page">Invoices</a>' in html


def test_filters(company: Company) -> None:
    f1, f2, f3, av = numbers(company)
    client = client_of(company)
    html = client.get("/account/company/invoices/?status=overdue").content.decode()
    assert f1 in html
    assert f2 not in html
    assert f3 not in html
    html = client.get("/account/company/invoices/?status=paid").content.decode()
    assert f2 in html
    assert f1 not in html
    html = client.get("/account/company/invoices/?kind=credit_note").content.decode()
    assert av in html
    assert f1 not in html
    due = (TODAY - timedelta(days=1)).isoformat()
    html = client.get(f"/account/company/invoices/?due_before={due}").content.decode()
    assert f1 in html
    assert f3 not in html


@pytest.mark.parametrize(
    "query",
    ["status=late", "kind=receipt", "due_before=2026-02-31", "due_before=tomorrow"],
)
def test_a_bad_filter_is_a_400_with_the_error(company: Company, query: str) -> None:
    response = client_of(company).get(f"/account/company/invoices/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2"])
def test_a_bad_or_missing_page_is_a_404(company: Company, page: str) -> None:
    assert client_of(company).get(f"/account/company/invoices/?page={page}").status_code == 404


def test_the_list_pages_by_twenty() -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, limit=None)
    for _ in range(21):
        invoiced(company)
    client = client_of(company, "admin")
    first = client.get("/account/company/invoices/").content.decode()
    assert first.count(".pdf") == 20
    assert 'href="?page=2"' in first
    second = client.get("/account/company/invoices/?status=open&page=2").content.decode()
    assert second.count(".pdf") == 1
    assert 'href="?status=open&amp;page=1"' in second


def test_the_list_costs_a_constant_number_of_queries(company: Company) -> None:
    """Session, user, membership (the permission), the count and the page, the nav's
    checks: the same for 4 invoices as for 8 (no query per row)."""
    client = client_of(company)
    client.get("/account/company/invoices/")  # warm the caches (channel, navigation)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/account/company/invoices/").status_code == 200
        counts.append(len(queries))
        invoiced(company)
        invoiced(company)
        services.credit_note_issue(
            invoice=Invoice.objects.filter(company=company, kind="invoice").first(),  # type: ignore[arg-type]
            amount="1.00",
            actor=None,
        )
    assert counts[0] == counts[1]


def test_the_list_query_count_is_pinned(company: Company, django_assert_num_queries: Any) -> None:
    client = client_of(company)
    client.get("/account/company/invoices/")  # warm the caches (channel, navigation)
    # session, user, membership (invoices.view), count, page; then the nav's permissions,
    # asked once (the company comes from the process's buyers).
    with django_assert_num_queries(6):
        client.get("/account/company/invoices/")


def test_the_pdf_and_the_ubl(company: Company) -> None:
    f1, *_rest = numbers(company)
    client = client_of(company)
    pdf = client.get(reverse("storefront:company_invoice_pdf", args=[f1]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"].count("no-store") == 1
    assert pdf.content.startswith(b"%PDF")
    _, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert f1.encode() in xml  # the Factur-X XML is embedded
    ubl = client.get(reverse("storefront:company_invoice_ubl", args=[f1]))
    assert ubl.status_code == 200
    assert ubl["Content-Type"] == "application/xml"
    assert f1.encode() in ubl.content


def test_another_companys_invoice_is_a_404(company: Company) -> None:
    other = FrenchCompanyFactory.create(legal_name="Bois & Co")
    account_for(other, limit=None)
    theirs = invoiced(other).number
    client = client_of(company, "admin")
    assert client.get(reverse("storefront:company_invoice_pdf", args=[theirs])).status_code == 404
    assert client.get(reverse("storefront:company_invoice_ubl", args=[theirs])).status_code == 404
    assert (
        client.get(reverse("storefront:company_invoice_pdf", args=["F0-x" * 20])).status_code == 404
    )
    assert theirs not in client.get("/account/company/invoices/").content.decode()


# --- access -------------------------------------------------------------------------------

PAGES = [
    "/account/company/invoices/",
    "/account/company/statement/",
    "/account/company/statement.pdf",
]


def test_visitors_are_sent_to_log_in(client: Client, company: Company) -> None:
    f1, *_rest = numbers(company)
    for url in [*PAGES, reverse("storefront:company_invoice_pdf", args=[f1])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_consumers_get_a_404_and_no_link(company: Company) -> None:
    f1, *_rest = numbers(company)
    client = LanguageClient(language="en")
    client.force_login(UserFactory.create())
    for url in [*PAGES, reverse("storefront:company_invoice_pdf", args=[f1])]:
        assert client.get(url).status_code == 404
    assert "/account/company/invoices/" not in client.get("/account/").content.decode()


@pytest.mark.parametrize("role", ["buyer", "approver", "viewer"])
def test_members_without_invoices_view_get_a_403_like_the_api(company: Company, role: str) -> None:
    f1, *_rest = numbers(company)
    client = client_of(company, role)
    for url in [*PAGES, reverse("storefront:company_invoice_pdf", args=[f1])]:
        assert client.get(url).status_code == 403
    assert client.get("/api/v1/invoices").status_code == 403  # the same answer
    home = client.get("/account/").content.decode()
    assert "/account/company/invoices/" not in home
    assert "/account/company/statement/" not in home


# --- credit and statement -----------------------------------------------------------------


def test_the_credit_and_the_statement(company: Company) -> None:
    f1, f2, f3, av = numbers(company)
    html = client_of(company).get("/account/company/statement/").content.decode()
    assert "Net 30" in html
    assert "€20,000.00" in html  # the limit
    # Outstanding: F1 240.00 + F3 360.00 - 40.00 credited = 560.00.
    assert "<dd>€560.00</dd>" in html
    assert "<dd>€19,440.00</dd>" in html  # available
    assert "<dd>€240.00 · " in html  # overdue: F1
    # Lines by date: F1 (45 days ago), then today's documents, then today's payment.
    assert html.index(f1) < html.index(f2) < html.index(f3) < html.index(av) < html.index("VIR-1")
    assert "Opening balance" in html
    assert "Closing balance" in html
    # The last line's running balance and the closing balance: the outstanding.
    assert html.count('<td class="num">€560.00</td>') == 2
    assert reverse("storefront:company_statement_pdf") in html


def test_the_statement_between_dates(company: Company) -> None:
    f1, f2, *_rest = numbers(company)
    start = (TODAY - timedelta(days=10)).isoformat()
    html = (
        client_of(company)
        .get(f"/account/company/statement/?start={start}&end={TODAY.isoformat()}")
        .content.decode()
    )
    assert f1 not in html.split("Opening balance")[1]  # brought forward
    assert f2 in html
    assert f"statement.pdf?start={start}&amp;end={TODAY.isoformat()}" in html


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("start=2026-13-45", "Enter a valid date."),
        ("end=yesterday", "Enter a valid date."),
        ("start=2026-05-02&end=2026-05-01", "The start is after the end."),
    ],
)
def test_bad_dates_are_a_400_with_the_error(company: Company, query: str, error: str) -> None:
    client = client_of(company)
    for url in ("/account/company/statement/", "/account/company/statement.pdf"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html
        assert error in html


def test_the_statement_pdf(company: Company) -> None:
    response = client_of(company, "admin").get(
        f"/account/company/statement.pdf?start={(TODAY - date.resolution * 60).isoformat()}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pages_in_french(company: Company) -> None:
    client = client_of(company, language="fr")
    html = client.get("/account/company/invoices/").content.decode()
    assert "<h1>Factures</h1>" in html
    assert "En retard" in html
    assert "200,00\N{NO-BREAK SPACE}€" in html or "200,00\N{NARROW NO-BREAK SPACE}€" in html
    first = numbers(company)[0]
    detail = client.get(f"/account/company/invoices/{first}/").content.decode()
    assert f"Facture {first}" in detail
    assert "Reste dû" in detail
    statement = client.get("/account/company/statement/").content.decode()
    assert "Relevé de compte" in statement
    assert "Solde d\N{RIGHT SINGLE QUOTATION MARK}ouverture" in statement


def test_an_invoices_page(company: Company, django_assert_num_queries: Any) -> None:
    _f1, _f2, f3, av = numbers(company)
    client = client_of(company)
    listing = client.get("/account/company/invoices/").content.decode()
    assert reverse("storefront:company_invoice", args=[f3]) in listing
    client.get(f"/account/company/invoices/{f3}/")  # warm the caches
    # session, user, membership, the invoice (and the invoice it credits), the nav.
    with django_assert_num_queries(5):
        response = client.get(f"/account/company/invoices/{f3}/")
    html = response.content.decode()
    assert f"Invoice {f3}" in html
    assert "<dd>€300.00</dd>" in html  # 3 x 100.00 HT
    assert "<dd>€360.00</dd>" in html  # TTC
    assert "<dd>€40.00</dd>" in html  # credited
    assert "<dd>€320.00</dd>" in html  # due
    assert "PO PO-77" in html
    credit_note = client.get(f"/account/company/invoices/{av}/").content.decode()
    assert f"Credit note {av}" in credit_note
    assert reverse("storefront:company_invoice", args=[f3]) in credit_note
    other = FrenchCompanyFactory.create()
    account_for(other, limit=None)
    theirs = invoiced(other).number
    assert client.get(f"/account/company/invoices/{theirs}/").status_code == 404
    assert client_of(company, "buyer").get(f"/account/company/invoices/{f3}/").status_code == 403
