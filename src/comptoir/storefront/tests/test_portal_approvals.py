"""The portal's approval pages, through the web as a browser without JavaScript: the
checkout's 202 lands on a "sent for approval" page; approvers approve or reject with a
comment (a double POST makes one order); the buyer cannot approve their own; errors are
shown with nothing changed; another company's approval, or a consumer, is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.tests.factories import UserFactory
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.companies.models import Company, CompanyMember
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import LanguageClient
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order
from comptoir.payments.models import Payment
from comptoir.storefront.tests.conftest import Store, add_to_cart, checkout_data, hidden

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any) -> Client:
    client = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def _html(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def team(store: Store) -> dict[str, CompanyMember]:
    """Atelier Martin: a buyer, an approver; orders above 25.00 HT need the approver."""
    company = CompanyFactory.create(legal_name="Atelier Martin", country="FR")
    buyer = member_with_role(company, "buyer", user=UserFactory.create(email="paul@am.fr"))
    approver = member_with_role(company, "approver", user=UserFactory.create(email="ines@am.fr"))
    approval_services.rule_create(
        company=company,
        name="Au-delà de 25 € HT",
        condition="order_total",
        threshold="25.00",
        levels=[{"role_id": approver.role_id}],
    )
    return {"buyer": buyer, "approver": approver}


def _sent(store: Store, buyer: CompanyMember) -> tuple[Client, OrderApproval]:
    client = _client(buyer.user)
    assert add_to_cart(client, store, store.drill, 2).status_code == 302
    response = client.post(
        "/checkout/", checkout_data(client, payment_method="bank_transfer", card_number=None)
    )
    assert response.status_code == 302, _html(response)[:3000]
    approval = OrderApproval.objects.get()
    assert response["Location"].endswith(f"/account/approvals/{approval.pk}/?sent=1")
    return client, approval


def test_the_checkout_202_shows_the_sent_for_approval_page(
    store: Store, team: dict[str, CompanyMember]
) -> None:
    client, approval = _sent(store, team["buyer"])
    page = _html(client.get(f"/account/approvals/{approval.pk}/?sent=1"))
    assert "Your order was sent for approval" in page
    assert "Rule: Au-delà de 25 € HT" in page
    assert 'name="decision"' not in page  # the buyer has no decision form
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)
    assert Stock.objects.get(variant__product=store.drill).quantity_allocated == 0
    listing = _html(client.get("/account/approvals/?tab=requested"))
    assert f"/account/approvals/{approval.pk}/" in listing
    assert 'aria-current="page">Approvals</a>' in listing


def test_an_approver_approves_through_the_page_once(
    store: Store, team: dict[str, CompanyMember]
) -> None:
    _buyer_client, approval = _sent(store, team["buyer"])
    client = _client(team["approver"].user)
    waiting = _html(client.get("/account/approvals/"))
    assert f"Approval #{approval.pk}" in waiting
    page = _html(client.get(f"/account/approvals/{approval.pk}/"))
    assert "Perceuse" in page
    key = hidden(page, "key")
    post = {"decision": "approve", "comment": "Validé", "key": key}
    first = client.post(f"/account/approvals/{approval.pk}/decide", post)
    assert first.status_code == 302
    again = client.post(f"/account/approvals/{approval.pk}/decide", post)  # a double click
    assert again.status_code == 302
    order = Order.objects.get()
    approval.refresh_from_db()
    assert (approval.status, approval.order) == ("approved", order)
    assert (order.user, order.total_net) == (team["buyer"].user, approval.total_net)
    page = _html(client.get(f"/account/approvals/{approval.pk}/"))
    assert order.number in page
    assert "Validé" in page
    # Without the key, a second decision is refused and shown; nothing changes.
    late = client.post(f"/account/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert late.status_code == 409
    assert "This approval was already decided." in _html(late)
    assert Order.objects.count() == 1


def test_the_buyer_cannot_decide_and_a_rejection_is_recorded(
    store: Store, team: dict[str, CompanyMember]
) -> None:
    buyer_client, approval = _sent(store, team["buyer"])
    own = buyer_client.post(f"/account/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert own.status_code == 403
    assert "You cannot approve or reject your own order." in _html(own)
    bad = _client(team["approver"].user).post(
        f"/account/approvals/{approval.pk}/decide", {"decision": "maybe"}
    )
    assert bad.status_code == 400
    assert OrderApproval.objects.get().status == "pending"
    client = _client(team["approver"].user)
    response = client.post(
        f"/account/approvals/{approval.pk}/decide",
        {"decision": "reject", "comment": "Pas ce mois-ci"},
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "rejected"
    page = _html(buyer_client.get(f"/account/approvals/{approval.pk}/"))
    assert "Pas ce mois-ci" in page
    assert Order.objects.count() == 0


def test_strangers_consumers_and_guests(store: Store, team: dict[str, CompanyMember]) -> None:
    _buyer_client, approval = _sent(store, team["buyer"])
    other = member_with_role(CompanyFactory.create(), "approver")
    stranger = _client(other.user)
    assert f"/account/approvals/{approval.pk}/" not in _html(
        stranger.get("/account/approvals/?tab=all")
    )
    assert stranger.get(f"/account/approvals/{approval.pk}/").status_code == 404
    assert (
        stranger.post(
            f"/account/approvals/{approval.pk}/decide", {"decision": "approve"}
        ).status_code
        == 404
    )
    consumer = _client(UserFactory.create())
    assert consumer.get("/account/approvals/").status_code == 404
    assert consumer.get(f"/account/approvals/{approval.pk}/").status_code == 404
    assert 'href="/en/account/approvals/"' not in _html(consumer.get("/account/"))
    guest = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
    response = guest.get("/account/approvals/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert OrderApproval.objects.get().status == "pending"


def _pending(company: Company, buyer: Any, n: int) -> None:
    for i in range(n):
        draft = {
            "currency": "EUR",
            "total_net": "100.00",
            "total_gross": "120.00",
            "shipping_net": "0.00",
            "po_number": "",
            "lines": [
                {
                    "sku": f"SKU-{i}",
                    "product_name": "Perceuse",
                    "quantity": 1,
                    "unit_net": "100.00",
                    "total_net": "100.00",
                }
            ],
        }
        approval_services.approval_create(
            company_id=company.pk,
            buyer=buyer,
            checkout_ref=f"ref-{company.pk}-{n}-{i}",
            draft=draft,
            request={"payment_method": "bank_transfer"},
            levels=[{"role_id": None, "member_ids": [], "any_approver": True}],
            reasons=[{"kind": "budget", "name": ""}],
        )


def test_the_list_makes_a_constant_number_of_queries(
    store: Store, team: dict[str, CompanyMember]
) -> None:
    company = team["buyer"].company
    client = _client(team["approver"].user)
    counts = []
    for n in (1, 4):
        OrderApproval.objects.all().delete()
        _pending(company, team["buyer"].user, n)
        client.get("/account/approvals/")  # session, language, caches
        with CaptureQueriesContext(connection) as queries:
            page = _html(client.get("/account/approvals/"))
        assert page.count("Your decision") == n
        assert page.count('<td class="num">€100.00</td>') == n  # amounts HT on each row
        counts.append(len(queries))
    assert counts == [8, 8]


def test_the_pages_in_french(store: Store, team: dict[str, CompanyMember]) -> None:
    _client_en, approval = _sent(store, team["buyer"])
    client = LanguageClient(language="fr", SERVER_NAME="127.0.0.1")
    client.force_login(team["approver"].user)
    page = _html(client.get(f"/account/approvals/{approval.pk}/"))
    assert f"Approbation n° {approval.pk}" in page
    assert "Votre décision" in page
    assert "Règle : Au-delà de 25 € HT" in page
    listing = _html(client.get("/account/approvals/"))
    assert "En attente de ma décision (1)" in listing


def test_the_list_pages_by_twenty(store: Store, team: dict[str, CompanyMember]) -> None:
    _pending(team["buyer"].company, team["buyer"].user, 21)
    client = _client(team["approver"].user)
    first = _html(client.get("/account/approvals/?tab=all"))
    assert first.count('<td class="num">€100.00</td>') == 20
    assert 'href="?tab=all&amp;page=2"' in first
    second = _html(client.get("/account/approvals/?tab=all&page=2"))
    assert second.count('<td class="num">€100.00</td>') == 1
    assert 'href="?tab=all&amp;page=1"' in second
    assert client.get("/account/approvals/?tab=all&page=3").status_code == 404


def test_stock_gone_is_shown_and_the_approval_stays_pending(
    store: Store, team: dict[str, CompanyMember]
) -> None:
    _buyer_client, approval = _sent(store, team["buyer"])
    Stock.objects.filter(variant__product=store.drill).update(quantity=1)
    client = _client(team["approver"].user)
    response = client.post(
        f"/account/approvals/{approval.pk}/decide", {"decision": "approve", "comment": "OK"}
    )
    assert response.status_code == 409
    page = _html(response)
    assert 'role="alert"' in page
    assert ">OK</textarea>" in page  # the comment typed is kept
    approval.refresh_from_db()
    assert (approval.status, approval.decisions.count()) == ("pending", 0)
    assert Order.objects.count() == 0
