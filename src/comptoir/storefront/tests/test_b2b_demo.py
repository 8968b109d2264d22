"""The demo's B2B life (`comptoir demo`): Atelier Martin's roles, approval rule, terms and
credit, invoiced past orders whose Factur-X passes the EN 16931 rules, an open quote and the
document library; Bois & Co on account; loading twice adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from django.core.management import call_command
from django.utils.timezone import localdate

from comptoir.approvals.models import ApprovalRule
from comptoir.companies.models import Company, CompanyMember
from comptoir.documents.models import LibraryDocument
from comptoir.invoicing.models import BillingAccount, Invoice
from comptoir.invoicing.pdf import invoice_pdf
from comptoir.invoicing.tests.factories import terms_seed
from comptoir.invoicing.tests.test_facturx import failed_assertions, needs_saxon
from comptoir.quotes.models import Quote, QuoteState

# The demo places orders through checkout (payments outside any transaction).
pytestmark = pytest.mark.django_db(transaction=True)


def _demo() -> str:
    out = io.StringIO()
    call_command("demo", products=80, stdout=out)
    return out.getvalue()


@needs_saxon
def test_the_b2b_demo(tmp_path: Path) -> None:
    terms_seed()  # seeded by a migration, flushed by earlier transactional tests
    _demo()
    martin = Company.objects.get(legal_name="Atelier Martin SARL")
    roles = dict(
        CompanyMember.objects.filter(company=martin).values_list("user__email", "role__code")
    )
    assert roles == {
        "acheteur@atelier-martin.fr": "buyer",
        "direction@atelier-martin.fr": "admin",
    }
    assert martin.account_manager is not None
    assert martin.account_manager.email == "admin@comptoir.test"

    account = BillingAccount.objects.get(company=martin)
    assert (account.terms.code, account.credit_limit, account.on_account_allowed) == (
        "net-30",
        Decimal("20000.00"),
        True,
    )
    belge = BillingAccount.objects.get(company__legal_name="Bois & Co SRL")
    assert (belge.terms.code, belge.on_account_allowed) == ("net-45", True)

    rule = ApprovalRule.objects.get(company=martin)
    assert (rule.condition, rule.threshold) == ("order_total", Decimal("1000.00"))

    invoices = list(Invoice.objects.filter(company=martin).order_by("number"))
    assert [(i.number[-6:], i.status) for i in invoices] == [("000001", "paid"), ("000002", "open")]
    assert all(i.due_date == localdate(i.issued_at) + timedelta(days=30) for i in invoices)
    xml = facturx.get_xml_from_pdf(invoice_pdf(invoices[1]), check_xsd=True)[1]
    assert failed_assertions(xml, tmp_path) == []

    quote = Quote.objects.get(company=martin)
    assert quote.state == QuoteState.SENT
    assert quote.discount_percent == Decimal("5.00")
    assert LibraryDocument.objects.count() == 3

    counts = (Invoice.objects.count(), Quote.objects.count(), LibraryDocument.objects.count())
    _demo()
    assert (
        Invoice.objects.count(),
        Quote.objects.count(),
        LibraryDocument.objects.count(),
    ) == counts
