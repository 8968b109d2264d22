"""On PostgreSQL: two administrators demoting each other at the same moment leave one
(the company row lock serialises the last-admin check)."""

from __future__ import annotations

import pytest

from comptoir.companies.models import CompanyMember
from comptoir.companies.services import company_member_update, roles
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_admins_demoting_each_other_leave_one(monkeypatch: pytest.MonkeyPatch) -> None:
    company = CompanyFactory.create()
    first = member_with_role(company, "admin")
    second = member_with_role(company, "admin")
    buyer = company.roles.get(code="buyer")

    outcomes = race(
        monkeypatch,
        roles,
        "_own",  # checked before the company's lock is taken
        [
            lambda: company_member_update(member=second, actor=first.user, role=buyer),
            lambda: company_member_update(member=first, actor=second.user, role=buyer),
        ],
    )

    assert sorted(outcomes) == ["LAST_ADMIN", "ok"]
    assert CompanyMember.objects.filter(company=company, role__code="admin").count() == 1
