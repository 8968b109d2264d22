"""The portal's finance pages and dashboard on the demo's Atelier Martin (`comptoir
demo`): the director (administrator) sees the two invoiced orders, one paid and one open,
the credit on Net 30 up to 20,000 EUR and the quote waiting for an answer; the buyer sees
the quote but no invoice."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from comptoir.companies.models import Company
from comptoir.core.money import Money
from comptoir.core.testing import LanguageClient
from comptoir.invoicing import selectors
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import terms_seed
from comptoir.quotes.models import Quote
from comptoir.storefront.templatetags.storefront import money

# The demo places orders through checkout (payments outside any transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_companys_pages() -> None:
    terms_seed()  # seeded by a migration, flushed by earlier transactional tests
    call_command("demo", products=40, stdout=io.StringIO())
    martin = Company.objects.get(legal_name="Atelier Martin SARL")
    paid, open_ = Invoice.objects.filter(company=martin).order_by("number")
    quote = Quote.objects.get(company=martin)
    credit = selectors.credit_summary(company_id=martin.pk)
    director = LanguageClient(language="en")
    director.login(email="direction@atelier-martin.fr", password="comptoir-demo")

    home = director.get("/account/").content.decode()
    assert quote.number in home
    assert "1 quote waits for your answer" in home
    owed = money(Money(open_.balance, "EUR"))
    assert f"1 invoice to pay: {owed}" in home
    assert "admin@comptoir.test" in home  # the account manager

    invoices = director.get("/account/company/invoices/").content.decode()
    assert paid.number in invoices
    assert open_.number in invoices
    assert '<span class="status status--paid">Paid</span>' in invoices
    assert '<span class="status status--open">Open</span>' in invoices
    assert f'<td class="num">{owed}</td>' in invoices

    statement = director.get("/account/company/statement/").content.decode()
    assert "Net 30" in statement
    assert "<dd>€20,000.00</dd>" in statement
    assert f"<dd>{money(Money(credit.outstanding, 'EUR'))}</dd>" in statement
    assert credit.available == Decimal("20000.00") - credit.outstanding
    assert director.get(f"/account/company/invoices/{open_.number}.pdf").status_code == 200

    buyer = LanguageClient(language="en")
    buyer.login(email="acheteur@atelier-martin.fr", password="comptoir-demo")
    assert quote.number in buyer.get("/account/").content.decode()
    assert buyer.get("/account/company/invoices/").status_code == 403
