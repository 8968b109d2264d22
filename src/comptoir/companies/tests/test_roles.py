"""Roles and members' roles: built-in roles made with every company, custom roles from the
permission list, what member_can answers, and the last administrator."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies import selectors, services
from comptoir.companies.models import CompanyMember, CompanyRole
from comptoir.companies.permissions import ALL_PERMISSIONS, BUILTIN_ROLES
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    member_with_role,
)
from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def refused(kind: type[DomainError], code: str, call: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(kind) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.errors
    return caught.value


def test_company_create_makes_the_five_builtin_roles() -> None:
    company = services.company_create(legal_name="Atelier Martin", country="FR")

    roles = {r.code: sorted(r.permissions) for r in company.roles.all()}
    assert roles == {code: sorted(perms) for code, (_n, perms) in BUILTIN_ROLES.items()}
    assert company.roles.get(code="admin").name == "Company administrator"
    # Idempotent.
    services.company_roles_ensure(company=company)
    assert company.roles.count() == 5


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("admin", set(ALL_PERMISSIONS)),
        ("buyer", {"orders.place", "quotes.manage"}),
        ("approver", {"orders.place", "orders.view_all", "quotes.view_all", "approvals.approve"}),
        ("finance", {"orders.view_all", "quotes.view_all", "invoices.view"}),
        ("viewer", {"orders.view_all", "quotes.view_all"}),
    ],
)
def test_member_can_reads_the_role(code: str, allowed: set[str]) -> None:
    member = member_with_role(CompanyFactory.create(), code)

    assert {p for p in ALL_PERMISSIONS if selectors.member_can(member.user, p)} == allowed
    for permission in ALL_PERMISSIONS - allowed:
        refused(
            PermissionDenied,
            "COMPANY_PERMISSION_DENIED",
            selectors.member_require,
            user=member.user,
            permission=permission,
        )


def test_member_can_is_one_query(django_assert_num_queries: Any) -> None:
    member = member_with_role(CompanyFactory.create(), "buyer")
    with django_assert_num_queries(1):
        assert selectors.member_can(member.user, "orders.place") is True


def test_inactive_members_and_companies_can_do_nothing() -> None:
    member = member_with_role(CompanyFactory.create(), "admin")
    CompanyMemberFactory.create(company=member.company)  # another admin
    outsider = UserFactory.create()

    assert selectors.member_can(outsider, "orders.place") is False
    refused(
        NotFound,
        "NOT_A_COMPANY_MEMBER",
        selectors.member_require,
        user=outsider,
        permission="orders.place",
    )
    CompanyMember.objects.filter(pk=member.pk).update(is_active=False)
    assert selectors.member_can(member.user, "orders.place") is False
    assert selectors.company_for_user(member.user) is None
    CompanyMember.objects.filter(pk=member.pk).update(is_active=True)
    member.company.is_active = False
    member.company.save()
    assert selectors.member_can(member.user, "orders.place") is False


def test_custom_role_create_update_delete() -> None:
    company = CompanyFactory.create()

    role = services.role_create(
        company=company,
        name=" Acheteur senior ",
        permissions=["quotes.manage", "orders.place", "orders.place"],
    )

    assert (role.name, role.permissions, role.code, role.is_builtin) == (
        "Acheteur senior",
        ["orders.place", "quotes.manage"],
        "",
        False,
    )
    member = CompanyMemberFactory.create(company=company, role=role)
    assert selectors.member_can(member.user, "quotes.manage") is True
    services.role_update(role=role, permissions=["orders.place"])
    assert selectors.member_can(member.user, "quotes.manage") is False
    refused(Conflict, "ROLE_IN_USE", services.role_delete, role=role)
    member.delete()
    services.role_delete(role=role)
    assert not CompanyRole.objects.filter(pk=role.pk).exists()


def test_custom_role_bad_input_changes_nothing() -> None:
    company = CompanyFactory.create()
    role = services.role_create(company=company, name="Achats", permissions=[])

    refused(
        InvalidInput,
        "INVALID_PERMISSION",
        services.role_create,
        company=company,
        name="X",
        permissions=["orders.fly"],
    )
    refused(
        InvalidInput,
        "INVALID_PERMISSION",
        services.role_create,
        company=company,
        name="X",
        permissions=[1],
    )
    refused(
        InvalidInput,
        "INVALID_INPUT",
        services.role_create,
        company=company,
        name=" ",
        permissions=[],
    )
    refused(
        InvalidInput,
        "INVALID_INPUT",
        services.role_create,
        company=company,
        name="x" * 101,
        permissions=[],
    )
    refused(
        InvalidInput,
        "INVALID_TEXT",
        services.role_create,
        company=company,
        name="a\x00",
        permissions=[],
    )
    refused(
        Conflict,
        "ROLE_NAME_TAKEN",
        services.role_create,
        company=company,
        name="ACHATS",
        permissions=[],
    )
    refused(
        Conflict,
        "ROLE_NAME_TAKEN",
        services.role_create,
        company=company,
        name="Company administrator",
        permissions=[],
    )
    builtin = company.roles.get(code="viewer")
    refused(
        Conflict, "ROLE_BUILTIN", services.role_update, role=builtin, permissions=["orders.place"]
    )
    refused(Conflict, "ROLE_BUILTIN", services.role_delete, role=builtin)
    refused(InvalidInput, "INVALID_PERMISSION", services.role_update, role=role, permissions=["x"])

    assert sorted(CompanyRole.objects.get(pk=builtin.pk).permissions) == [
        "orders.view_all",
        "quotes.view_all",
    ]
    assert CompanyRole.objects.get(pk=role.pk).permissions == []
    assert company.roles.count() == 6
    # Another company may use the same name.
    services.role_create(company=CompanyFactory.create(), name="Achats", permissions=[])


def test_the_last_admin_cannot_be_demoted_deactivated_or_removed() -> None:
    company = CompanyFactory.create()
    admin = member_with_role(company, "admin")
    buyer_role = company.roles.get(code="buyer")

    refused(Conflict, "LAST_ADMIN", services.company_member_update, member=admin, role=buyer_role)
    refused(Conflict, "LAST_ADMIN", services.company_member_update, member=admin, is_active=False)
    refused(Conflict, "LAST_ADMIN", services.company_member_delete, member=admin)
    admin.refresh_from_db()
    assert (admin.role.code, admin.is_active) == ("admin", True)

    second = member_with_role(company, "admin")
    services.company_member_update(member=admin, role=buyer_role)
    refused(Conflict, "LAST_ADMIN", services.company_member_delete, member=second)
    assert CompanyMember.objects.get(pk=admin.pk).role.code == "buyer"


def test_nobody_changes_their_own_role_or_deactivates_themselves() -> None:
    company = CompanyFactory.create()
    admin = member_with_role(company, "admin")
    member_with_role(company, "admin")

    refused(
        PermissionDenied,
        "OWN_MEMBERSHIP",
        services.company_member_update,
        member=admin,
        actor=admin.user,
        role=company.roles.get(code="buyer"),
    )
    refused(
        PermissionDenied,
        "OWN_MEMBERSHIP",
        services.company_member_update,
        member=admin,
        actor=admin.user,
        is_active=False,
    )
    refused(
        PermissionDenied,
        "OWN_MEMBERSHIP",
        services.company_member_delete,
        member=admin,
        actor=admin.user,
    )
    # Their job title is theirs to change.
    services.company_member_update(member=admin, actor=admin.user, job_title="Gérante")
    admin.refresh_from_db()
    assert (admin.role.code, admin.is_active, admin.job_title) == ("admin", True, "Gérante")


def test_a_role_of_another_company_is_refused() -> None:
    member = member_with_role(CompanyFactory.create(), "buyer")
    foreign = CompanyFactory.create().roles.get(code="admin")

    refused(
        InvalidInput, "ROLE_NOT_FOUND", services.company_member_update, member=member, role=foreign
    )
    refused(
        InvalidInput,
        "ROLE_NOT_FOUND",
        services.company_member_add,
        company=member.company,
        user=UserFactory.create(),
        role=foreign,
    )
    assert CompanyMember.objects.get(pk=member.pk).role.code == "buyer"


def test_deleting_a_company_deletes_its_roles_and_members() -> None:
    member = member_with_role(CompanyFactory.create(), "buyer")

    services.company_delete(company=member.company)

    assert not CompanyRole.objects.exists()
    assert not CompanyMember.objects.exists()
