"""Assisted shopping through the web, with real sessions (docs/companies.md): the account
manager starts from the company's admin page, shops as the member with a banner on every
page, checks out on account (the order records them) or meets the approval rules, cannot
change the member's password or sign them out, and stops, back in the admin as themselves.
Refusals change nothing: another staff member, a company that did not allow it, a staff
account, GET, a guest, a member."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.checkout import approving as checkout_approving
from comptoir.companies.models import AssistedSession, Company, CompanyMember
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import LanguageClient
from comptoir.invoicing.tests.factories import account_for
from comptoir.orders.models import Order
from comptoir.storefront.tests.conftest import Store, add_to_cart, checkout_data

pytestmark = pytest.mark.django_db

BANNER = "You are shopping for Paul Martin of Atelier Martin."


def _client(user: Any) -> Client:
    client = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def _html(response: Any) -> str:
    return str(response.content.decode())


def _signed_in(client: Client) -> int:
    return int(client.session[SESSION_KEY])


@pytest.fixture
def manager() -> Any:
    """A staff member (not a superuser, no special permission; may read companies in the
    admin): the account manager."""
    staff = StaffFactory.create(
        email="claire@comptoir.test", first_name="Claire", last_name="Dubois", is_superuser=False
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_company"))
    return staff


@pytest.fixture
def buyer(manager: Any) -> CompanyMember:
    """Paul, buyer at Atelier Martin, which allows assisted shopping, pays on account."""
    company = CompanyFactory.create(
        legal_name="Atelier Martin", account_manager=manager, allow_assisted_shopping=True
    )
    account_for(company, limit=None)
    user = UserFactory.create(email="paul@am.fr", first_name="Paul", last_name="Martin")
    return member_with_role(company, "buyer", user=user)


def _start(client: Client, member: CompanyMember) -> Any:
    return client.post("/assist/start", {"user_pk": member.user_id})


def _assisting(manager: Any, member: CompanyMember) -> Client:
    client = _client(manager)
    response = _start(client, member)
    assert response.status_code == 302, _html(response)[:2000]
    assert response["Location"] == "/en/account/"
    return client


def test_the_manager_shops_checks_out_on_account_and_stops(
    store: Store, manager: Any, buyer: CompanyMember
) -> None:
    client = _assisting(manager, buyer)
    assert _signed_in(client) == buyer.user_id
    record = AssistedSession.objects.get()
    assert (record.staff, record.user, record.company) == (manager, buyer.user, buyer.company)
    assert (record.ip_address, record.ended_at) == ("127.0.0.1", None)
    for path in ("/", "/account/", "/cart/"):
        page = _html(client.get(path))
        assert BANNER in page, path
        assert "/en/assist/stop" in page
        assert "Log out" not in page  # the banner's Stop ends the session
    assert add_to_cart(client, store, store.drill, 2).status_code == 302
    response = client.post(
        "/checkout/", checkout_data(client, payment_method="on_account", card_number=None)
    )
    assert response.status_code == 302, _html(response)[:3000]
    order = Order.objects.get()
    assert (order.user, order.company, order.placed_by_staff) == (
        buyer.user,
        buyer.company,
        manager,
    )
    assert order.payment_status == "on_account"
    page = _html(client.get(f"/account/orders/{order.number}/"))
    assert "Placed with the help of" in page
    assert "Claire Dubois" in page

    stop = client.post("/assist/stop")
    assert stop.status_code == 302
    assert stop["Location"] == f"/admin/companies/company/{buyer.company_id}/change/"
    assert _signed_in(client) == manager.pk
    assert BANNER not in _html(client.get("/"))
    record.refresh_from_db()
    assert record.ended_at is not None
    assert record.end_ip_address == "127.0.0.1"
    history = LogEntry.objects.filter(object_id=str(buyer.company_id)).order_by("id")
    assert [(e.user_id, e.change_message.split(" for ")[0]) for e in history] == [
        (manager.pk, "Assisted shopping started"),
        (manager.pk, "Assisted shopping ended"),
    ]
    # Stopping again (a double click): not in an assisted session any more.
    assert client.post("/assist/stop").status_code == 403
    assert AssistedSession.objects.get().ended_at == record.ended_at
    # Staff see it in the order's admin page, and the sessions (read-only) in theirs.
    admin = Client()
    admin.force_login(StaffFactory.create())
    order_page = _html(admin.get(f"/admin/orders/order/{order.pk}/change/"))
    assert "Passée avec l" in order_page  # the admin is in French
    assert "claire@comptoir.test" in order_page
    sessions = _html(admin.get("/admin/companies/assistedsession/"))
    assert "claire@comptoir.test" in sessions
    assert "paul@am.fr" in sessions
    assert admin.get("/admin/companies/assistedsession/add/").status_code == 403
    assert admin.get(f"/admin/companies/assistedsession/{record.pk}/change/").status_code == 200
    # The member, signed in on their own, sees who helped.
    own = _html(_client(buyer.user).get(f"/account/orders/{order.number}/"))
    assert "Placed with the help of" in own
    assert BANNER not in own


def test_an_order_needing_approval_is_not_placed(
    store: Store, manager: Any, buyer: CompanyMember
) -> None:
    approver = member_with_role(buyer.company, "approver")
    approval_services.rule_create(
        company=buyer.company,
        name="Au-delà de 25 € HT",
        condition="order_total",
        threshold="25.00",
        levels=[{"role_id": approver.role_id}],
    )
    client = _assisting(manager, buyer)
    assert add_to_cart(client, store, store.drill, 2).status_code == 302
    response = client.post(
        "/checkout/", checkout_data(client, payment_method="on_account", card_number=None)
    )
    approval = OrderApproval.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/account/approvals/{approval.pk}/?sent=1")
    assert Order.objects.count() == 0
    assert approval.buyer == buyer.user
    # The frozen order remembers who helped: the approver's decision places it so.
    assert approval.draft["placed_by_staff_id"] == manager.pk
    status, _body = checkout_approving.approval_approve(approval_id=approval.pk, user=approver.user)
    assert status == 200  # the approval, now approved, with its order
    order = Order.objects.get()
    assert (order.user, order.placed_by_staff) == (buyer.user, manager)


def test_the_company_s_decisions_stay_its_members(
    store: Store, manager: Any, buyer: CompanyMember
) -> None:
    """Assisting the approver, staff cannot approve the order they placed for the buyer;
    assisting the administrator, they read the company's pages but change nothing that
    would outlive the session (invitations, roles, members)."""
    approver = member_with_role(buyer.company, "approver")
    admin = member_with_role(buyer.company, "admin")
    approval_services.rule_create(
        company=buyer.company,
        name="Au-delà de 25 € HT",
        condition="order_total",
        threshold="25.00",
        levels=[{"role_id": approver.role_id}],
    )
    client = _assisting(manager, buyer)
    add_to_cart(client, store, store.drill, 2)
    client.post("/checkout/", checkout_data(client, payment_method="on_account", card_number=None))
    approval = OrderApproval.objects.get()
    client.post("/assist/stop")

    client = _assisting(manager, approver)
    assert client.get(f"/account/approvals/{approval.pk}/").status_code == 200
    refused = client.post(f"/account/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert refused.status_code == 403
    assert "Not while shopping on behalf of a customer" in _html(refused)
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert Order.objects.count() == 0
    client.post("/assist/stop")

    client = _assisting(manager, admin)
    assert client.get("/account/company/members/").status_code == 200
    invited = client.post(
        "/account/company/invitations/new", {"email": "x@evil.test", "role": admin.role_id}
    )
    changed = client.post(f"/account/company/members/{buyer.pk}/change", {"role": admin.role_id})
    assert (invited.status_code, changed.status_code) == (403, 403)
    assert not buyer.company.invitations.exists()
    buyer.refresh_from_db()
    assert buyer.role.code == "buyer"


def test_the_credit_limit_still_applies(store: Store, manager: Any, buyer: CompanyMember) -> None:
    account_for(buyer.company, limit="10.00")
    client = _assisting(manager, buyer)
    assert add_to_cart(client, store, store.drill, 2).status_code == 302
    response = client.post(
        "/checkout/", checkout_data(client, payment_method="on_account", card_number=None)
    )
    assert response.status_code in (400, 409)
    assert Order.objects.count() == 0


def test_another_staff_member_is_refused(buyer: CompanyMember) -> None:
    other = StaffFactory.create(is_superuser=False)
    client = _client(other)
    response = _start(client, buyer)
    assert response.status_code == 403
    assert _signed_in(client) == other.pk
    assert not AssistedSession.objects.exists()
    assert not LogEntry.objects.exists()


def test_the_shop_on_behalf_permission_and_superusers_may(buyer: CompanyMember) -> None:
    clerk = StaffFactory.create(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="shop_on_behalf"))
    assert _start(_client(clerk), buyer).status_code == 302
    assert _start(_client(StaffFactory.create()), buyer).status_code == 302
    assert AssistedSession.objects.count() == 2


def test_a_company_that_did_not_allow_it_is_refused_with_a_message(
    manager: Any, buyer: CompanyMember
) -> None:
    Company.objects.filter(pk=buyer.company_id).update(allow_assisted_shopping=False)
    client = _client(manager)
    response = _start(client, buyer)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/companies/company/{buyer.company_id}/change/"
    assert _signed_in(client) == manager.pk
    assert not AssistedSession.objects.exists()
    page = _html(client.get(response["Location"]))
    assert "Atelier Martin does not allow assisted shopping." in page
    assert "The company has not allowed assisted shopping." in page


def test_staff_and_inactive_accounts_are_never_shopped_for(
    manager: Any, buyer: CompanyMember
) -> None:
    client = _client(manager)
    buyer.user.is_staff = True
    buyer.user.save(update_fields=["is_staff"])
    response = _start(client, buyer)
    assert response.status_code == 302
    assert _signed_in(client) == manager.pk
    page = _html(client.get(response["Location"]))
    assert "is a staff account; staff accounts are never shopped for." in page
    buyer.user.is_staff = False
    buyer.user.is_active = False
    buyer.user.save(update_fields=["is_staff", "is_active"])
    assert _start(client, buyer).status_code == 302
    assert _signed_in(client) == manager.pk
    assert not AssistedSession.objects.exists()


def test_bad_requests_guests_and_members(manager: Any, buyer: CompanyMember) -> None:
    client = _client(manager)
    assert client.get("/assist/start", {"user_pk": buyer.user_id}).status_code == 405
    assert client.post("/assist/start", {"user_pk": "x"}).status_code == 400
    assert client.post("/assist/start", {}).status_code == 400
    assert client.post("/assist/start", {"user_pk": 999999}).status_code == 404
    assert client.get("/assist/stop").status_code == 405
    assert client.post("/assist/stop").status_code == 403  # not assisting
    guest = LanguageClient(language="en").post("/assist/start", {"user_pk": buyer.user_id})
    assert guest.status_code == 302
    assert "/accounts/login/" in guest["Location"]
    member = _client(buyer.user)
    assert _start(member, buyer).status_code == 403
    # A member of another company the manager does not manage.
    stranger = member_with_role(CompanyFactory.create(allow_assisted_shopping=True), "buyer")
    assert _start(client, stranger).status_code == 403
    assert _signed_in(client) == manager.pk
    assert not AssistedSession.objects.exists()


def test_the_start_is_csrf_protected(manager: Any, buyer: CompanyMember) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post("/en/assist/start", {"user_pk": buyer.user_id}).status_code == 403
    assert not AssistedSession.objects.exists()


def test_sensitive_pages_are_refused_while_assisting(manager: Any, buyer: CompanyMember) -> None:
    client = _assisting(manager, buyer)
    for path in ("/account/password/", "/accounts/social/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Not while shopping on behalf of a customer" in _html(response)
        assert BANNER in _html(response)
    password = client.post(
        "/account/password/",
        {"old_password": "x", "new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"},
    )
    assert password.status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
    assert _signed_in(client) == buyer.user_id
    buyer.user.refresh_from_db()
    assert buyer.user.check_password("correct-horse-battery")
    # The member is no staff: the admin is not theirs.
    assert client.get("/admin/").status_code == 302
    # Once stopped, the staff member's own pages are theirs again.
    client.post("/assist/stop")
    assert client.get("/account/password/").status_code == 200


def test_a_page_while_assisting_costs_one_query_more(
    store: Store, manager: Any, buyer: CompanyMember
) -> None:
    """The banner reads the assisted session with its staff member, member and company in
    one query; nothing else changes (the session was loaded anyway)."""
    own = _client(buyer.user)
    assisted = _assisting(manager, buyer)
    for client in (own, assisted):
        client.get("/account/")  # warm the process caches (channel, navigation)
    with CaptureQueriesContext(connection) as plain:
        assert own.get("/account/").status_code == 200
    with CaptureQueriesContext(connection) as helped:
        assert assisted.get("/account/").status_code == 200
    assert len(helped) == len(plain) + 1


def test_the_company_admin_page_offers_the_members(manager: Any, buyer: CompanyMember) -> None:
    member_with_role(buyer.company, "viewer", user=UserFactory.create(first_name="Inès"))
    page = _html(_client(manager).get(f"/admin/companies/company/{buyer.company_id}/change/"))
    assert 'formaction="/assist/start"' in page or 'formaction="/en/assist/start"' in page
    assert f'name="user_pk" value="{buyer.user_id}"' in page
    assert "Shop as Paul Martin" in page
    assert "Shop as Inès Durand" in page
