"""The company administration pages at work (docs/b2b-portal.md, "Company
administration"): the profile, addresses, members, invitations (with the email's link to
the acceptance page), join requests and roles, through the companies services: happy
paths, every refusal shown on the page with nothing changed, the members page's queries
and the pages in French. Access rules: test_company_admin_access.py."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies import services
from comptoir.companies.models import (
    Company,
    CompanyAddress,
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    CompanyRole,
    InvitationStatus,
    JoinRequestStatus,
    ViesStatus,
)
from comptoir.companies.tests.factories import (
    CompanyFactory,
    FrenchCompanyFactory,
    member_with_role,
)
from comptoir.storefront.tests.test_company_admin_access import ADDRESS, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    return FrenchCompanyFactory.create(
        legal_name="Atelier Martin", email_domains=["am.fr"], vies_status=ViesStatus.VALID
    )


@pytest.fixture
def admin(company: Company) -> CompanyMember:
    return member_with_role(company, "admin", user=UserFactory.create(email="marie@am.fr"))


@pytest.fixture
def buyer(company: Company) -> CompanyMember:
    return member_with_role(company, "buyer", user=UserFactory.create(email="paul@am.fr"))


def _text(response: Any) -> str:
    return str(response.content.decode())


# --- profile ------------------------------------------------------------------------------


def test_profile_shows_the_identity_and_saves_phone_and_domains(
    admin: CompanyMember, buyer: CompanyMember
) -> None:
    client = login(admin.user)
    page = _text(client.get("/account/company/"))
    for text in (
        "FR40303265045",
        "Valid in VIES",
        "303265045",
        "30326504500003",
        "Company administrator",
    ):
        assert text in page
    response = client.post(
        "/account/company/",
        # The legal identity is the shop staff's (as `PATCH company`): a posted one is ignored.
        {"phone": "04 72 00 00 00", "email_domains": "AM.fr\natelier-martin.fr", "vat_number": "X"},
    )
    assert response.status_code == 302
    company = Company.objects.get(pk=admin.company_id)
    assert (company.phone, company.email_domains) == (
        "+33472000000",
        ["am.fr", "atelier-martin.fr"],
    )
    assert company.vat_number == "FR40303265045"
    assert "The company&#x27;s details are saved." in _text(client.get("/account/company/"))
    # A buyer reads the same page without the form.
    page = _text(login(buyer.user).get("/account/company/"))
    assert "+33472000000" in page
    assert 'name="phone"' not in page
    assert "You buy for this company as Buyer." in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phone": "12", "email_domains": "am.fr"}, "Enter a valid phone number"),
        ({"phone": "", "email_domains": "not a domain!"}, "Give domain names such as"),
    ],
)
def test_profile_bad_input_changes_nothing(
    admin: CompanyMember, body: dict[str, str], message: str
) -> None:
    response = login(admin.user).post("/account/company/", body)
    assert response.status_code == 400
    assert message in _text(response)
    company = Company.objects.get(pk=admin.company_id)
    assert (company.phone, company.email_domains) == ("", ["am.fr"])


# --- addresses ----------------------------------------------------------------------------


def test_addresses_add_edit_delete(admin: CompanyMember, buyer: CompanyMember) -> None:
    client = login(admin.user)
    response = client.post(
        "/account/company/addresses/new/", {**ADDRESS, "kind": "billing", "label": "Siège"}
    )
    assert response.status_code == 302
    address = CompanyAddress.objects.get()
    assert (address.kind, address.label, address.is_default) == ("billing", "Siège", True)
    response = client.post(
        f"/account/company/addresses/{address.pk}/",
        {**ADDRESS, "city": "Villeurbanne", "label": "Siège"},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.kind, address.is_default) == ("Villeurbanne", "billing", True)
    assert "Villeurbanne" in _text(login(buyer.user).get("/account/company/addresses/"))
    assert "Siège" in _text(client.get("/account/company/addresses/"))
    assert client.post(f"/account/company/addresses/{address.pk}/delete").status_code == 302
    assert not CompanyAddress.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**ADDRESS, "kind": "billing", "postal_code": "ABC"}, "postal code"),
        ({**ADDRESS, "kind": "billing", "company_name": ""}, "This field is required."),
        ({**ADDRESS, "kind": "warehouse"}, "Select a valid choice"),
        ({**ADDRESS, "kind": "billing", "phone": "12"}, "phone"),
    ],
)
def test_address_bad_input_changes_nothing(
    admin: CompanyMember, body: dict[str, str], message: str
) -> None:
    response = login(admin.user).post("/account/company/addresses/new/", body)
    assert response.status_code == 400
    assert message.lower() in _text(response).lower()
    assert not CompanyAddress.objects.exists()


# --- members ------------------------------------------------------------------------------


def _member_post(client: Client, member: CompanyMember, **body: str) -> Any:
    return client.post(f"/account/company/members/{member.pk}/change", body)


def test_members_role_deactivate_reactivate_remove(
    admin: CompanyMember, buyer: CompanyMember
) -> None:
    client = login(admin.user)
    page = _text(client.get("/account/company/members/"))
    assert "paul@am.fr" in page
    assert "2 members" in page
    storekeeper = services.role_create(
        company=admin.company, name="Magasinier", permissions=["orders.place"]
    )
    response = _member_post(client, buyer, action="role", role=str(storekeeper.pk))
    assert response.status_code == 302
    assert "paul@am.fr is now Magasinier." in _text(client.get("/account/company/members/"))
    assert _member_post(client, buyer, action="deactivate").status_code == 302
    buyer.refresh_from_db()
    assert (buyer.role, buyer.is_active) == (storekeeper, False)
    assert _member_post(client, buyer, action="activate").status_code == 302
    buyer.refresh_from_db()
    assert buyer.is_active
    assert client.post(f"/account/company/members/{buyer.pk}/remove").status_code == 302
    assert not CompanyMember.objects.filter(pk=buyer.pk).exists()


def test_members_refusals_are_shown_and_change_nothing(
    admin: CompanyMember, buyer: CompanyMember
) -> None:
    client = login(admin.user)
    buyer_role = buyer.role
    # Nobody changes their own role, deactivates or removes themselves (no form for it).
    page = _text(client.get("/account/company/members/"))
    assert f'id="role-{admin.pk}"' not in page
    assert f'id="role-{buyer.pk}"' in page
    response = _member_post(client, admin, action="role", role=str(buyer_role.pk))
    assert response.status_code == 403
    assert "You cannot change your own role or deactivate yourself." in _text(response)
    assert _member_post(client, admin, action="deactivate").status_code == 403
    assert client.post(f"/account/company/members/{admin.pk}/remove").status_code == 403
    # An unknown role, another company's role, an unknown action.
    other_role = CompanyFactory.create().roles.get(code="admin")
    for role in ("999999", str(other_role.pk), "x"):
        response = _member_post(client, buyer, action="role", role=role)
        assert response.status_code == 400
        assert "Unknown role." in _text(response)
    assert _member_post(client, buyer, action="promote").status_code == 400
    # The last administrator stays one: a manager by a custom role cannot demote them.
    manager_role = services.role_create(
        company=admin.company, name="Gérant", permissions=["company.manage"]
    )
    manager = member_with_role(admin.company, "viewer")
    services.company_member_update(member=manager, role=manager_role)
    client = login(manager.user)
    for body in ({"action": "role", "role": str(buyer_role.pk)}, {"action": "deactivate"}):
        response = _member_post(client, admin, **body)
        assert response.status_code == 409
        assert "A company keeps at least one active administrator." in _text(response)
    assert client.post(f"/account/company/members/{admin.pk}/remove").status_code == 409
    admin.refresh_from_db()
    buyer.refresh_from_db()
    assert (admin.role.code, admin.is_active, buyer.role) == ("admin", True, buyer_role)


def test_members_page_queries_do_not_grow_with_members(
    admin: CompanyMember, django_assert_num_queries: Any
) -> None:
    company = admin.company
    for _n in range(3):
        member_with_role(company, "buyer")
    services.invitation_create(
        company=company,
        email="new@am.fr",
        role=services.role_builtin(company=company, code="buyer"),
        invited_by=admin.user,
    )
    services.join_request_create(company=company, user=UserFactory.create(email="lea@am.fr"))
    client = login(admin.user)
    client.get("/account/company/members/")  # warm the process's copies (buyers, nav)

    def pinned() -> None:
        # Session and user, the membership, the members (count and page), the roles, the
        # invitations, the join requests, the nav's `company.manage` check (its company is
        # the process's copy) and the header's channel (none in this shop): 10, whatever
        # the number of members, invitations and requests.
        with django_assert_num_queries(10):
            assert client.get("/account/company/members/").status_code == 200

    pinned()
    for _n in range(5):
        member_with_role(company, "viewer")
    services.join_request_create(company=company, user=UserFactory.create(email="zoe@am.fr"))
    pinned()


# --- invitations --------------------------------------------------------------------------


def test_invite_email_link_and_accept(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(admin.user)
    buyer_role = services.role_builtin(company=admin.company, code="buyer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/company/invitations/new",
            {"email": "Jeanne@AM.fr", "role": str(buyer_role.pk)},
        )
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get()
    assert (invitation.email, invitation.role) == ("jeanne@am.fr", buyer_role)
    assert "An invitation was sent to jeanne@am.fr." in _text(
        client.get("/account/company/members/")
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jeanne@am.fr"]
    link = re.search(r"https?://\S+/account/company/invitations/(\S+)/", str(mail.outbox[0].body))
    assert link is not None
    assert link.group(1) == invitation.token
    path = f"/account/company/invitations/{invitation.token}/"
    # A visitor signs in (or registers: the login page links to it) and comes back.
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert invitation.token in response["Location"]
    # Another account sees whom the invitation is for and cannot accept it.
    stranger = login(UserFactory.create(email="other@gmail.com"))
    assert "Sign out" in _text(stranger.get(path))
    response = stranger.post(path)
    assert response.status_code == 403
    assert "This invitation is for another email address." in _text(response)
    # The invited account accepts.
    jeanne = UserFactory.create(email="jeanne@am.fr")
    client = login(jeanne)
    page = _text(client.get(path))
    assert "jeanne@am.fr is invited to buy for Atelier Martin as Buyer." in page
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].endswith("/account/company/")
    member = CompanyMember.objects.get(user=jeanne)
    assert (member.company_id, member.role) == (admin.company_id, buyer_role)
    assert "You now buy for Atelier Martin." in _text(client.get("/account/company/"))
    # A used token is unknown.
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_expired_and_unknown_invitations(admin: CompanyMember) -> None:
    role = services.role_builtin(company=admin.company, code="buyer")
    invitation = services.invitation_create(
        company=admin.company, email="jeanne@am.fr", role=role, invited_by=admin.user
    )
    CompanyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    client = login(UserFactory.create(email="jeanne@am.fr"))
    path = f"/account/company/invitations/{invitation.token}/"
    assert "This invitation has expired" in _text(client.get(path))
    response = client.post(path)
    assert response.status_code == 409
    assert not CompanyMember.objects.filter(user__email="jeanne@am.fr").exists()
    assert client.get("/account/company/invitations/nope/").status_code == 404
    assert client.get(f"/account/company/invitations/{'x' * 80}/").status_code == 404
    # Revoked: gone from the list, its link unknown.
    admin_client = login(admin.user)
    revoke = f"/account/company/invitations/{invitation.pk}/revoke"
    assert admin_client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert client.get(path).status_code == 404
    response = admin_client.post(revoke)
    assert response.status_code == 409
    assert "This invitation is no longer pending." in _text(response)


@pytest.mark.parametrize(
    "case",
    [
        ("not-an-email", "buyer", 400, "Enter a valid email address."),
        ("", "buyer", 400, "This field is required."),
        ("jeanne@am.fr", "999999", 400, "Select a valid choice"),
        ("paul@am.fr", "buyer", 409, "paul@am.fr already acts for a company."),
        ("pending@am.fr", "buyer", 409, "pending@am.fr is already invited."),
    ],
)
def test_invitation_bad_input_changes_nothing(
    admin: CompanyMember,
    buyer: CompanyMember,
    case: tuple[str, str, int, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    email, role, status, message = case
    buyer_role = services.role_builtin(company=admin.company, code="buyer")
    services.invitation_create(
        company=admin.company, email="pending@am.fr", role=buyer_role, invited_by=admin.user
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin.user).post(
            "/account/company/invitations/new",
            {"email": email, "role": str(buyer_role.pk) if role == "buyer" else role},
        )
    assert response.status_code == status
    page = _text(response).replace("&#x27;", "'")
    assert message in page
    if email:
        assert f'value="{email}"' in page  # the form keeps what was typed
    assert CompanyInvitation.objects.count() == 1
    assert mail.outbox == []


# --- join requests ------------------------------------------------------------------------


def test_ask_to_join_then_approve_with_a_role(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    lea = UserFactory.create(email="lea@am.fr")
    client = login(lea)
    page = _text(client.get("/account/company/join/"))
    assert "Atelier Martin" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/company/join/", {"company": str(admin.company_id), "message": "Achats"}
        )
    assert response.status_code == 302
    join = CompanyJoinRequest.objects.get()
    assert (join.user, join.message) == (lea, "Achats")
    assert [m.to for m in mail.outbox] == [["marie@am.fr"]]
    assert "waiting for an administrator" in _text(client.get("/account/company/join/"))
    response = client.post("/account/company/join/", {"company": str(admin.company_id)})
    assert response.status_code == 409
    assert "You already asked to join this company." in _text(response)
    # Another company's id is refused by the service, as in the API.
    other = CompanyFactory.create(email_domains=["bois.fr"])
    response = client.post("/account/company/join/", {"company": str(other.pk)})
    assert response.status_code == 400
    assert CompanyJoinRequest.objects.count() == 1
    # The administrator approves with a role.
    admin_client = login(admin.user)
    page = _text(admin_client.get("/account/company/members/"))
    assert "lea@am.fr" in page
    assert "Achats" in page
    approver = services.role_builtin(company=admin.company, code="approver")
    decide = f"/account/company/join-requests/{join.pk}/approve"
    assert admin_client.post(decide, {"role": "999999"}).status_code == 400
    assert not CompanyMember.objects.filter(user=lea).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(decide, {"role": str(approver.pk)})
    assert response.status_code == 302
    assert CompanyMember.objects.get(user=lea).role == approver
    assert [m.to for m in mail.outbox] == [["lea@am.fr"]]
    response = admin_client.post(f"/account/company/join-requests/{join.pk}/reject")
    assert response.status_code == 409
    assert "This request was already decided." in _text(response)
    # Now a member, Léa's join page is her company's profile.
    assert client.get("/account/company/join/")["Location"].endswith("/account/company/")


def test_reject_a_join_request(admin: CompanyMember) -> None:
    join = services.join_request_create(
        company=admin.company, user=UserFactory.create(email="lea@am.fr")
    )
    client = login(admin.user)
    assert client.post(f"/account/company/join-requests/{join.pk}/maybe").status_code == 404
    assert client.post(f"/account/company/join-requests/{join.pk}/reject").status_code == 302
    join.refresh_from_db()
    assert join.status == JoinRequestStatus.REJECTED
    assert not CompanyMember.objects.filter(user=join.user).exists()


# --- roles --------------------------------------------------------------------------------


def test_roles_create_edit_delete(admin: CompanyMember, buyer: CompanyMember) -> None:
    client = login(admin.user)
    page = _text(client.get("/account/company/roles/"))
    assert "Company administrator" in page
    assert "Manage users, roles, addresses, budgets and rules" in page
    assert page.count("built-in") >= 5
    response = client.post(
        "/account/company/roles/",
        {"name": "Magasinier", "permissions": ["orders.place", "quotes.view_all"]},
    )
    assert response.status_code == 302
    role = CompanyRole.objects.get(name="Magasinier")
    assert role.permissions == ["orders.place", "quotes.view_all"]
    edit = f"/account/company/roles/{role.pk}/"
    checked = re.findall(r'value="([a-z_.]+)"[^>]*checked', _text(client.get(edit)))
    assert checked == ["orders.place", "quotes.view_all"]
    response = client.post(edit, {"name": "Réception", "permissions": ["orders.view_all"]})
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.name, role.permissions) == ("Réception", ["orders.view_all"])
    # Held by a member: cannot go.
    services.company_member_update(member=buyer, role=role)
    response = client.post(f"/account/company/roles/{role.pk}/delete")
    assert response.status_code == 409
    assert "Members hold this role: give them another one first." in _text(response)
    services.company_member_update(
        member=buyer, role=services.role_builtin(company=admin.company, code="buyer")
    )
    assert client.post(f"/account/company/roles/{role.pk}/delete").status_code == 302
    assert not CompanyRole.objects.filter(pk=role.pk).exists()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"name": "", "permissions": ["orders.place"]}, 400, "This field is required."),
        ({"name": "   ", "permissions": []}, 400, "This field is required."),
        (
            {"name": "R", "permissions": ["orders.delete"]},
            400,
            "Unknown permissions: orders.delete",
        ),
        (
            {"name": "Buyer", "permissions": []},
            409,
            "This company already has a role with this name.",
        ),
        ({"name": "x" * 101, "permissions": []}, 400, "at most 100 characters"),
    ],
)
def test_role_bad_input_changes_nothing(
    admin: CompanyMember, body: dict[str, Any], status: int, message: str
) -> None:
    response = login(admin.user).post("/account/company/roles/", body)
    assert response.status_code == status
    assert message in _text(response)
    assert CompanyRole.objects.filter(company=admin.company).count() == 5


def test_built_in_roles_cannot_be_changed(admin: CompanyMember) -> None:
    client = login(admin.user)
    builtin = services.role_builtin(company=admin.company, code="viewer")
    assert client.get(f"/account/company/roles/{builtin.pk}/").status_code == 404
    for url in (
        f"/account/company/roles/{builtin.pk}/",
        f"/account/company/roles/{builtin.pk}/delete",
    ):
        response = client.post(url, {"name": "Lecteur", "permissions": []})
        assert response.status_code == 409
        assert "Built-in roles cannot be changed or deleted." in _text(response)
    builtin.refresh_from_db()
    assert builtin.name == "Viewer"


# --- French -------------------------------------------------------------------------------


def test_pages_in_french(admin: CompanyMember, buyer: CompanyMember) -> None:
    client = login(admin.user, language="fr")
    page = _text(client.get("/account/company/members/"))
    assert "Membres et invitations" in page
    assert "Acheteur" in page
    assert "Inviter quelqu" in page
    page = _text(client.get("/account/company/roles/"))
    assert "Rôles et autorisations" in page
    assert "Passer des commandes" in page
    page = _text(client.get("/account/company/"))
    assert "Valide dans VIES" in page
    assert "Numéro de TVA" in page
    assert "Votre rôle dans cette entreprise : Administrateur de l\u2019entreprise." in page
