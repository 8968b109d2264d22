"""Who reaches the company administration pages (docs/b2b-portal.md, "Company
administration"): a visitor is sent to sign in, a consumer gets a 404, a member without
`company.manage` a 403 on the managers' pages with nothing changed, and a member of another
company a 404 on every object of this one. The nav shows each entry to whom it is for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies import services
from comptoir.companies.models import (
    AddressKind,
    CompanyAddress,
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    CompanyRole,
    InvitationStatus,
    JoinRequestStatus,
)
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import LanguageClient

pytestmark = pytest.mark.django_db

ADDRESS = {
    "company_name": "Atelier Martin",
    "street_address_1": "12 rue des Lilas",
    "postal_code": "69003",
    "city": "Lyon",
    "country": "FR",
}


def login(user: Any, language: str = "en") -> Client:
    client = LanguageClient(language=language)
    client.force_login(user)
    return client


@dataclass
class World:
    admin: CompanyMember
    buyer: CompanyMember
    role: CompanyRole
    address: CompanyAddress
    invitation: CompanyInvitation
    join: CompanyJoinRequest
    outsider: CompanyMember  # an administrator of another company


@pytest.fixture
def world() -> World:
    company = CompanyFactory.create(legal_name="Atelier Martin", email_domains=["am.fr"])
    admin = member_with_role(company, "admin", user=UserFactory.create(email="marie@am.fr"))
    buyer = member_with_role(company, "buyer", user=UserFactory.create(email="paul@am.fr"))
    role = services.role_create(company=company, name="Magasinier", permissions=["orders.place"])
    address = services.company_address_create(
        company=company, kind=AddressKind.SHIPPING, fields=ADDRESS
    )
    invitation = services.invitation_create(
        company=company,
        email="new@am.fr",
        role=services.role_builtin(company=company, code="buyer"),
        invited_by=admin.user,
    )
    asker = UserFactory.create(email="lea@am.fr")
    join = services.join_request_create(company=company, user=asker)
    other = CompanyFactory.create(legal_name="Bois & Co")
    outsider = member_with_role(other, "admin", user=UserFactory.create(email="bob@bois.fr"))
    return World(admin, buyer, role, address, invitation, join, outsider)


def _get_pages(w: World) -> list[str]:
    return [
        "/account/company/",
        "/account/company/addresses/",
        "/account/company/addresses/new/",
        f"/account/company/addresses/{w.address.pk}/",
        "/account/company/members/",
        "/account/company/roles/",
        f"/account/company/roles/{w.role.pk}/",
    ]


def _posts(w: World) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("/account/company/", {"phone": "+33 4 72 00 00 00", "email_domains": "x.fr"}),
        ("/account/company/addresses/new/", {**ADDRESS, "kind": "billing"}),
        (f"/account/company/addresses/{w.address.pk}/", {**ADDRESS, "city": "Paris"}),
        (f"/account/company/addresses/{w.address.pk}/delete", {}),
        (
            f"/account/company/members/{w.admin.pk}/change",
            {"action": "role", "role": str(w.role.pk)},
        ),
        (f"/account/company/members/{w.admin.pk}/change", {"action": "deactivate"}),
        (f"/account/company/members/{w.admin.pk}/remove", {}),
        ("/account/company/invitations/new", {"email": "x@am.fr", "role": str(w.role.pk)}),
        (f"/account/company/invitations/{w.invitation.pk}/revoke", {}),
        (f"/account/company/join-requests/{w.join.pk}/approve", {"role": str(w.role.pk)}),
        (f"/account/company/join-requests/{w.join.pk}/reject", {}),
        ("/account/company/roles/", {"name": "Chef", "permissions": ["orders.place"]}),
        (f"/account/company/roles/{w.role.pk}/", {"name": "Chef", "permissions": []}),
        (f"/account/company/roles/{w.role.pk}/delete", {}),
    ]


def _unchanged(w: World) -> None:
    w.admin.refresh_from_db()
    w.role.refresh_from_db()
    w.address.refresh_from_db()
    w.invitation.refresh_from_db()
    w.join.refresh_from_db()
    company = w.admin.company
    company.refresh_from_db()
    assert (w.admin.role.code, w.admin.is_active) == ("admin", True)
    assert (w.role.name, w.role.permissions) == ("Magasinier", ["orders.place"])
    assert (w.address.city, CompanyAddress.objects.count()) == ("Lyon", 1)
    assert w.invitation.status == InvitationStatus.PENDING
    assert CompanyInvitation.objects.count() == 1
    assert w.join.status == JoinRequestStatus.PENDING
    assert (company.phone, company.email_domains) == ("", ["am.fr"])
    assert CompanyRole.objects.filter(company=company).count() == 6
    assert CompanyMember.objects.filter(company=company).count() == 2


def test_a_visitor_is_sent_to_sign_in(world: World) -> None:
    client = LanguageClient(language="en")
    for url in [*_get_pages(world), "/account/company/join/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url
    for url, body in _posts(world):
        response = client.post(url, body)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url
    _unchanged(world)


def test_a_consumer_gets_404(world: World) -> None:
    client = login(UserFactory.create(email="someone@gmail.com"))
    for url in [*_get_pages(world), "/account/company/join/"]:
        assert client.get(url).status_code == 404, url
    for url, body in _posts(world):
        assert client.post(url, body).status_code == 404, url
    _unchanged(world)


def test_a_member_without_company_manage_gets_403_and_changes_nothing(world: World) -> None:
    client = login(world.buyer.user)
    # Every member reads the profile and the addresses...
    assert client.get("/account/company/").status_code == 200
    assert client.get("/account/company/addresses/").status_code == 200
    # ...and nothing else.
    for url in _get_pages(world)[2:]:
        assert client.get(url).status_code == 403, url
    for url, body in _posts(world):
        assert client.post(url, body).status_code == 403, url
    _unchanged(world)


def test_another_companys_objects_are_404(world: World) -> None:
    client = login(world.outsider.user)
    w = world
    for url in [
        f"/account/company/addresses/{w.address.pk}/",
        f"/account/company/roles/{w.role.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    for url, body in _posts(world):
        if url in ("/account/company/", "/account/company/addresses/new/"):
            continue  # the outsider's own company
        if url in ("/account/company/invitations/new", "/account/company/roles/"):
            continue
        assert client.post(url, body).status_code == 404, url
    # Their own company's pages do not show this one's people.
    page = client.get("/account/company/members/").content.decode()
    assert "bob@bois.fr" in page
    assert "paul@am.fr" not in page
    assert "new@am.fr" not in page
    assert "lea@am.fr" not in page
    # A role of this company named in a form of theirs is unknown there.
    response = client.post(
        "/account/company/invitations/new", {"email": "x@bois.fr", "role": str(w.role.pk)}
    )
    assert response.status_code == 400
    _unchanged(world)


def test_the_nav_shows_each_entry_to_whom_it_is_for(world: World) -> None:
    admin = login(world.admin.user).get("/account/company/").content.decode()
    for label in ("Company addresses", "Members and invitations", "Roles and permissions"):
        assert label in admin
    assert 'aria-current="page">Company</a>' in admin
    buyer = login(world.buyer.user).get("/account/company/").content.decode()
    assert "Company addresses" in buyer
    assert "Members and invitations" not in buyer
    assert "Roles and permissions" not in buyer
    consumer = login(UserFactory.create(email="x@gmail.com")).get("/account/").content.decode()
    assert "Company addresses" not in consumer
    assert "Join your company" not in consumer
    # A user of no company whose email domain is the company's is offered to join.
    colleague = login(UserFactory.create(email="jeanne@am.fr")).get("/account/").content.decode()
    assert "Join your company" in colleague
    assert "Company addresses" not in colleague


def test_the_join_entry_follows_the_companys_domains(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The menu reads the domains kept in the process: a change made on the company page
    shows at once (the buyers' version is bumped when it commits)."""
    jeanne = login(UserFactory.create(email="jeanne@martin-lyon.fr"))
    assert "Join your company" not in jeanne.get("/account/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.admin.user).post(
            "/account/company/", {"phone": "", "email_domains": "am.fr, martin-lyon.fr"}
        )
    assert response.status_code == 302
    assert "Join your company" in jeanne.get("/account/").content.decode()
    page = jeanne.get("/account/company/join/").content.decode()
    assert "Atelier Martin" in page
