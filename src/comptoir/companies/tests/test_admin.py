"""Back-office: the pages load for staff; saves go through the services (identifiers
normalised, bad ones shown on their fields, members added and removed with their rules)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.models import Company, CompanyMember, CustomerGroup
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    CustomerGroupFactory,
    FrenchCompanyFactory,
)
from comptoir.taxes.tests.test_vat import FakeVies

pytestmark = pytest.mark.django_db

MEMBERS = "members"


def members(rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{MEMBERS}-TOTAL_FORMS": len(rows),
        f"{MEMBERS}-INITIAL_FORMS": initial,
        f"{MEMBERS}-MIN_NUM_FORMS": 0,
        f"{MEMBERS}-MAX_NUM_FORMS": 1000,
    }
    for index, given in enumerate(rows):
        row = {"is_active": "on", **given}
        data.update({f"{MEMBERS}-{index}-{key}": value for key, value in row.items()})
    return data


def company_post(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "legal_name": "Odigo SA",
        "country": "FR",
        "vat_number": "fr 40 303 265 045",
        "siren": "",
        "siret": "303 265 045 00003",
        "customer_group": "",
        "tax_status": "standard",
        "is_active": "on",
        "external_ref": "",
        "metadata": "{}",
    }
    data.update(fields)
    return data


def test_pages_load(staff: Client) -> None:
    company = FrenchCompanyFactory.create(customer_group=CustomerGroupFactory.create())
    CompanyMemberFactory.create_batch(2, company=company)

    for url in (
        reverse("admin:companies_company_changelist"),
        reverse("admin:companies_company_changelist") + "?q=FR40303265045&country__exact=FR",
        reverse("admin:companies_company_add"),
        reverse("admin:companies_company_change", args=[company.pk]),
        reverse("admin:companies_customergroup_changelist"),
        reverse("admin:companies_customergroup_add"),
        reverse("admin:companies_customergroup_change", args=[company.customer_group_id]),
    ):
        response = staff.get(url)
        assert response.status_code == 200, url


def test_user_autocomplete_for_members(staff: Client) -> None:
    UserFactory.create(email="lea@example.fr")

    response = staff.get(
        reverse("admin:autocomplete"),
        {
            "term": "lea",
            "app_label": "companies",
            "model_name": "companymember",
            "field_name": "user",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["lea@example.fr"]


def test_add_company_with_a_member(staff: Client) -> None:
    user = UserFactory.create()

    response = staff.post(
        reverse("admin:companies_company_add"), {**company_post(), **members([{"user": user.pk}])}
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    company = Company.objects.get()
    assert (company.vat_number, company.siren, company.siret) == (
        "FR40303265045",
        "303265045",
        "30326504500003",
    )
    assert list(company.members.values_list("user_id", flat=True)) == [user.pk]


def test_add_company_schedules_the_vies_check(
    staff: Client, vies: FakeVies, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:companies_company_add"), {**company_post(), **members([])}
        )

    assert response.status_code == 302
    # Tests run tasks eagerly; the fake VIES does not know the number.
    assert vies.requests == ["/ms/FR/vat/40303265045"]
    assert Company.objects.get().vies_status == "invalid"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"vat_number": "FR00000000000"}, "vat_number", "This is not a valid EU VAT number"),
        ({"vat_number": "BE0403019261"}, "vat_number", "A VAT number of FR starts with FR."),
        ({"siren": "303265046"}, "siren", "A SIREN has 9 digits"),
        ({"siret": "30326504500004"}, "siret", "A SIRET has 14 digits"),
        (
            {"country": "DE", "vat_number": "", "siret": "30326504500003"},
            "siret",
            "for French companies only",
        ),
    ],
)
def test_bad_identifiers_are_shown_on_their_fields(
    staff: Client, fields: dict[str, Any], field: str, message: str
) -> None:
    response = staff.post(
        reverse("admin:companies_company_add"),
        {**company_post(**fields), **members([])},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Company.objects.exists()


def test_change_company_and_its_members(staff: Client) -> None:
    company = FrenchCompanyFactory.create()
    leaving = CompanyMemberFactory.create(company=company)
    staying = CompanyMemberFactory.create(company=company)
    newcomer = UserFactory.create()

    response = staff.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        {
            **company_post(legal_name="Odigo Group", vat_number="FR44732829320", siret=""),
            **members(
                [
                    {
                        "id": leaving.pk,
                        "company": company.pk,
                        "user": leaving.user_id,
                        "DELETE": "on",
                    },
                    {"id": staying.pk, "company": company.pk, "user": staying.user_id},
                    {"company": company.pk, "user": newcomer.pk},
                ],
                initial=2,
            ),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    company.refresh_from_db()
    assert (company.legal_name, company.vat_number, company.siren, company.siret) == (
        "Odigo Group",
        "FR44732829320",
        "",
        "",
    )
    assert sorted(company.members.values_list("user_id", flat=True)) == sorted(
        [staying.user_id, newcomer.pk]
    )


def test_member_of_another_company_is_refused(staff: Client) -> None:
    elsewhere = CompanyMemberFactory.create()
    company = CompanyFactory.create()

    response = staff.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        {
            **company_post(legal_name=company.legal_name, vat_number="", siret=""),
            **members([{"company": company.pk, "user": elsewhere.user_id}]),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert list(CompanyMember.objects.values_list("company_id", flat=True)) == [
        elsewhere.company_id
    ]
    company.refresh_from_db()
    assert company.vat_number == ""


def test_staff_users_cannot_be_members(staff: Client) -> None:
    from comptoir.accounts.tests.factories import StaffFactory

    company = CompanyFactory.create()
    response = staff.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        {
            **company_post(legal_name=company.legal_name, vat_number="", siret=""),
            **members([{"company": company.pk, "user": StaffFactory.create().pk}]),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "staff cannot act for a company" in response.content.decode()
    assert not CompanyMember.objects.exists()


def test_delete_company(staff: Client) -> None:
    member = CompanyMemberFactory.create()

    response = staff.post(
        reverse("admin:companies_company_delete", args=[member.company_id]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Company.objects.exists()
    member.user.refresh_from_db()


def test_vies_action(
    staff: Client, vies: FakeVies, django_capture_on_commit_callbacks: Any
) -> None:
    checked = FrenchCompanyFactory.create()
    CompanyFactory.create()  # no number: not checked

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:companies_company_changelist"),
            {"action": "check_vies", "_selected_action": [c.pk for c in Company.objects.all()]},
        )

    assert response.status_code == 302
    assert vies.requests == ["/ms/FR/vat/40303265045"]
    checked.refresh_from_db()
    assert checked.vies_status == "invalid"


def test_customer_group_add_change_delete(staff: Client) -> None:
    response = staff.post(
        reverse("admin:companies_customergroup_add"),
        {"name": "Installateurs", "code": "installateurs", "description": ""},
    )
    assert response.status_code == 302
    group = CustomerGroup.objects.get()

    response = staff.post(
        reverse("admin:companies_customergroup_change", args=[group.pk]),
        {"name": "Installateurs agréés", "code": "installateurs", "description": "Pros"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.description) == ("Installateurs agréés", "Pros")

    response = staff.post(
        reverse("admin:companies_customergroup_delete", args=[group.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CustomerGroup.objects.exists()


def test_customer_group_in_use_is_not_deleted(staff: Client) -> None:
    group = CustomerGroupFactory.create(name="Pros")
    CompanyFactory.create(customer_group=group)

    single = staff.post(
        reverse("admin:companies_customergroup_delete", args=[group.pk]),
        {"post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    bulk = staff.post(
        reverse("admin:companies_customergroup_changelist"),
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    for response in (single, bulk):
        assert response.status_code == 200
        assert "use this group" in response.content.decode()
    assert CustomerGroup.objects.filter(pk=group.pk).exists()


def test_duplicate_group_code_is_shown(staff: Client) -> None:
    CustomerGroupFactory.create(code="pros")

    response = staff.post(
        reverse("admin:companies_customergroup_add"),
        {"name": "Autres pros", "code": "pros", "description": ""},
    )

    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert CustomerGroup.objects.count() == 1


def test_member_roles_through_the_admin_keep_the_last_admin(staff: Client) -> None:
    company = CompanyFactory.create()
    admin_member = CompanyMemberFactory.create(company=company)
    buyer = company.roles.get(code="buyer")
    url = reverse("admin:companies_company_change", args=[company.pk])
    post = company_post(legal_name=company.legal_name, vat_number="", siret="")
    row = {"id": admin_member.pk, "company": company.pk, "user": admin_member.user_id}

    refused = staff.post(
        url, {**post, **members([{**row, "role": buyer.pk}], initial=1)}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert refused.status_code == 200
    assert "A company keeps at least one active administrator." in refused.content.decode()
    assert CompanyMember.objects.get(pk=admin_member.pk).role.code == "admin"

    newcomer = UserFactory.create()
    response = staff.post(
        url,
        {
            **post,
            **members(
                [
                    {**row, "role": buyer.pk, "job_title": "Acheteuse"},
                    {
                        "company": company.pk,
                        "user": newcomer.pk,
                        "role": company.roles.get(code="admin").pk,
                    },
                ],
                initial=1,
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert {m.user_id: (m.role.code, m.job_title) for m in company.members.all()} == {
        admin_member.user_id: ("buyer", "Acheteuse"),
        newcomer.pk: ("admin", ""),
    }
