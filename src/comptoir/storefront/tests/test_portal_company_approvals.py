"""The portal page of a company's approval rules and budgets: members holding
`company.manage` add and delete rules and budgets; a buyer gets a 403, a consumer and
another company's objects a 404; bad input is shown with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.approvals import services
from comptoir.approvals.models import ApprovalRule, BuyerBudget
from comptoir.companies.models import CompanyMember
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import LanguageClient

pytestmark = pytest.mark.django_db

URL = "/account/company/approvals/"


def _client(user: Any) -> Client:
    client = LanguageClient(language="en")
    client.force_login(user)
    return client


@pytest.fixture
def team() -> dict[str, CompanyMember]:
    company = CompanyFactory.create(legal_name="Atelier Martin")
    return {
        "admin": member_with_role(company, "admin", user=UserFactory.create(email="marie@am.fr")),
        "buyer": member_with_role(company, "buyer", user=UserFactory.create(email="paul@am.fr")),
        "approver": member_with_role(company, "approver"),
    }


def test_an_admin_adds_and_deletes_a_rule_and_a_budget(team: dict[str, CompanyMember]) -> None:
    client = _client(team["admin"].user)
    page = client.get(URL).content.decode()
    assert 'aria-current="page">Approval rules and budgets</a>' in page
    response = client.post(
        URL,
        {
            "action": "rule",
            "name": "Au-delà de 500 € HT",
            "condition": "order_total",
            "threshold": "500.00",
            "role": str(team["approver"].role_id),
        },
    )
    assert response.status_code == 302
    rule = ApprovalRule.objects.get()
    assert (rule.name, str(rule.threshold), rule.levels) == (
        "Au-delà de 500 € HT",
        "500.00",
        [{"role_id": team["approver"].role_id, "member_ids": []}],
    )
    response = client.post(
        URL,
        {"action": "budget", "member": str(team["buyer"].pk), "period": "month", "amount": "800"},
    )
    assert response.status_code == 302
    budget = BuyerBudget.objects.get()
    assert (budget.member, budget.period, str(budget.amount)) == (team["buyer"], "month", "800.00")
    page = client.get(URL).content.decode()
    assert "Au-delà de 500 € HT" in page
    assert "paul@am.fr" in page
    assert client.post(f"{URL}rules/{rule.pk}/delete").status_code == 302
    assert client.post(f"{URL}budgets/{budget.pk}/delete").status_code == 302
    assert (ApprovalRule.objects.count(), BuyerBudget.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"action": "rule", "name": "R", "condition": "order_total", "threshold": "abc"},
            "Enter an amount such as 1000.00.",
        ),
        (
            {
                "action": "rule",
                "name": "R",
                "condition": "order_total",
                "threshold": "5",
                "role": "999999",
            },
            "Each level names a role or members of this company.",
        ),
        ({"action": "budget", "member": "1", "period": "week", "amount": "5"}, "Use one of"),
    ],
)
def test_bad_input_is_shown_and_changes_nothing(
    team: dict[str, CompanyMember], body: dict[str, str], message: str
) -> None:
    client = _client(team["admin"].user)
    if body["action"] == "rule" and "role" not in body:
        body = {**body, "role": str(team["approver"].role_id)}
    if body["action"] == "budget":
        body = {**body, "member": str(team["buyer"].pk)}
    response = client.post(URL, body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (ApprovalRule.objects.count(), BuyerBudget.objects.count()) == (0, 0)


def test_access(team: dict[str, CompanyMember]) -> None:
    rule = services.rule_create(
        company=team["admin"].company,
        name="R",
        condition="order_total",
        threshold="5",
        levels=[{"role_id": team["approver"].role_id}],
    )
    budget = services.budget_set(member=team["buyer"], period="month", amount="5")
    buyer = _client(team["buyer"].user)
    assert buyer.get(URL).status_code == 403
    assert "Approval rules and budgets" not in buyer.get("/account/approvals/").content.decode()
    assert buyer.post(f"{URL}rules/{rule.pk}/delete").status_code == 403
    other = _client(member_with_role(CompanyFactory.create(), "admin").user)
    assert other.post(f"{URL}rules/{rule.pk}/delete").status_code == 404
    assert other.post(f"{URL}budgets/{budget.pk}/delete").status_code == 404
    assert (
        other.post(
            URL,
            {"action": "budget", "member": str(team["buyer"].pk), "period": "month", "amount": "1"},
        ).status_code
        == 404
    )
    assert _client(UserFactory.create()).get(URL).status_code == 404
    assert LanguageClient(language="en").get(URL).status_code == 302
    assert (ApprovalRule.objects.count(), BuyerBudget.objects.count()) == (1, 1)
    assert BuyerBudget.objects.get().amount == 5
