"""The buyer's company API (/api/v1/company...): access (anonymous 401, no company 404,
role without company.manage 403, another company's objects 404), profile, members, roles
and addresses, bad input changing nothing, pinned query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.companies.models import CompanyAddress, CompanyMember, CompanyRole
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import BUYER, Api, api_for, problem

pytestmark = pytest.mark.django_db

SITE = {
    "kind": "shipping",
    "label": "Dépôt de Lyon",
    "company_name": "Atelier Martin",
    "street_address_1": "3 rue  des Forges",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "fr",
    "phone": "04 72 00 00 00",
}

MANAGER_ROUTES = [
    ("patch", "company", {"phone": ""}),
    ("get", "company/members", None),
    ("patch", "company/members/{other}", {"job_title": "x"}),
    ("delete", "company/members/{other}", None),
    ("get", "company/roles", None),
    ("post", "company/roles", {"name": "X", "permissions": []}),
    ("patch", "company/roles/{role}", {"name": "Y"}),
    ("delete", "company/roles/{role}", None),
    ("post", "company/addresses", SITE),
    ("patch", "company/addresses/{address}", {"label": "x"}),
    ("delete", "company/addresses/{address}", None),
    ("get", "company/invitations", None),
    ("post", "company/invitations", {"email": "new@example.fr", "role_id": "{role}"}),
    ("delete", "company/invitations/1", None),
    ("get", "company/join-requests", None),
    ("post", "company/join-requests/1/approve", {}),
    ("post", "company/join-requests/1/reject", {}),
]


def buyer_api(user: Any, client: Client | None = None) -> Api:
    return api_for(user, client, base=BUYER)


def call(api: Api, method: str, path: str, body: Any) -> Any:
    return api.get(path) if method == "get" else api.send(method, path, body)


@pytest.fixture
def world() -> dict[str, Any]:
    """Company A with an admin, a buyer, a custom role and an address; company B alike."""
    found: dict[str, Any] = {}
    for name in ("a", "b"):
        company = CompanyFactory.create(legal_name=f"Société {name.upper()}")
        found[name] = {
            "company": company,
            "admin": member_with_role(company, "admin"),
            "buyer": member_with_role(company, "buyer"),
            "role": CompanyRole.objects.create(company=company, name="Custom", permissions=[]),
            "address": CompanyAddress.objects.create(
                company=company,
                kind="billing",
                company_name=company.legal_name,
                street_address_1="1 rue",
                postal_code="75001",
                city="Paris",
                country="FR",
                is_default=True,
            ),
        }
    return found


def fill(path: str, side: dict[str, Any]) -> str:
    return path.format(other=side["buyer"].pk, role=side["role"].pk, address=side["address"].pk)


@pytest.mark.parametrize(("method", "path", "body"), MANAGER_ROUTES)
def test_anonymous_is_401(client: Client, method: str, path: str, body: Any) -> None:
    api = Api(client, None, base=BUYER)
    problem(call(api, method, path.format(other=1, role=1, address=1), body), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(("method", "path", "body"), MANAGER_ROUTES)
def test_a_buyer_cannot_manage_the_company(
    world: dict[str, Any], method: str, path: str, body: Any
) -> None:
    side = world["a"]
    api = buyer_api(side["buyer"].user)
    if isinstance(body, dict) and body.get("role_id") == "{role}":
        body = {**body, "role_id": side["role"].pk}
    problem(call(api, method, fill(path, side), body), 403, "COMPANY_PERMISSION_DENIED")
    assert CompanyMember.objects.get(pk=side["buyer"].pk).role.code == "buyer"
    assert CompanyRole.objects.filter(company=side["company"]).count() == 6
    assert CompanyAddress.objects.filter(company=side["company"]).count() == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [r for r in MANAGER_ROUTES if "{" in r[1]],
)
def test_another_companys_objects_are_404(
    world: dict[str, Any], method: str, path: str, body: Any
) -> None:
    api = buyer_api(world["a"]["admin"].user)
    response = call(api, method, fill(path, world["b"]), body)
    assert response.status_code == 404, response.content
    assert response.json()["code"] in {"MEMBER_NOT_FOUND", "ROLE_NOT_FOUND", "ADDRESS_NOT_FOUND"}
    b = world["b"]
    assert CompanyMember.objects.get(pk=b["buyer"].pk).job_title == ""
    assert CompanyRole.objects.get(pk=b["role"].pk).name == "Custom"
    assert CompanyAddress.objects.get(pk=b["address"].pk).label == ""


def test_a_user_of_no_company_is_404(client: Client) -> None:
    api = buyer_api(UserFactory.create())
    problem(api.get("company"), 404, "NOT_A_COMPANY_MEMBER")
    problem(api.get("company/addresses"), 404, "NOT_A_COMPANY_MEMBER")
    problem(api.get("company/members"), 404, "NOT_A_COMPANY_MEMBER")


def test_profile_shows_the_account_manager_and_my_role(world: dict[str, Any]) -> None:
    company = world["a"]["company"]
    company.account_manager = StaffFactory.create(
        email="claire@comptoir.test", first_name="Claire", last_name="Petit"
    )
    company.save()
    api = buyer_api(world["a"]["buyer"].user)

    body = api.get("company").json()

    assert body["account_manager"] == {
        "email": "claire@comptoir.test",
        "first_name": "Claire",
        "last_name": "Petit",
    }
    assert body["my_role"]["code"] == "buyer"
    assert body["my_permissions"] == ["orders.place", "quotes.manage"]
    assert body["legal_name"] == "Société A"


def test_admin_changes_the_profile_and_bad_input_changes_nothing(world: dict[str, Any]) -> None:
    api = buyer_api(world["a"]["admin"].user)

    body = api.patch(
        "company", {"phone": "01 23 45 67 89", "email_domains": ["@Atelier-Martin.fr", "am.fr"]}
    ).json()
    assert (body["phone"], body["email_domains"]) == (
        "+33123456789",
        ["atelier-martin.fr", "am.fr"],
    )

    problem(api.patch("company", {"phone": "12"}), 400, "INVALID_PHONE")
    problem(api.patch("company", {"email_domains": ["not a domain"]}), 400, "INVALID_EMAIL_DOMAIN")
    problem(api.patch("company", {"email_domains": ["a.fr"] * 21}), 400, "INVALID_EMAIL_DOMAIN")
    problem(api.patch("company", {"phone": None}), 400, "INVALID_INPUT")
    problem(api.patch("company", {"email_domains": "a.fr"}), 422, "VALIDATION_ERROR")
    company = world["a"]["company"]
    company.refresh_from_db()
    assert (company.phone, company.email_domains) == (
        "+33123456789",
        ["atelier-martin.fr", "am.fr"],
    )


def test_members_list_and_role_changes(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    a = world["a"]
    api = buyer_api(a["admin"].user)
    for _i in range(3):
        member_with_role(a["company"], "viewer")

    # Token, membership, count, page: constant whatever the number of members.
    with django_assert_num_queries(5):
        listed = api.get("company/members").json()
    assert listed["count"] == 5
    assert [m["role"]["code"] for m in listed["results"]] == [
        "admin",
        "buyer",
        "viewer",
        "viewer",
        "viewer",
    ]

    approver = a["company"].roles.get(code="approver")
    changed = api.patch(
        f"company/members/{a['buyer'].pk}", {"role_id": approver.pk, "job_title": "Chef"}
    ).json()
    assert (changed["role"]["code"], changed["job_title"]) == ("approver", "Chef")

    problem(
        api.patch(f"company/members/{a['admin'].pk}", {"role_id": approver.pk}),
        403,
        "OWN_MEMBERSHIP",
    )
    problem(
        api.patch(f"company/members/{a['buyer'].pk}", {"role_id": world["b"]["role"].pk}),
        400,
        "ROLE_NOT_FOUND",
    )
    problem(
        api.patch(f"company/members/{a['buyer'].pk}", {"job_title": "x" * 101}),
        400,
        "INVALID_INPUT",
    )
    problem(api.patch("company/members/99999999", {"job_title": "x"}), 404, "MEMBER_NOT_FOUND")
    problem(api.delete(f"company/members/{a['admin'].pk}"), 403, "OWN_MEMBERSHIP")
    assert CompanyMember.objects.get(pk=a["admin"].pk).role.code == "admin"
    assert CompanyMember.objects.get(pk=a["buyer"].pk).job_title == "Chef"

    assert api.delete(f"company/members/{a['buyer'].pk}").status_code == 204
    assert not CompanyMember.objects.filter(pk=a["buyer"].pk).exists()


def test_two_admins_cannot_leave_the_company_without_one(world: dict[str, Any]) -> None:
    a = world["a"]
    second = member_with_role(a["company"], "admin")
    api = buyer_api(a["admin"].user)
    other_api = buyer_api(second.user)
    buyer_role = a["company"].roles.get(code="buyer")

    assert api.patch(f"company/members/{second.pk}", {"role_id": buyer_role.pk}).status_code == 200
    # `second` is no longer an admin: it may not manage anything now.
    problem(
        other_api.patch(f"company/members/{a['admin'].pk}", {"role_id": buyer_role.pk}),
        403,
        "COMPANY_PERMISSION_DENIED",
    )
    assert CompanyMember.objects.get(pk=a["admin"].pk).role.code == "admin"


def test_roles_api(world: dict[str, Any]) -> None:
    a = world["a"]
    api = buyer_api(a["admin"].user)

    created = api.post("company/roles", {"name": "Achats", "permissions": ["orders.place"]})
    assert created.status_code == 201, created.content
    role = created.json()
    assert role == {
        "id": role["id"],
        "code": None,
        "name": "Achats",
        "permissions": ["orders.place"],
        "is_builtin": False,
        "member_count": 0,
    }
    listed = api.get("company/roles").json()
    assert [r["code"] for r in listed] == [
        "admin",
        "buyer",
        "approver",
        "finance",
        "viewer",
        None,
        None,
    ]
    assert listed[0]["member_count"] == 1
    patched = api.patch(f"company/roles/{role['id']}", {"permissions": ["quotes.manage"]}).json()
    assert patched["permissions"] == ["quotes.manage"]

    viewer = a["company"].roles.get(code="viewer")
    problem(api.patch(f"company/roles/{viewer.pk}", {"name": "x"}), 409, "ROLE_BUILTIN")
    problem(api.delete(f"company/roles/{viewer.pk}"), 409, "ROLE_BUILTIN")
    problem(
        api.post("company/roles", {"name": "Achats", "permissions": []}), 409, "ROLE_NAME_TAKEN"
    )
    problem(
        api.post("company/roles", {"name": "Z", "permissions": ["admin.everything"]}),
        400,
        "INVALID_PERMISSION",
    )
    problem(api.post("company/roles", {"name": "Z"}), 422, "VALIDATION_ERROR")
    assert api.delete(f"company/roles/{role['id']}").status_code == 204
    assert CompanyRole.objects.filter(company=a["company"]).count() == 6


def test_addresses_api(world: dict[str, Any]) -> None:
    a = world["a"]
    api = buyer_api(a["admin"].user)

    created = api.post("company/addresses", SITE)
    assert created.status_code == 201, created.content
    site = created.json()
    assert site == {
        "id": site["id"],
        "kind": "shipping",
        "label": "Dépôt de Lyon",
        "is_default": True,  # the first shipping site
        "first_name": "",
        "last_name": "",
        "company_name": "Atelier Martin",
        "street_address_1": "3 rue des Forges",
        "street_address_2": "",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
        "phone": "+33472000000",
    }
    second = api.post("company/addresses", {**SITE, "label": "Paris", "is_default": True}).json()
    assert second["is_default"] is True
    assert CompanyAddress.objects.get(pk=site["id"]).is_default is False

    # A buyer reads them (to ship there), and cannot change them.
    listed = buyer_api(a["buyer"].user).get("company/addresses").json()
    assert [x["label"] for x in listed] == ["", "Dépôt de Lyon", "Paris"]

    problem(api.post("company/addresses", {**SITE, "postal_code": "ABC"}), 400, "ADDRESS_INVALID")
    problem(api.post("company/addresses", {**SITE, "kind": "office"}), 400, "INVALID_INPUT")
    problem(api.post("company/addresses", {**SITE, "country": "ZZ"}), 400, "ADDRESS_INVALID")
    problem(api.post("company/addresses", {**SITE, "company_name": ""}), 400, "ADDRESS_INVALID")
    problem(
        api.patch(f"company/addresses/{second['id']}", {"is_default": False}),
        400,
        "DEFAULT_REQUIRED",
    )
    problem(api.patch(f"company/addresses/{second['id']}", {"city": ""}), 400, "ADDRESS_INVALID")
    assert CompanyAddress.objects.filter(company=a["company"]).count() == 3

    assert api.delete(f"company/addresses/{second['id']}").status_code == 204
    assert CompanyAddress.objects.get(pk=site["id"]).is_default is True
