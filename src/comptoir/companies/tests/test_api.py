"""Staff companies API: access (anonymous 401, customer 403, permissions), CRUD of customer
groups, companies and members through the services, and bad input (a 4xx problem+json
with a stable code, nothing changed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.companies.models import Company, CompanyMember, CustomerGroup
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    CustomerGroupFactory,
    FrenchCompanyFactory,
)
from comptoir.core.testing import ADMIN, Api, api_for, clerk_api, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Api:
    return api_for(StaffFactory.create(), client)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "customer-groups"),
        ("post", "customer-groups"),
        ("patch", "customer-groups/1"),
        ("delete", "customer-groups/1"),
        ("get", "companies"),
        ("post", "companies"),
        ("get", "companies/1"),
        ("patch", "companies/1"),
        ("delete", "companies/1"),
        ("get", "companies/1/members"),
        ("post", "companies/1/members"),
        ("delete", "companies/1/members/1"),
    ],
)
def test_anonymous_is_401(client: Client, method: str, path: str) -> None:
    api = Api(client, None)
    response = api.get(path) if method == "get" else api.send(method, path, {})

    problem(response, 401, "UNAUTHORIZED")


def test_customer_is_403_and_nothing_changes(client: Client) -> None:
    member = CompanyMemberFactory.create()
    api = api_for(member.user, client)

    problem(api.get("companies"), 403, "PERMISSION_DENIED")
    problem(api.get(f"companies/{member.company_id}"), 403, "PERMISSION_DENIED")
    problem(
        api.post("companies", {"legal_name": "Intrus", "country": "FR"}), 403, "PERMISSION_DENIED"
    )
    problem(
        api.post(f"companies/{member.company_id}/members", {"user_id": UserFactory.create().pk}),
        403,
        "PERMISSION_DENIED",
    )
    problem(api.post("customer-groups", {"code": "x", "name": "x"}), 403, "PERMISSION_DENIED")
    assert Company.objects.count() == 1
    assert CompanyMember.objects.count() == 1
    assert not CustomerGroup.objects.exists()


def test_staff_needs_the_model_permission(client: Client) -> None:
    clerk: Any = StaffFactory.create(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_company"))
    api = api_for(clerk, client)
    company = CompanyFactory.create()

    assert api.get("companies").status_code == 200
    assert api.get(f"companies/{company.pk}").status_code == 200
    problem(api.patch(f"companies/{company.pk}", {"legal_name": "X"}), 403, "PERMISSION_DENIED")
    problem(api.delete(f"companies/{company.pk}"), 403, "PERMISSION_DENIED")
    problem(api.get(f"companies/{company.pk}/members"), 403, "PERMISSION_DENIED")
    problem(api.get("customer-groups"), 403, "PERMISSION_DENIED")
    company.refresh_from_db()
    assert company.legal_name != "X"


def test_staff_session_works(client: Client) -> None:
    client.force_login(StaffFactory.create())

    assert Api(client, None).get("companies").status_code == 200


# --- customer groups ----------------------------------------------------------------------


def test_customer_group_crud(api: Api) -> None:
    response = api.post("customer-groups", {"code": "installateurs", "name": "Installateurs"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created == {
        "id": created["id"],
        "code": "installateurs",
        "name": "Installateurs",
        "description": "",
        "company_count": 0,
    }
    path = f"customer-groups/{created['id']}"

    CompanyFactory.create(customer_group_id=created["id"])
    assert api.get(path).json()["company_count"] == 1
    listed = api.get("customer-groups").json()
    assert (listed["count"], [g["code"] for g in listed["results"]]) == (1, ["installateurs"])

    changed = api.patch(path, {"description": "Pros"}).json()
    assert (changed["code"], changed["description"]) == ("installateurs", "Pros")

    problem(api.delete(path), 409, "GROUP_IN_USE")
    Company.objects.all().delete()
    assert api.delete(path).status_code == 204
    problem(api.get(path), 404, "GROUP_NOT_FOUND")


def test_customer_group_bad_input(api: Api) -> None:
    group = CustomerGroupFactory.create(code="pros", name="Pros")

    problem(api.post("customer-groups", {"code": "pros", "name": "x"}), 409, "GROUP_CODE_TAKEN")
    body = problem(api.post("customer-groups", {"code": "a b", "name": "x"}), 400, "INVALID_INPUT")
    assert "code" in body["errors"]
    problem(api.post("customer-groups", {"name": "x"}), 422, "VALIDATION_ERROR")
    problem(api.patch(f"customer-groups/{group.pk}", {"name": None}), 400, "INVALID_INPUT")
    problem(api.patch("customer-groups/999999", {"name": "x"}), 404, "GROUP_NOT_FOUND")
    problem(api.delete("customer-groups/999999"), 404, "GROUP_NOT_FOUND")
    problem(api.get("customer-groups", {"page": 0}), 400, "INVALID_PAGINATION")
    group.refresh_from_db()
    assert (group.code, group.name) == ("pros", "Pros")
    assert CustomerGroup.objects.count() == 1


# --- companies ----------------------------------------------------------------------------


def test_company_crud(api: Api) -> None:
    CustomerGroupFactory.create(code="pros")

    response = api.post(
        "companies",
        {
            "legal_name": "Odigo SA",
            "country": "fr",
            "vat_number": "FR 40 303 265 045",
            "siret": "303 265 045 00003",
            "customer_group": "pros",
            "external_ref": "ERP-1",
            "metadata": {"erp": 1},
        },
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created == {
        "id": created["id"],
        "legal_name": "Odigo SA",
        "country": "FR",
        "vat_number": "FR40303265045",
        "siren": "303265045",
        "siret": "30326504500003",
        "customer_group": "pros",
        "tax_status": "standard",
        "vies_status": "unchecked",
        "vies_checked_at": None,
        "is_active": True,
        "po_number_required": False,
        "allow_assisted_shopping": False,
        "member_count": 0,
        "phone": "",
        "email_domains": [],
        "account_manager_id": None,
        "external_ref": "ERP-1",
        "metadata": {"erp": 1},
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    path = f"companies/{created['id']}"
    assert api.get(path).json() == created

    changed = api.patch(path, {"customer_group": None, "tax_status": "exempt"}).json()
    assert (changed["customer_group"], changed["tax_status"], changed["vat_number"]) == (
        None,
        "exempt",
        "FR40303265045",
    )

    assert api.delete(path).status_code == 204
    problem(api.get(path), 404, "COMPANY_NOT_FOUND")
    assert not Company.objects.exists()


def test_company_list(api: Api) -> None:
    FrenchCompanyFactory.create()
    CompanyFactory.create(legal_name="Brasserie", country="BE", vat_number="BE0403019261")
    CompanyFactory.create(legal_name="Atelier", country="FR")

    everything = api.get("companies", {"page_size": 2}).json()
    assert everything["count"] == 3
    assert [c["legal_name"] for c in everything["results"]] == ["Atelier", "Brasserie"]
    assert everything["next"] == f"{ADMIN}/companies?page=2&page_size=2"
    assert everything["previous"] is None

    by_vat = api.get("companies", {"search": "fr40303265045"}).json()
    assert [c["legal_name"] for c in by_vat["results"]] == ["Odigo SA"]
    belgian = api.get("companies", {"country": "BE"}).json()
    assert [c["legal_name"] for c in belgian["results"]] == ["Brasserie"]
    second = api.get("companies", {"country": "FR", "page": 2, "page_size": 1}).json()
    assert [c["legal_name"] for c in second["results"]] == ["Odigo SA"]
    assert second["previous"] == f"{ADMIN}/companies?country=FR&page=1&page_size=1"

    problem(api.get("companies", {"country": "ZZ"}), 400, "INVALID_FILTER")
    problem(api.get("companies", {"page_size": 1000}), 400, "INVALID_PAGINATION")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"vat_number": "FR00000000000"}, "INVALID_VAT_NUMBER", "vat_number"),
        ({"vat_number": "BE0403019261"}, "INVALID_VAT_NUMBER", "vat_number"),
        ({"siren": "303265046"}, "INVALID_SIREN", "siren"),
        ({"siret": "30326504500004"}, "INVALID_SIRET", "siret"),
        ({"country": "BE", "siren": "303265045"}, "INVALID_SIREN", "siren"),
        ({"country": "ZZ"}, "INVALID_COUNTRY", "country"),
        ({"legal_name": ""}, "INVALID_INPUT", "legal_name"),
        ({"legal_name": "a\u0000"}, "INVALID_TEXT", "legal_name"),
        ({"tax_status": "none"}, "INVALID_TAX_STATUS", "tax_status"),
        ({"customer_group": "unknown"}, "GROUP_NOT_FOUND", "customer_group"),
    ],
)
def test_company_bad_input(api: Api, body: dict[str, Any], code: str, field: str) -> None:
    company = FrenchCompanyFactory.create(vat_number="")
    before = Company.objects.values().get(pk=company.pk)

    created = problem(
        api.post("companies", {"legal_name": "X", "country": "FR", **body}), 400, code
    )
    changed = problem(api.patch(f"companies/{company.pk}", body), 400, code)

    assert field in created["errors"]
    assert field in changed["errors"]
    assert Company.objects.count() == 1
    assert Company.objects.values().get(pk=company.pk) == before


def test_company_conflicts_and_missing(api: Api) -> None:
    CompanyFactory.create(external_ref="ERP-1")

    problem(
        api.post("companies", {"legal_name": "X", "country": "FR", "external_ref": "ERP-1"}),
        409,
        "EXTERNAL_REF_TAKEN",
    )
    problem(api.post("companies", {"legal_name": "X"}), 422, "VALIDATION_ERROR")
    problem(api.patch("companies/999999", {"legal_name": "X"}), 404, "COMPANY_NOT_FOUND")
    problem(api.delete("companies/999999"), 404, "COMPANY_NOT_FOUND")
    problem(api.get("companies/0"), 404, "COMPANY_NOT_FOUND")
    assert Company.objects.count() == 1


def test_errors_in_english(api: Api) -> None:
    response = api.client.post(
        f"{ADMIN}/companies",
        data=json.dumps({"legal_name": "X", "country": "FR", "vat_number": "BE0403019261"}),
        content_type="application/json",
        headers=api.headers,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = problem(response, 400, "INVALID_VAT_NUMBER")
    assert body["errors"]["vat_number"] == ["A VAT number of FR starts with FR."]


# --- members ------------------------------------------------------------------------------


def test_members(api: Api) -> None:
    company = CompanyFactory.create()
    lea = UserFactory.create(email="lea@example.fr", first_name="Léa", last_name="Durand")
    paul = UserFactory.create(email="paul@example.fr")

    response = api.post(f"companies/{company.pk}/members", {"email": "LEA@example.fr"})
    assert response.status_code == 201, response.content
    admin_role = company.roles.get(code="admin")
    assert response.json() == {
        "id": CompanyMember.objects.get(user=lea).pk,
        "user_id": lea.pk,
        "email": "lea@example.fr",
        "first_name": "Léa",
        "last_name": "Durand",
        "role": {
            "id": admin_role.pk,
            "code": "admin",
            "name": "Administrateur de l\u2019entreprise",
        },
        "is_active": True,
        "job_title": "",
        "created_at": response.json()["created_at"],
    }
    assert api.post(f"companies/{company.pk}/members", {"user_id": paul.pk}).status_code == 201

    listed = api.get(f"companies/{company.pk}/members").json()
    assert (listed["count"], [m["email"] for m in listed["results"]]) == (
        2,
        ["lea@example.fr", "paul@example.fr"],
    )
    assert api.get(f"companies/{company.pk}").json()["member_count"] == 2

    # The first member is the administrator; the next ones buy.
    assert CompanyMember.objects.get(user=paul).role.code == "buyer"
    problem(api.delete(f"companies/{company.pk}/members/{lea.pk}"), 409, "LAST_ADMIN")
    assert api.delete(f"companies/{company.pk}/members/{paul.pk}").status_code == 204
    assert list(CompanyMember.objects.values_list("user_id", flat=True)) == [lea.pk]


def test_member_bad_input(api: Api) -> None:
    member = CompanyMemberFactory.create()
    company = CompanyFactory.create()
    path = f"companies/{company.pk}/members"

    problem(api.post(path, {"user_id": member.user_id}), 409, "ALREADY_MEMBER")
    problem(api.post(path, {"email": "nobody@example.fr"}), 400, "USER_NOT_FOUND")
    problem(api.post(path, {"user_id": 10**9}), 400, "USER_NOT_FOUND")
    problem(api.post(path, {}), 400, "INVALID_INPUT")
    problem(api.post(path, {"email": "a@b.fr", "user_id": 1}), 400, "INVALID_INPUT")
    problem(
        api.post(path, {"user_id": UserFactory.create(is_active=False).pk}), 400, "USER_INACTIVE"
    )
    problem(api.post(path, {"user_id": StaffFactory.create().pk}), 400, "USER_IS_STAFF")
    problem(api.post("companies/999999/members", {"user_id": 1}), 404, "COMPANY_NOT_FOUND")
    problem(api.get("companies/999999/members"), 404, "COMPANY_NOT_FOUND")
    # Another company's member is not this company's.
    problem(api.delete(f"{path}/{member.user_id}"), 404, "MEMBER_NOT_FOUND")
    problem(api.delete(f"{path}/999999"), 404, "MEMBER_NOT_FOUND")
    assert list(CompanyMember.objects.values_list("pk", flat=True)) == [member.pk]


def test_company_po_number_required_flag(api: Api) -> None:
    created = api.post("companies", {"legal_name": "Atelier Martin", "country": "FR"})
    assert created.status_code == 201, created.content
    assert created.json()["po_number_required"] is False
    company_id = created.json()["id"]
    changed = api.patch(f"companies/{company_id}", {"po_number_required": True})
    assert changed.json()["po_number_required"] is True
    assert Company.objects.get(pk=company_id).po_number_required is True
    problem(
        api.patch(f"companies/{company_id}", {"po_number_required": "x"}), 422, "VALIDATION_ERROR"
    )
    assert Company.objects.get(pk=company_id).po_number_required is True


# --- roles, members' roles, addresses, account manager (staff) -------------------------------


def test_staff_roles_members_addresses_and_account_manager(api: Api) -> None:
    company = CompanyFactory.create()
    manager = StaffFactory.create(email="claire@comptoir.test")
    lea = UserFactory.create()
    base = f"companies/{company.pk}"

    changed = api.patch(base, {"account_manager_id": manager.pk, "email_domains": ["am.fr"]})
    assert (changed.json()["account_manager_id"], changed.json()["email_domains"]) == (
        manager.pk,
        ["am.fr"],
    )
    problem(api.patch(base, {"account_manager_id": lea.pk}), 400, "INVALID_ACCOUNT_MANAGER")
    problem(api.patch(base, {"account_manager_id": 10**9}), 400, "USER_NOT_FOUND")
    assert api.patch(base, {"account_manager_id": None}).json()["account_manager_id"] is None

    role = api.post(f"{base}/roles", {"name": "Achats", "permissions": ["orders.place"]})
    assert role.status_code == 201, role.content
    role_id = role.json()["id"]
    assert [r["code"] for r in api.get(f"{base}/roles").json()] == [
        "admin",
        "buyer",
        "approver",
        "finance",
        "viewer",
        None,
    ]
    viewer = company.roles.get(code="viewer")
    problem(api.patch(f"{base}/roles/{viewer.pk}", {"name": "x"}), 409, "ROLE_BUILTIN")
    other_role = CompanyFactory.create().roles.get(code="admin")
    problem(api.delete(f"{base}/roles/{other_role.pk}"), 404, "ROLE_NOT_FOUND")

    added = api.post(
        f"{base}/members", {"user_id": lea.pk, "role_id": role_id, "job_title": "Acheteuse"}
    )
    assert added.status_code == 201, added.content
    assert (added.json()["role"]["name"], added.json()["job_title"]) == ("Achats", "Acheteuse")
    problem(
        api.post(f"{base}/members", {"user_id": UserFactory.create().pk, "role_id": other_role.pk}),
        400,
        "ROLE_NOT_FOUND",
    )
    admin_role = company.roles.get(code="admin")
    patched = api.patch(f"{base}/members/{lea.pk}", {"role_id": admin_role.pk}).json()
    assert patched["role"]["code"] == "admin"
    problem(api.patch(f"{base}/members/{lea.pk}", {"is_active": False}), 409, "LAST_ADMIN")
    problem(api.patch(f"{base}/members/{10**9}", {"job_title": "x"}), 404, "MEMBER_NOT_FOUND")
    assert api.delete(f"{base}/roles/{role_id}").status_code == 204  # nobody holds it now

    site = {
        "kind": "shipping",
        "company_name": company.legal_name,
        "street_address_1": "1 rue",
        "postal_code": "75001",
        "city": "Paris",
        "country": "FR",
    }
    created = api.post(f"{base}/addresses", site)
    assert created.status_code == 201, created.content
    address_id = created.json()["id"]
    assert (
        api.patch(f"{base}/addresses/{address_id}", {"label": "Siège"}).json()["label"] == "Siège"
    )
    problem(api.post(f"{base}/addresses", {**site, "postal_code": "1"}), 400, "ADDRESS_INVALID")
    assert [a["label"] for a in api.get(f"{base}/addresses").json()] == ["Siège"]
    other_address = CompanyFactory.create()
    problem(
        api.delete(f"companies/{other_address.pk}/addresses/{address_id}"), 404, "ADDRESS_NOT_FOUND"
    )
    assert api.delete(f"{base}/addresses/{address_id}").status_code == 204


def test_staff_role_and_address_routes_need_their_permissions(client: Client) -> None:
    company = CompanyFactory.create()
    clerk = clerk_api(client, "view_company")
    problem(clerk.get(f"companies/{company.pk}/roles"), 403, "PERMISSION_DENIED")
    problem(
        clerk.post(f"companies/{company.pk}/roles", {"name": "x", "permissions": []}),
        403,
        "PERMISSION_DENIED",
    )
    problem(clerk.get(f"companies/{company.pk}/addresses"), 403, "PERMISSION_DENIED")
    assert company.roles.count() == 5
