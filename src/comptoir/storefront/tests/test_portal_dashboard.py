"""The account home of a company member (docs/b2b-portal.md, "Dashboard"): open orders,
quotes to answer, approvals waiting for the member, invoices due and overdue (with
`invoices.view` only), the member's budget and the account manager card; a consumer sees
none of it. The queries are bounded and pinned. And the contact page: a message to the
account manager by email (Reply-To the member), checked and rate-limited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.approvals import services as approval_services
from comptoir.companies.models import Company, CompanyMember
from comptoir.companies.tests.factories import member_with_role
from comptoir.core.testing import LanguageClient
from comptoir.invoicing import services as invoicing
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.factories import order_for
from comptoir.quotes.tests import conftest as quotes_conftest
from comptoir.quotes.tests.conftest import Shop, sent

pytestmark = pytest.mark.django_db

world = quotes_conftest.shop
clerk = quotes_conftest.clerk


def client_for(user: Any, language: str = "en") -> Client:
    client = LanguageClient(language=language)
    client.force_login(user)
    return client


def pending_approval(company: Company, buyer: Any, ref: str = "r1") -> None:
    draft = {
        "currency": "EUR",
        "total_net": "1500.00",
        "total_gross": "1800.00",
        "shipping_net": "0.00",
        "po_number": "",
        "lines": [
            {
                "sku": "DRILL",
                "product_name": "Perceuse",
                "quantity": 1,
                "unit_net": "1500.00",
                "total_net": "1500.00",
            }
        ],
    }
    approval_services.approval_create(
        company_id=company.pk,
        buyer=buyer,
        checkout_ref=ref,
        draft=draft,
        request={"payment_method": "bank_transfer"},
        levels=[{"role_id": None, "member_ids": [], "any_approver": True}],
        reasons=[{"kind": "budget", "name": ""}],
    )


@pytest.fixture
def martin(world: Shop, clerk: Any) -> dict[str, Any]:
    """Atelier Martin: its buyer with a sent quote, an open order on account (240.00 TTC,
    200.00 HT) and a monthly budget of 1,000.00 HT; an overdue invoice (240.00); an
    approval of the buyer's waiting for an approver; an account manager."""
    company = world.martin
    buyer_member: CompanyMember = world.buyer.company_membership
    quote = sent(world, clerk)  # also opens an account without limit
    order = order_for(company, user=world.buyer)
    late = invoicing.invoice_issue_for_order(order=order_for(company))
    Invoice.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    approval_services.budget_set(member=buyer_member, period="month", amount="1000.00")
    pending_approval(company, world.buyer)
    manager = StaffFactory.create(
        first_name="Claire", last_name="Dupont", email="claire@comptoir.test"
    )
    company.account_manager = manager
    company.save(update_fields=["account_manager"])
    return {"company": company, "quote": quote, "order": order, "late": late}


def test_the_buyer_sees_orders_quotes_budget_and_manager(
    world: Shop, martin: dict[str, Any]
) -> None:
    html = client_for(world.buyer).get("/account/").content.decode()
    assert "Open orders" in html
    assert martin["order"].number in html
    assert martin["quote"].number in html
    assert "1 quote waits for your answer" in html
    # Their own approval is not theirs to decide (this buyer is the company's admin).
    assert "0 orders wait for your decision" in html
    # The open order (200.00 HT) and the order waiting for approval (1,500.00 HT).
    assert "€1,700.00 of €1,000.00 excl. VAT used (100 %)" in html
    assert "€0.00 left · this month" in html
    assert "Claire Dupont" in html
    assert 'href="mailto:claire@comptoir.test"' in html
    assert "/account/company/contact/" in html


def test_a_plain_buyer_has_no_approvals_block(world: Shop, martin: dict[str, Any]) -> None:
    buyer = member_with_role(martin["company"], "buyer").user
    html = client_for(buyer).get("/account/").content.decode()
    assert "Open orders" in html
    assert "for your decision" not in html
    assert "/account/company/invoices/" not in html


