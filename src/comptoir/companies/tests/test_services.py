"""Customer groups, companies and members: what is stored, and every refusal with its code
(nothing changed after a refusal)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.companies import services
from comptoir.companies.models import Company, CompanyMember, CustomerGroup, ViesStatus
from comptoir.companies.selectors import buyers_version_bump
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    CustomerGroupFactory,
    FrenchCompanyFactory,
)
from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound
from comptoir.taxes.vat import ViesResult

pytestmark = pytest.mark.django_db


def refused(exc: type[DomainError], code: str, call: Any, /, **kwargs: Any) -> DomainError:
    with pytest.raises(exc) as caught:
        call(**kwargs)
    assert caught.value.code == code
    return caught.value


# --- customer groups ----------------------------------------------------------------------


def test_group_create_update_delete() -> None:
    group = services.customer_group_create(
        code="installateurs", name=" Installateurs ", description="Pros du bâtiment"
    )
    assert (group.code, group.name, group.description) == (
        "installateurs",
        "Installateurs",
        "Pros du bâtiment",
    )

    services.customer_group_update(group=group, name="Installateurs agréés", code="agrees")
    group.refresh_from_db()
    assert (group.code, group.name) == ("agrees", "Installateurs agréés")

    services.customer_group_delete(group=group)
    assert not CustomerGroup.objects.exists()


def test_group_code_must_be_a_free_slug() -> None:
    CustomerGroupFactory.create(code="ecoles")
    other = CustomerGroupFactory.create(code="mairies", name="Mairies")

    error = refused(
        Conflict, "GROUP_CODE_TAKEN", services.customer_group_create, code="ecoles", name="x"
    )
    assert error.status == 409
    assert list(error.errors) == ["code"]
    refused(
        Conflict, "GROUP_CODE_TAKEN", services.customer_group_update, group=other, code="ecoles"
    )
    refused(InvalidInput, "INVALID_INPUT", services.customer_group_create, code="a b", name="x")
    refused(InvalidInput, "INVALID_INPUT", services.customer_group_create, code="ok", name="")
    refused(
        InvalidInput, "INVALID_INPUT", services.customer_group_update, group=other, name="n" * 101
    )
    refused(InvalidInput, "INVALID_TEXT", services.customer_group_create, code="ok", name="a\x00")

    assert (other.code, other.name) == ("mairies", "Mairies")  # the object is left as it was
    other.refresh_from_db()
    assert (other.code, other.name) == ("mairies", "Mairies")
    assert CustomerGroup.objects.count() == 2


def test_group_in_use_by_a_company_is_not_deleted() -> None:
    group = CustomerGroupFactory.create()
    CompanyFactory.create(customer_group=group)

    error = refused(Conflict, "GROUP_IN_USE", services.customer_group_delete, group=group)

    assert error.status == 409
    assert CustomerGroup.objects.filter(pk=group.pk).exists()
    assert services.customer_group_in_use(group=group)
    assert not services.customer_group_in_use(group=CustomerGroupFactory.create())


def test_group_in_use_by_a_promotion_is_not_deleted() -> None:
    # By name: companies never import promotions (the service looks at every relation).
    promotion_model = apps.get_model("promotions", "Promotion")
    group = CustomerGroupFactory.create()
    promotion = promotion_model.objects.create(
        code="pros", name="Pros", kind="catalog", reward_type="percentage", reward_value=10
    )
    promotion.customer_groups.add(group)

    refused(Conflict, "GROUP_IN_USE", services.customer_group_delete, group=group)

    assert list(promotion.customer_groups.all()) == [group]


# --- companies ----------------------------------------------------------------------------


def test_company_create_normalises_identifiers() -> None:
    group = CustomerGroupFactory.create()

    company = services.company_create(
        legal_name=" Odigo SA ",
        country="fr",
        vat_number="fr 40 303 265 045",
        siren="303 265 045",
        siret="303 265 045 00003",
        customer_group=group,
        external_ref="ERP-1",
        metadata={"erp": {"id": 1}},
    )

    company.refresh_from_db()
    assert company.legal_name == "Odigo SA"
    assert str(company.country) == "FR"
    assert company.vat_number == "FR40303265045"
    assert (company.siren, company.siret) == ("303265045", "30326504500003")
    assert company.customer_group == group
    assert company.tax_status == "standard"
    assert company.vies_status == ViesStatus.UNCHECKED
    assert company.vies_checked_at is None
    assert company.is_active
    assert (company.external_ref, company.metadata) == ("ERP-1", {"erp": {"id": 1}})


def test_company_create_derives_the_siren_from_the_siret() -> None:
    company = services.company_create(legal_name="Odigo", country="FR", siret="30326504500003")
    assert (company.siren, company.siret, company.vat_number) == (
        "303265045",
        "30326504500003",
        "",
    )


@pytest.mark.parametrize(
    ("vat_number", "country", "expected"),
    [
        ("BE0403019261", "BE", "BE0403019261"),
        ("DE136695976", "DE", "DE136695976"),
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("IT00743110157", "IT", "IT00743110157"),
        ("ES A-28015865", "ES", "ESA28015865"),
        ("GR094014201", "GR", "EL094014201"),
        ("", "CH", ""),
    ],
)
def test_company_create_other_countries(vat_number: str, country: str, expected: str) -> None:
    company = services.company_create(
        legal_name="Acme", country=country, vat_number=vat_number, tax_status="exempt"
    )
    assert (str(company.country), company.vat_number, company.tax_status) == (
        country,
        expected,
        "exempt",
    )


BAD_COMPANIES = [
    ({"vat_number": "FR00000000000"}, "INVALID_VAT_NUMBER", "vat_number"),
    ({"vat_number": "FR40303265046"}, "INVALID_VAT_NUMBER", "vat_number"),
    ({"vat_number": "BE0403019261"}, "INVALID_VAT_NUMBER", "vat_number"),  # not French
    ({"vat_number": "40303265045"}, "INVALID_VAT_NUMBER", "vat_number"),
    ({"country": "CH", "vat_number": "FR40303265045"}, "INVALID_VAT_NUMBER", "vat_number"),
    ({"country": "DE", "vat_number": "FR40303265045"}, "INVALID_VAT_NUMBER", "vat_number"),
    ({"siren": "303265046"}, "INVALID_SIREN", "siren"),
    ({"siren": "12345"}, "INVALID_SIREN", "siren"),
    ({"siret": "30326504500004"}, "INVALID_SIRET", "siret"),
    ({"siren": "732829320", "siret": "30326504500003"}, "INVALID_SIRET", "siret"),
    ({"vat_number": "FR40303265045", "siren": "732829320"}, "INVALID_SIREN", "siren"),
    ({"country": "BE", "siren": "303265045"}, "INVALID_SIREN", "siren"),
    ({"country": "BE", "siret": "30326504500003"}, "INVALID_SIRET", "siret"),
    ({"country": "XX"}, "INVALID_COUNTRY", "country"),
    ({"country": ""}, "INVALID_COUNTRY", "country"),
    ({"country": "France"}, "INVALID_COUNTRY", "country"),
    ({"legal_name": ""}, "INVALID_INPUT", "legal_name"),
    ({"legal_name": "x" * 201}, "INVALID_INPUT", "legal_name"),
    ({"legal_name": "Nul\x00"}, "INVALID_TEXT", "legal_name"),
    ({"metadata": {"k": "\ud800"}}, "INVALID_TEXT", "metadata"),
    ({"metadata": ["not", "an", "object"]}, "INVALID_INPUT", "metadata"),
    ({"tax_status": "free"}, "INVALID_TAX_STATUS", "tax_status"),
    ({"external_ref": "r" * 101}, "INVALID_INPUT", "external_ref"),
]


@pytest.mark.parametrize(("fields", "code", "field"), BAD_COMPANIES)
def test_company_create_refuses_bad_input(fields: dict[str, Any], code: str, field: str) -> None:
    data: dict[str, Any] = {"legal_name": "Odigo", "country": "FR", **fields}

    error = refused(InvalidInput, code, services.company_create, **data)

    assert error.status == 400
    assert field in error.errors
    assert not Company.objects.exists()


@pytest.mark.parametrize(("fields", "code", "field"), BAD_COMPANIES)
def test_company_update_refuses_bad_input(fields: dict[str, Any], code: str, field: str) -> None:
    company = FrenchCompanyFactory.create(siren="", siret="", vat_number="")
    before = Company.objects.values().get(pk=company.pk)

    error = refused(InvalidInput, code, services.company_update, company=company, **fields)

    assert field in error.errors
    assert Company.objects.values().get(pk=company.pk) == before
    assert company.legal_name == "Odigo SA"
    assert str(company.country) == "FR"


def test_company_external_ref_is_unique() -> None:
    CompanyFactory.create(external_ref="ERP-1")
    other = CompanyFactory.create(external_ref="ERP-2")

    refused(
        Conflict,
        "EXTERNAL_REF_TAKEN",
        services.company_create,
        legal_name="x",
        country="FR",
        external_ref="ERP-1",
    )
    refused(
        Conflict, "EXTERNAL_REF_TAKEN", services.company_update, company=other, external_ref="ERP-1"
    )
    other.refresh_from_db()
    assert other.external_ref == "ERP-2"
    assert Company.objects.count() == 2


def test_company_update_checks_identifiers_together() -> None:
    company = FrenchCompanyFactory.create()

    # Moving to Belgium with the French VAT number and SIREN is refused...
    refused(
        InvalidInput, "INVALID_VAT_NUMBER", services.company_update, company=company, country="BE"
    )
    refused(
        InvalidInput,
        "INVALID_SIREN",
        services.company_update,
        company=company,
        country="BE",
        vat_number="BE0403019261",
    )
    # ...with new identifiers of the new country it is not.
    services.company_update(
        company=company, country="BE", vat_number="BE 0403.019.261", siren="", siret=""
    )

    company.refresh_from_db()
    assert (str(company.country), company.vat_number, company.siren, company.siret) == (
        "BE",
        "BE0403019261",
        "",
        "",
    )


def test_company_update_changes_only_given_fields() -> None:
    group = CustomerGroupFactory.create()
    company = FrenchCompanyFactory.create(
        customer_group=group, external_ref="ERP-9", metadata={"a": 1}
    )

    services.company_update(company=company, legal_name="Odigo Group", is_active=False)
    company.refresh_from_db()
    assert (company.legal_name, company.is_active, company.customer_group) == (
        "Odigo Group",
        False,
        group,
    )
    assert (company.vat_number, company.external_ref, company.metadata) == (
        "FR40303265045",
        "ERP-9",
        {"a": 1},
    )

    services.company_update(company=company, customer_group=None, external_ref="")
    company.refresh_from_db()
    assert (company.customer_group, company.external_ref) == (None, None)


def test_changed_vat_number_is_unchecked_again(settings: Any) -> None:
    settings.COMPTOIR_VIES_CHECK = False
    company = FrenchCompanyFactory.create(vies_status=ViesStatus.VALID)
    Company.objects.filter(pk=company.pk).update(vies_checked_at="2025-01-01T00:00:00Z")

    services.company_update(company=company, legal_name="Same number")
    company.refresh_from_db()
    assert company.vies_status == ViesStatus.VALID

    services.company_update(company=company, vat_number="FR44732829320", siren="", siret="")
    company.refresh_from_db()
    assert (company.vat_number, company.vies_status, company.vies_checked_at) == (
        "FR44732829320",
        ViesStatus.UNCHECKED,
        None,
    )


def vies(callbacks: list[Any]) -> list[Any]:
    """The callbacks other than the buyers' version bump every company change schedules."""
    return [c for c in callbacks if c is not buyers_version_bump]


