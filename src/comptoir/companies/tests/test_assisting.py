"""Assisted shopping's services and API fields (docs/companies.md): who may shop on behalf
of whom (each refusal with its code, nothing written), the record and its end (once), the
company's consent through the buyer and staff APIs, and the order's `placed_by_staff` in
the order APIs. The browser flows are in storefront/tests/test_assisted_shopping.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.companies import services
from comptoir.companies.models import AssistedSession, Company, CompanyMember
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.companies.web import ASSISTED_SESSION_KEY, HIJACK_HISTORY_KEY, assisting_staff
from comptoir.core.errors import DomainError
from comptoir.core.testing import BUYER, api_for, problem
from comptoir.invoicing.tests.factories import order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> Any:
    return StaffFactory.create(first_name="Claire", last_name="Dubois", is_superuser=False)


@pytest.fixture
def member(manager: Any) -> CompanyMember:
    company = CompanyFactory.create(
        legal_name="Atelier Martin", account_manager=manager, allow_assisted_shopping=True
    )
    return member_with_role(company, "buyer")


def _refused(staff: Any, user: Any) -> tuple[int, str]:
    with pytest.raises(DomainError) as caught:
        services.assisted_session_start(staff=staff, user=user, ip_address="10.0.0.1")
    assert not AssistedSession.objects.exists()
    assert not LogEntry.objects.exists()
    return caught.value.status, caught.value.code


def test_start_records_the_session_and_the_company_history(
    manager: Any, member: CompanyMember
) -> None:
    record = services.assisted_session_start(staff=manager, user=member.user, ip_address="::1")
    assert (record.staff, record.user, record.company, record.ip_address) == (
        manager,
        member.user,
        member.company,
        "::1",
    )
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id) == (manager.pk, str(member.company_id))
    assert f"session {record.pk}" in entry.change_message


def test_who_may_not(manager: Any, member: CompanyMember) -> None:
    assert _refused(StaffFactory.create(is_superuser=False), member.user) == (
        403,
        "ASSISTANCE_NOT_ALLOWED",
    )
    assert _refused(UserFactory.create(), member.user) == (403, "ASSISTANCE_NOT_ALLOWED")
    manager.is_active = False
    assert _refused(manager, member.user) == (403, "ASSISTANCE_NOT_ALLOWED")
    manager.is_active = True
    assert _refused(manager, UserFactory.create()) == (404, "MEMBER_NOT_FOUND")
    assert _refused(manager, StaffFactory.create()) == (400, "USER_IS_STAFF")
    CompanyMember.objects.filter(pk=member.pk).update(is_active=False)
    assert _refused(manager, member.user) == (404, "MEMBER_NOT_FOUND")
    CompanyMember.objects.filter(pk=member.pk).update(is_active=True)
    Company.objects.filter(pk=member.company_id).update(is_active=False)
    assert _refused(manager, member.user) == (404, "MEMBER_NOT_FOUND")
    Company.objects.filter(pk=member.company_id).update(
        is_active=True, allow_assisted_shopping=False
    )
    assert _refused(manager, member.user) == (409, "ASSISTED_SHOPPING_DISABLED")


def test_the_end_is_recorded_once_and_only_by_its_staff_member(
    manager: Any, member: CompanyMember
) -> None:
    record = services.assisted_session_start(staff=manager, user=member.user, ip_address=None)
    other = StaffFactory.create()
    assert services.assisted_session_end(session_id=record.pk, staff=other, ip_address=None) is None
    ended = services.assisted_session_end(session_id=record.pk, staff=manager, ip_address="::1")
    assert ended is not None
    assert (ended.ended_at is not None, ended.end_ip_address) == (True, "::1")
    again = services.assisted_session_end(session_id=record.pk, staff=manager, ip_address=None)
    assert again is None
    assert services.assisted_session_end(session_id=None, staff=manager, ip_address=None) is None
    assert LogEntry.objects.count() == 2


def test_companies_opt_in(manager: Any) -> None:
    company = services.company_create(legal_name="Bois & Co", country="FR")
    assert company.allow_assisted_shopping is False
    services.company_update(company=company, allow_assisted_shopping=True)
    company.refresh_from_db()
    assert company.allow_assisted_shopping is True


def test_the_company_administrators_give_or_withdraw_consent(
    client: Client, member: CompanyMember
) -> None:
    admin = member_with_role(member.company, "admin")
    api = api_for(admin.user, client, base=BUYER)
    assert api.get("company").json()["allow_assisted_shopping"] is True
    response = api.patch("company", {"allow_assisted_shopping": False})
    assert response.status_code == 200, response.content
    assert response.json()["allow_assisted_shopping"] is False
    assert Company.objects.get(pk=member.company_id).allow_assisted_shopping is False
    problem(api.patch("company", {"allow_assisted_shopping": None}), 400, "INVALID_INPUT")
    problem(api.patch("company", {"allow_assisted_shopping": "maybe"}), 422, "VALIDATION_ERROR")
    buyer = api_for(member.user, Client(), base=BUYER)
    problem(
        buyer.patch("company", {"allow_assisted_shopping": True}),
        403,
        "COMPANY_PERMISSION_DENIED",
    )
    assert Company.objects.get(pk=member.company_id).allow_assisted_shopping is False


def test_staff_api_reads_and_sets_the_consent(client: Client) -> None:
    api = api_for(StaffFactory.create(), client)
    created = api.post(
        "companies", {"legal_name": "Bois & Co", "country": "FR", "allow_assisted_shopping": True}
    )
    assert created.status_code == 201, created.content
    assert created.json()["allow_assisted_shopping"] is True
    company_id = created.json()["id"]
    changed = api.patch(f"companies/{company_id}", {"allow_assisted_shopping": False})
    assert changed.json()["allow_assisted_shopping"] is False


def test_the_order_apis_show_who_helped(
    client: Client, manager: Any, member: CompanyMember
) -> None:
    order = order_for(
        member.company, user_id=member.user_id, placed_by_staff_id=manager.pk, email="p@am.fr"
    )
    assert order.placed_by_staff == manager
    staff_view = api_for(StaffFactory.create(), client).get(f"orders/{order.number}").json()
    assert staff_view["placed_by_staff_id"] == manager.pk
    assert staff_view["placed_with_help_of"] == "Claire Dubois"
    own = api_for(member.user, Client(), base=BUYER).get(f"orders/{order.number}").json()
    assert own["placed_with_help_of"] == "Claire Dubois"
    assert "placed_by_staff_id" not in own
    plain = order_for(member.company, user_id=member.user_id, email="p@am.fr")
    assert plain.placed_by_staff is None
    staff_plain = api_for(StaffFactory.create(), Client()).get(f"orders/{plain.number}").json()
    assert (staff_plain["placed_by_staff_id"], staff_plain["placed_with_help_of"]) == (None, None)


def test_a_deleted_staff_account_does_not_stop_the_order(member: CompanyMember) -> None:
    gone = StaffFactory.create()
    gone_id = gone.pk
    gone.delete()
    order = order_for(member.company, placed_by_staff_id=gone_id)
    assert order.placed_by_staff_id is None


def test_the_staff_member_is_taken_from_the_session_of_the_same_user_only(
    manager: Any, member: CompanyMember, rf: Any
) -> None:
    record = services.assisted_session_start(staff=manager, user=member.user, ip_address=None)
    request = rf.post("/")
    request.user = member.user
    request.session = {HIJACK_HISTORY_KEY: [str(manager.pk)], ASSISTED_SESSION_KEY: record.pk}
    assert assisting_staff(request, member.user) == manager
    # A bearer-token caller who is someone else than the session's user.
    assert assisting_staff(request, UserFactory.create()) is None
    assert assisting_staff(request, None) is None
    # Once ended, or outside an assisted session: nobody.
    services.assisted_session_end(session_id=record.pk, staff=manager, ip_address=None)
    # (The session is read once per request: the next request's.)
    request = rf.post("/")
    request.user = member.user
    request.session = {HIJACK_HISTORY_KEY: [str(manager.pk)], ASSISTED_SESSION_KEY: record.pk}
    assert assisting_staff(request, member.user) is None
    request.session = {ASSISTED_SESSION_KEY: record.pk}
    assert assisting_staff(request, member.user) is None