def test_an_approver_sees_the_approval_but_not_the_invoices(
    world: Shop, martin: dict[str, Any]
) -> None:
    approver = member_with_role(martin["company"], "approver").user
    html = client_for(approver).get("/account/").content.decode()
    assert "1 order waits for your decision" in html
    assert "Order of" in html
    assert "€1,500.00 excl. VAT" in html
    assert "invoices to pay" not in html
    assert "invoice to pay" not in html
    assert "/account/company/invoices/" not in html
    assert "My budget" not in html  # no budget applies to them


def test_finance_sees_invoices_due_and_overdue(world: Shop, martin: dict[str, Any]) -> None:
    finance = member_with_role(martin["company"], "finance").user
    html = client_for(finance).get("/account/").content.decode()
    assert "1 invoice to pay: €240.00" in html
    assert "1 overdue: €240.00" in html
    assert "/account/company/invoices/?status=overdue" in html
    # Finance sees every order of the company (orders.view_all).
    assert martin["order"].number in html


def test_a_consumer_sees_no_company_block(world: Shop, martin: dict[str, Any]) -> None:
    html = client_for(UserFactory.create()).get("/account/").content.decode()
    assert "Open orders" not in html
    assert "Claire Dupont" not in html


def test_the_home_costs_a_bounded_number_of_queries(
    world: Shop, martin: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """A consumer pays no query for the blocks (6 in all: session, user, the orders'
    membership, orders, addresses, wishlist); a member with every
    block a fixed number: membership, open orders (count, page), quotes (count, page),
    approvals (members, pending), manager, due invoices, budget (budget, orders, pending
    approvals); plus the nav's checks. The permissions come from the loaded membership."""
    consumer = client_for(UserFactory.create())
    consumer.get("/account/")  # warm the caches (channel, navigation)
    with django_assert_num_queries(6):
        consumer.get("/account/")
    admin_member = member_with_role(martin["company"], "admin")
    approval_services.budget_set(member=admin_member, period="year", amount="5000.00")
    admin = client_for(admin_member.user)
    # The admin approves: the approvals block shows without asking whether they approve.
    admin.get("/account/")
    with django_assert_num_queries(19):
        admin.get("/account/")
    for i in range(3):  # more rows change nothing
        order_for(martin["company"], user=world.buyer)
        pending_approval(martin["company"], world.buyer, ref=f"more-{i}")
    with django_assert_num_queries(19):
        admin.get("/account/")


def test_the_dashboard_in_french(world: Shop, martin: dict[str, Any]) -> None:
    html = client_for(world.buyer, "fr").get("/account/").content.decode()
    assert "Commandes en cours" in html
    assert "Votre chargé de compte" in html


# --- contact ------------------------------------------------------------------------------


def test_a_message_to_the_account_manager(
    world: Shop, martin: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.buyer)
    page = client.get("/account/company/contact/")
    assert page.status_code == 200
    assert "Claire Dupont" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/company/contact/",
            {"subject": "Délai de livraison", "message": "Bonjour,\nPouvez-vous livrer lundi ?"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["claire@comptoir.test"]
    assert email.reply_to == [world.buyer.email]
    assert "Délai de livraison" in email.subject
    assert martin["company"].legal_name in email.subject
    assert "Pouvez-vous livrer lundi ?" in email.body
    assert world.buyer.email in email.body
    assert "sent to Claire Dupont" in client.get("/account/company/contact/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "", "message": "Bonjour"}, "subject"),
        ({"subject": "Bonjour", "message": "   "}, "message"),
        ({"subject": "x" * 151, "message": "Bonjour"}, "subject"),
        ({"subject": "Bonjour", "message": "x" * 5001}, "message"),
        ({"subject": "Bonjour\x00", "message": "Bonjour"}, "subject"),
        # Past the form (it strips the ends only): the service's one-line rule (a header).
        ({"subject": "Bonjour\nBcc: x@evil.test", "message": "Bonjour"}, "subject"),
    ],
)
def test_bad_messages_are_a_400_and_send_nothing(
    world: Shop, martin: dict[str, Any], data: dict[str, str], field: str
) -> None:
    response = client_for(world.buyer).post("/account/company/contact/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert "errorlist" in response.content.decode()
    assert mail.outbox == []


@override_settings(COMPTOIR_CONTACT_PER_HOUR=2)
def test_messages_are_rate_limited(
    world: Shop, martin: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.buyer)
    data = {"subject": "Question", "message": "Bonjour"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/company/contact/", data).status_code == 302
        assert client.post("/account/company/contact/", data).status_code == 302
        response = client.post("/account/company/contact/", data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too many messages" in response.content.decode()
    assert len(mail.outbox) == 2


def test_without_an_account_manager_there_is_nothing_to_send(
    world: Shop, martin: dict[str, Any]
) -> None:
    company = martin["company"]
    company.account_manager = None
    company.save(update_fields=["account_manager"])
    client = client_for(world.buyer)
    page = client.get("/account/company/contact/").content.decode()
    assert "has no account manager yet" in page
    assert "<textarea" not in page
    response = client.post("/account/company/contact/", {"subject": "a", "message": "b"})
    assert response.status_code == 404
    assert mail.outbox == []
    assert "Your account manager" not in client.get("/account/").content.decode()


def test_contact_access(client: Client, world: Shop, martin: dict[str, Any]) -> None:
    response = client.get("/account/company/contact/")
    assert response.status_code == 302
    consumer = client_for(UserFactory.create())
    assert consumer.get("/account/company/contact/").status_code == 404
    assert (
        consumer.post("/account/company/contact/", {"subject": "a", "message": "b"}).status_code
        == 404
    )
    assert mail.outbox == []


# --- the same through the API ------------------------------------------------------------------


def test_the_api_sends_the_message(
    client: Client, world: Shop, martin: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    url = "/api/v1/company/account-manager/messages"
    client.force_login(world.buyer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"subject": "Tarifs 2027", "message": "Bonjour"}, content_type="application/json"
        )
    assert response.status_code == 202
    assert response.json() == {
        "sent_to": {"email": "claire@comptoir.test", "first_name": "Claire", "last_name": "Dupont"}
    }
    assert mail.outbox[0].reply_to == [world.buyer.email]
    for subject in ("", "Tarifs\r\nBcc: x@evil.test"):
        bad = client.post(
            url, {"subject": subject, "message": "x"}, content_type="application/json"
        )
        assert bad.status_code == 400
        assert bad.json()["code"] == "INVALID_INPUT"
        assert list(bad.json()["errors"]) == ["subject"]
    assert len(mail.outbox) == 1


def test_the_api_without_manager_or_company(
    client: Client, world: Shop, martin: dict[str, Any]
) -> None:
    url = "/api/v1/company/account-manager/messages"
    body = {"subject": "Bonjour", "message": "Bonjour"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    client.force_login(UserFactory.create())
    consumer = client.post(url, body, content_type="application/json")
    assert consumer.status_code == 404
    assert consumer.json()["code"] == "NOT_A_COMPANY_MEMBER"
    martin["company"].account_manager = None
    martin["company"].save(update_fields=["account_manager"])
    client.force_login(world.buyer)
    none = client.post(url, body, content_type="application/json")
    assert none.status_code == 404
    assert none.json()["code"] == "NO_ACCOUNT_MANAGER"


@override_settings(COMPTOIR_CONTACT_PER_HOUR=1)
def test_the_api_rate_limit(client: Client, world: Shop, martin: dict[str, Any]) -> None:
    url = "/api/v1/company/account-manager/messages"
    body = {"subject": "Bonjour", "message": "Bonjour"}
    client.force_login(world.buyer)
    assert client.post(url, body, content_type="application/json").status_code == 202
    limited = client.post(url, body, content_type="application/json")
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited["Retry-After"]) > 0