def test_vies_check_is_scheduled_on_commit_when_enabled(
    settings: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    settings.COMPTOIR_VIES_CHECK = True
    with django_capture_on_commit_callbacks() as callbacks:
        company = services.company_create(
            legal_name="Odigo", country="FR", vat_number="FR40303265045"
        )
    assert len(vies(callbacks)) == 1

    with django_capture_on_commit_callbacks() as callbacks:
        services.company_update(company=company, legal_name="Odigo SA")  # same number
        services.company_create(legal_name="No number", country="FR")
    assert vies(callbacks) == []

    with django_capture_on_commit_callbacks() as callbacks:
        services.company_update(company=company, vat_number="")  # removed: nothing to check
    assert vies(callbacks) == []

    with django_capture_on_commit_callbacks() as callbacks:
        services.company_update(company=company, vat_number="FR40303265045")
    assert len(vies(callbacks)) == 1
    # Every change of a company also makes the price engine's copies of buyers stale.
    assert buyers_version_bump in callbacks


def test_vies_check_is_not_scheduled_when_disabled(
    settings: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    settings.COMPTOIR_VIES_CHECK = False
    with django_capture_on_commit_callbacks() as callbacks:
        services.company_create(legal_name="Odigo", country="FR", vat_number="FR40303265045")
    assert callbacks == []


def test_rolled_back_create_schedules_nothing(
    settings: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    settings.COMPTOIR_VIES_CHECK = True
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.company_create(
                    legal_name="Odigo", country="FR", vat_number="FR40303265045"
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Company.objects.exists()


def test_company_vies_record() -> None:
    company = FrenchCompanyFactory.create()

    recorded = services.company_vies_record(
        company=company, result=ViesResult(status="valid", vat_number="FR40303265045")
    )

    assert recorded
    company.refresh_from_db()
    assert company.vies_status == ViesStatus.VALID
    assert company.vies_checked_at is not None


def test_company_vies_record_drops_an_answer_about_an_older_number() -> None:
    company = FrenchCompanyFactory.create()

    recorded = services.company_vies_record(
        company=company, result=ViesResult(status="invalid", vat_number="FR44732829320")
    )

    assert not recorded
    company.refresh_from_db()
    assert (company.vies_status, company.vies_checked_at) == (ViesStatus.UNCHECKED, None)


def test_company_delete_keeps_the_users() -> None:
    member = CompanyMemberFactory.create()

    services.company_delete(company=member.company)

    assert not Company.objects.exists()
    assert not CompanyMember.objects.exists()
    member.user.refresh_from_db()


# --- members ------------------------------------------------------------------------------


def test_member_add_and_remove() -> None:
    company = CompanyFactory.create()
    user = UserFactory.create()

    member = services.company_member_add(company=company, user=user)
    buyer = services.company_member_add(company=company, user=UserFactory.create())

    assert (member.company, member.user, member.role.code) == (company, user, "admin")
    assert buyer.role.code == "buyer"
    refused(Conflict, "LAST_ADMIN", services.company_member_remove, company=company, user=user)
    services.company_member_remove(company=company, user=buyer.user)
    assert list(CompanyMember.objects.all()) == [member]


def test_a_user_belongs_to_one_company_at_most() -> None:
    member = CompanyMemberFactory.create()
    other = CompanyFactory.create()

    same = refused(
        Conflict,
        "ALREADY_MEMBER",
        services.company_member_add,
        company=member.company,
        user=member.user,
    )
    elsewhere = refused(
        Conflict, "ALREADY_MEMBER", services.company_member_add, company=other, user=member.user
    )

    assert same.status == 409
    assert "this company" in same.detail or "cette" in same.detail
    assert member.company.legal_name in elsewhere.detail
    assert list(CompanyMember.objects.values_list("company_id", flat=True)) == [member.company_id]


def test_inactive_and_staff_users_are_refused() -> None:
    company = CompanyFactory.create()

    refused(
        InvalidInput,
        "USER_INACTIVE",
        services.company_member_add,
        company=company,
        user=UserFactory.create(is_active=False),
    )
    refused(
        InvalidInput,
        "USER_IS_STAFF",
        services.company_member_add,
        company=company,
        user=StaffFactory.create(),
    )
    assert not CompanyMember.objects.exists()


def test_removing_a_non_member_is_not_found() -> None:
    member = CompanyMemberFactory.create()

    refused(
        NotFound,
        "MEMBER_NOT_FOUND",
        services.company_member_remove,
        company=CompanyFactory.create(),
        user=member.user,
    )
    assert CompanyMember.objects.count() == 1
