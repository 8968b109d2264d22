"""Rules and budgets: which orders they catch (each condition, roles), their API (company
admins only, bad input, another company's 404), and the reminders (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.approvals import selectors, services
from comptoir.approvals.models import ApprovalRule, BuyerBudget, OrderApproval
from comptoir.approvals.selectors import OrderFacts
from comptoir.approvals.tests.conftest import Team
from comptoir.catalog.models import Category
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import BUYER, Api, api_for, problem

pytestmark = pytest.mark.django_db


def facts(
    total: str = "10.00", shipping: str = "0.00", variants: tuple[int, ...] = (10**6,)
) -> OrderFacts:
    return OrderFacts(
        total_net=Decimal(total), shipping_net=Decimal(shipping), variant_ids=variants
    )


def names(team: Team, order: OrderFacts, member: Any = None) -> list[str]:
    _levels, reasons = selectors.approval_levels_for(member=member or team.buyer, facts=order)
    return [r["name"] for r in reasons]


def test_each_condition(team: Team) -> None:
    parent = Category.objects.create(name="Outillage", slug="outillage")
    child = Category.objects.create(name="Perceuses", slug="perceuses", parent=parent)
    channel = ChannelFactory.create()
    drill = published_product(channel=channel, slug="perceuse").variants.get()
    drill.product.category = child
    drill.product.save()
    team.rule(name="total", threshold="100.00")
    team.rule(name="skus", condition="sku_count", threshold="2")
    team.rule(name="shipping", condition="shipping", threshold="15.00")
    team.rule(name="tools", condition="category", threshold=None, category_id=parent.pk)

    assert names(team, facts("100.00")) == []
    assert names(team, facts("100.01")) == ["total"]
    assert names(team, facts(variants=(10**6, 10**6 + 1, 10**6 + 2))) == ["skus"]
    assert names(team, facts(variants=(10**6, 10**6, 10**6 + 1))) == []
    assert names(team, facts(shipping="15.01")) == ["shipping"]
    assert names(team, facts(variants=(drill.pk,))) == ["tools"]  # a subcategory counts


def test_rules_for_some_roles_and_inactive_rules(team: Team) -> None:
    team.rule(name="buyers", role_ids=[team.buyer.role_id])
    team.rule(name="off", is_active=False)

    assert names(team, facts("30.00")) == ["buyers"]
    assert names(team, facts("30.00"), member=team.approver) == []
    levels, _reasons = selectors.approval_levels_for(member=team.buyer, facts=facts("30.00"))
    assert levels == [{"role_id": team.approver.role_id, "member_ids": [], "name": "buyers"}]


def test_rule_bad_input_changes_nothing(team: Team) -> None:
    other = CompanyFactory.create()
    foreign = member_with_role(other, "approver")
    api = team.api(team.admin)
    base = {
        "name": "R",
        "condition": "order_total",
        "threshold": "10",
        "levels": [{"role_id": team.approver.role_id}],
    }

    for body, code in [
        ({**base, "condition": "weather"}, "INVALID_INPUT"),
        ({**base, "threshold": "-1"}, "INVALID_INPUT"),
        ({**base, "threshold": "1.001"}, "INVALID_INPUT"),
        ({**base, "threshold": "abc"}, "INVALID_INPUT"),
        ({**base, "threshold": None}, "INVALID_INPUT"),
        ({**base, "condition": "sku_count", "threshold": "2.5"}, "INVALID_INPUT"),
        ({**base, "condition": "category", "threshold": None}, "INVALID_INPUT"),
        ({**base, "levels": []}, "INVALID_LEVELS"),
        ({**base, "levels": [{}]}, "INVALID_LEVELS"),
        ({**base, "levels": [{"role_id": foreign.role_id}]}, "INVALID_LEVELS"),
        ({**base, "levels": [{"member_ids": [foreign.pk]}]}, "INVALID_LEVELS"),
        ({**base, "levels": [{"role_id": team.approver.role_id}] * 6}, "INVALID_LEVELS"),
        ({**base, "role_ids": [foreign.role_id]}, "ROLE_NOT_FOUND"),
        ({**base, "name": ""}, "INVALID_INPUT"),
    ]:
        problem(api.post("company/approval-rules", body), 400, code)
    assert not ApprovalRule.objects.exists()

    created = api.post("company/approval-rules", base)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule == {
        "id": rule["id"],
        "name": "R",
        "is_active": True,
        "condition": "order_total",
        "threshold": "10.00",
        "category_id": None,
        "role_ids": [],
        "levels": [{"role_id": team.approver.role_id, "member_ids": []}],
    }
    patched = api.patch(f"company/approval-rules/{rule['id']}", {"threshold": "50"}).json()
    assert patched["threshold"] == "50.00"
    problem(
        api.patch(f"company/approval-rules/{rule['id']}", {"levels": []}), 400, "INVALID_LEVELS"
    )
    assert ApprovalRule.objects.get().threshold == Decimal("50.00")


def test_rules_and_budgets_need_company_manage_and_stay_in_the_company(team: Team) -> None:
    rule = team.rule()
    budget = services.budget_set(member=team.buyer, period="month", amount="100")
    outsider = member_with_role(CompanyFactory.create(), "admin")
    api = team.api(outsider)

    problem(api.patch(f"company/approval-rules/{rule.pk}", {"name": "x"}), 404, "RULE_NOT_FOUND")
    problem(api.delete(f"company/approval-rules/{rule.pk}"), 404, "RULE_NOT_FOUND")
    problem(api.delete(f"company/budgets/{budget.pk}"), 404, "BUDGET_NOT_FOUND")
    problem(
        api.put(f"company/members/{team.buyer.pk}/budget", {"period": "year", "amount": "1"}),
        404,
        "MEMBER_NOT_FOUND",
    )
    assert api.get("company/approval-rules").json() == []
    for member in (team.buyer, team.approver):
        denied = team.api(member)
        problem(denied.get("company/approval-rules"), 403, "COMPANY_PERMISSION_DENIED")
        problem(denied.post("company/approval-rules", {}), 422, "VALIDATION_ERROR")
        problem(denied.get("company/budgets"), 403, "COMPANY_PERMISSION_DENIED")
        problem(
            denied.put(f"company/members/{member.pk}/budget", {"period": "year", "amount": "1e9"}),
            403,
            "COMPANY_PERMISSION_DENIED",
        )
    assert ApprovalRule.objects.get().name == rule.name
    assert BuyerBudget.objects.get().amount == Decimal("100.00")


def test_budget_api(team: Team) -> None:
    api = team.api(team.admin)

    body = api.put(
        f"company/members/{team.buyer.pk}/budget", {"period": "quarter", "amount": "2000"}
    ).json()
    assert body == {
        "id": body["id"],
        "member_id": team.buyer.pk,
        "email": "paul@am.fr",
        "period": "quarter",
        "amount": "2000.00",
    }
    problem(
        api.put(f"company/members/{team.buyer.pk}/budget", {"period": "week", "amount": "1"}),
        400,
        "INVALID_INPUT",
    )
    problem(
        api.put(f"company/members/{team.buyer.pk}/budget", {"period": "year", "amount": "-5"}),
        400,
        "INVALID_INPUT",
    )
    assert [b["amount"] for b in api.get("company/budgets").json()] == ["2000.00"]
    assert api.delete(f"company/budgets/{body['id']}").status_code == 204
    assert not BuyerBudget.objects.exists()


def pending(team: Team, **fields: Any) -> OrderApproval:
    draft = {
        "currency": "EUR",
        "total_net": "30.00",
        "total_gross": "36.00",
        "lines": [],
        "shipping_net": "0",
    }
    return OrderApproval.objects.create(
        company=team.company,
        buyer=team.buyer.user,
        checkout_ref=fields.pop("ref", "ref-1"),
        draft=draft,
        currency="EUR",
        total_net=Decimal("30.00"),
        total_gross=Decimal("36.00"),
        levels=[{"name": "R", "role_id": team.approver.role_id, "member_ids": []}],
        reasons=[{"kind": "rule", "name": "R"}],
        **fields,
    )


def test_reminders_after_n_days_once(
    team: Team, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.COMPTOIR_APPROVAL_REMINDER_DAYS = 2
    old = pending(team)
    fresh = pending(team, ref="ref-2")
    now = timezone.now()
    OrderApproval.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=2, minutes=1))
    OrderApproval.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_reminders_send(now=now) == 1
        assert services.approval_reminders_send(now=now) == 0  # a rerun sends nothing

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("ines@am.fr", f"Rappel : la commande n°{old.pk} attend votre approbation"),
        ("jo@am.fr", f"Rappel : la commande n°{old.pk} attend votre approbation"),
    ]
    # Two days later, again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.approval_reminders_send(now=now + timedelta(days=2, minutes=1)) == 2


def test_the_approvals_list_is_a_constant_number_of_queries(
    team: Team, django_assert_num_queries: Any
) -> None:
    api = team.api(team.approver)
    pending(team)
    api.get("approvals")  # warm the token's first use

    # Token, membership, members, approvals, decisions (prefetched).
    with django_assert_num_queries(5):
        one = api.get("approvals").json()
    for n in range(2, 5):
        pending(team, ref=f"ref-{n}")
    with django_assert_num_queries(5):
        four = api.get("approvals").json()

    assert (one["count"], four["count"]) == (1, 4)
    assert all(a["can_act"] for a in four["results"])
    assert four["results"][0]["approvers_now"] == ["ines@am.fr", "jo@am.fr"]
    # Staff read them all.
    staff_api = api_for(StaffFactory.create())
    assert staff_api.get("approvals").json()["count"] == 4
    problem(api_for(team.approver.user).get("approvals"), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "approvals"),
        ("get", "approvals/1"),
        ("post", "approvals/1/approve"),
        ("post", "approvals/1/reject"),
        ("get", "company/approval-rules"),
        ("post", "company/approval-rules"),
        ("patch", "company/approval-rules/1"),
        ("delete", "company/approval-rules/1"),
        ("get", "company/budgets"),
        ("put", "company/members/1/budget"),
        ("delete", "company/budgets/1"),
    ],
)
def test_anonymous_is_401(method: str, path: str) -> None:
    api = Api(Client(), None, base=BUYER)
    response = api.get(path) if method == "get" else api.send(method, path, {})
    problem(response, 401, "UNAUTHORIZED")


def test_approvals_list_filters(team: Team) -> None:
    pending(team)
    api = team.api(team.buyer)
    assert api.get("approvals", {"status": "pending"}).json()["count"] == 1
    assert api.get("approvals", {"status": "approved"}).json()["count"] == 0
    problem(api.get("approvals", {"status": "lost"}), 400, "INVALID_FILTER")
    problem(api.get("approvals", {"page": 0}), 400, "INVALID_PAGINATION")
    problem(api.get("approvals/0"), 404, "APPROVAL_NOT_FOUND")
