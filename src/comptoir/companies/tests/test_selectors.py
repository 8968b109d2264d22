"""Which company a buyer acts for, and the staff lists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies import selectors
from comptoir.companies.tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    CustomerGroupFactory,
    FrenchCompanyFactory,
)
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest

pytestmark = pytest.mark.django_db


def test_company_for_user() -> None:
    group = CustomerGroupFactory.create()
    member = CompanyMemberFactory.create(company__customer_group=group)

    with CaptureQueriesContext(connection) as queries:
        company = selectors.company_for_user(member.user)
        assert company is not None
        assert company.customer_group == group  # loaded with the company
    assert company == member.company
    assert len(queries) == 1


def test_company_for_user_none() -> None:
    assert selectors.company_for_user(None) is None
    assert selectors.company_for_user(AnonymousUser()) is None
    assert selectors.company_for_user(UserFactory.create()) is None
    inactive_company = CompanyMemberFactory.create(company__is_active=False)
    assert selectors.company_for_user(inactive_company.user) is None
    inactive_user = CompanyMemberFactory.create(user__is_active=False)
    assert selectors.company_for_user(inactive_user.user) is None


def test_company_list_filters() -> None:
    group = CustomerGroupFactory.create(code="pros")
    FrenchCompanyFactory.create(customer_group=group, external_ref="ERP-7")
    CompanyFactory.create(legal_name="Brasserie Belge", country="BE", vat_number="BE0403019261")
    CompanyFactory.create(legal_name="Archive SARL", is_active=False)
    page = PageRequest(page=1, page_size=10)

    def names(**filters: object) -> list[str]:
        rows, count = selectors.company_list(page=page, **filters)  # type: ignore[arg-type]
        assert count == len(rows)
        return [c.legal_name for c in rows]

    assert names() == ["Archive SARL", "Brasserie Belge", "Odigo SA"]
    assert names(search="odigo") == ["Odigo SA"]
    assert names(search="FR 40303") == ["Odigo SA"]
    assert names(search="303 265 045") == ["Odigo SA"]
    assert names(search="be0403") == ["Brasserie Belge"]
    assert names(search="ERP-7") == ["Odigo SA"]
    assert names(search="brasserie belge") == ["Brasserie Belge"]
    assert names(search="   ") == ["Archive SARL", "Brasserie Belge", "Odigo SA"]
    assert names(country="be") == ["Brasserie Belge"]
    assert names(customer_group="pros") == ["Odigo SA"]
    assert names(is_active=False) == ["Archive SARL"]


def test_company_list_pages_and_bad_filters() -> None:
    for index in range(3):
        CompanyFactory.create(legal_name=f"Société {index}")

    rows, count = selectors.company_list(page=PageRequest(page=2, page_size=2))
    assert ([c.legal_name for c in rows], count) == (["Société 2"], 3)

    for filters in ({"search": "x\x00"}, {"search": "x" * 101}, {"country": "ZZ"}):
        with pytest.raises(InvalidInput) as caught:
            selectors.company_list(**filters)  # type: ignore[arg-type]
        assert caught.value.code == "INVALID_FILTER"


def test_company_get() -> None:
    member = CompanyMemberFactory.create()

    company = selectors.company_get(company_id=member.company_id)

    assert company.member_count == 1  # type: ignore[attr-defined]
    for missing in (0, -1, 2**63, 10**9):
        with pytest.raises(NotFound) as caught:
            selectors.company_get(company_id=missing)
        assert caught.value.code == "COMPANY_NOT_FOUND"


def test_customer_groups() -> None:
    pros = CustomerGroupFactory.create(name="Pros", code="pros")
    CustomerGroupFactory.create(name="Installateurs", code="installateurs")
    CompanyFactory.create_batch(2, customer_group=pros)

    groups, count = selectors.customer_group_list()

    counts = [(g.code, g.company_count) for g in groups]  # type: ignore[attr-defined]
    assert counts == [("installateurs", 0), ("pros", 2)]
    assert count == 2
    assert selectors.customer_group_by_code(code="pros") == pros
    for call in (
        lambda: selectors.customer_group_by_code(code="nope"),
        lambda: selectors.customer_group_by_code(code=""),
        lambda: selectors.customer_group_get(group_id=0),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.code == "GROUP_NOT_FOUND"


def test_member_user_find() -> None:
    user = UserFactory.create(email="lea@example.fr")

    assert selectors.member_user_find(email=" LEA@example.fr ") == user
    assert selectors.member_user_find(user_id=user.pk) == user
    for kwargs in ({"email": "x@example.fr"}, {"email": "\x00"}, {"user_id": 0}, {}):
        with pytest.raises(NotFound) as caught:
            selectors.member_user_find(**kwargs)
        assert caught.value.code == "USER_NOT_FOUND"
