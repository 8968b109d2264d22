"""Reads of approvals: which rules and budgets an order meets (`approval_levels_for`), who
may act on a pending approval now, and the approvals a user reads (scoped: another
company's are 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.approvals.models import (
    ApprovalRule,
    ApprovalStatus,
    BudgetPeriod,
    BuyerBudget,
    Condition,
    OrderApproval,
)
from comptoir.catalog.models import Category, ProductVariant
from comptoir.companies.models import CompanyMember
from comptoir.companies.permissions import CompanyPermission
from comptoir.companies.selectors import membership_for_user
from comptoir.core.errors import NotFound
from comptoir.orders.models import Order, OrderStatus

MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the rules look at, from the checkout's frozen order (amounts HT)."""

    total_net: Decimal
    shipping_net: Decimal
    variant_ids: tuple[int, ...]


def facts_from_draft(draft: dict[str, Any]) -> OrderFacts:
    return OrderFacts(
        total_net=Decimal(draft["total_net"]),
        shipping_net=Decimal(draft["shipping_net"]),
        variant_ids=tuple(line["variant_id"] for line in draft["lines"]),
    )


def _categories_of(variant_ids: tuple[int, ...]) -> set[int]:
    """The categories of the variants' products with all their ancestors."""
    direct = set(
        ProductVariant.objects.filter(pk__in=variant_ids).values_list(
            "product__category_id", flat=True
        )
    )
    parents = dict(Category.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    for category_id in direct:
        current: int | None = category_id
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
    return found


def _matches(rule: ApprovalRule, facts: OrderFacts, categories: Any) -> bool:
    threshold = rule.threshold if rule.threshold is not None else Decimal(0)
    if rule.condition == Condition.ORDER_TOTAL:
        return facts.total_net > threshold
    if rule.condition == Condition.SHIPPING:
        return facts.shipping_net > threshold
    if rule.condition == Condition.SKU_COUNT:
        return len(set(facts.variant_ids)) > threshold
    return rule.category_id in categories()


def period_start(period: str, now: datetime) -> datetime:
    """The start of the budget period holding `now`, in the shop's time zone."""
    local = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == BudgetPeriod.MONTH:
        return local.replace(day=1)
    if period == BudgetPeriod.QUARTER:
        return local.replace(day=1, month=(local.month - 1) // 3 * 3 + 1)
    return local.replace(day=1, month=1)


def budget_spent(*, member: CompanyMember, period: str, now: datetime | None = None) -> Decimal:
    """What the member ordered (HT) for the company this period: placed orders not
    cancelled or refunded, and orders waiting for approval."""
    start = period_start(period, now or timezone.now())
    ordered = Order.objects.filter(
        user_id=member.user_id, company_id=member.company_id, placed_at__gte=start
    ).exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
    waiting = OrderApproval.objects.filter(
        buyer_id=member.user_id,
        company_id=member.company_id,
        status=ApprovalStatus.PENDING,
        created_at__gte=start,
    )
    total = Decimal(0)
    for rows in (ordered, waiting):
        total += rows.aggregate(s=Sum("total_net"))["s"] or Decimal(0)
    return total


def approval_levels_for(
    *, member: CompanyMember, facts: OrderFacts
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The approver levels an order of `member` needs and why: (levels, reasons), both
    empty when it needs none. Active rules of the company for the member's role (or for
    every buyer), in rule order, each adding its levels; a budget the order would exceed
    adds a level of any member holding `approvals.approve`."""
    levels: list[dict[str, Any]] = []
    reasons: list[dict[str, Any]] = []
    rules = (
        ApprovalRule.objects.filter(company_id=member.company_id, is_active=True)
        .filter(Q(roles=None) | Q(roles=member.role_id))
        .distinct()
        .order_by("id")
    )
    cache: dict[str, set[int]] = {}

    def categories() -> set[int]:
        if "c" not in cache:
            cache["c"] = _categories_of(facts.variant_ids)
        return cache["c"]

    for rule in rules:
        if _matches(rule, facts, categories):
            reasons.append({"kind": "rule", "id": rule.pk, "name": rule.name})
            levels.extend({**level, "name": rule.name} for level in rule.levels)
    budget = BuyerBudget.objects.filter(member=member).first()
    if budget is not None:
        spent = budget_spent(member=member, period=budget.period)
        if spent + facts.total_net > budget.amount:
            name = _("Budget")
            reasons.append(
                {
                    "kind": "budget",
                    "name": name,
                    "remaining": str(max(budget.amount - spent, Decimal(0))),
                }
            )
            levels.append({"name": name, "role_id": None, "member_ids": [], "any_approver": True})
    return levels, reasons


def company_members(company_id: int) -> list[CompanyMember]:
    """The company's active members of active accounts (user and role loaded): whom
    levels are chosen from. Load once for many approvals of a company."""
    return list(
        CompanyMember.objects.filter(company_id=company_id, is_active=True, user__is_active=True)
        .select_related("user", "role")
        .order_by("id")
    )


def level_members(
    approval: OrderApproval, level: int, members: list[CompanyMember] | None = None
) -> list[CompanyMember]:
    """The active members who may act on `level` of the approval: its role's members or
    those listed (any holder of approvals.approve for a budget level), never the buyer.
    `members`: the company's, when already loaded (`company_members`)."""
    if not 0 <= level < len(approval.levels):
        return []
    spec = approval.levels[level]
    if members is None:
        members = company_members(approval.company_id)
    members = [m for m in members if m.user_id != approval.buyer_id]
    if spec.get("any_approver"):
        return [m for m in members if CompanyPermission.APPROVALS_APPROVE in m.role.permissions]
    return [
        m
        for m in members
        if (spec.get("role_id") is not None and m.role_id == spec["role_id"])
        or m.pk in (spec.get("member_ids") or [])
    ]


def may_act(approval: OrderApproval, user: Any, members: list[CompanyMember] | None = None) -> bool:
    """Whether `user` may approve or reject the pending approval now."""
    if approval.status != ApprovalStatus.PENDING or user.pk == approval.buyer_id:
        return False
    return any(
        m.user_id == user.pk for m in level_members(approval, approval.current_level, members)
    )


def _visible(user: Any, member: CompanyMember | None) -> QuerySet[OrderApproval]:
    """The approvals `user` requested and their company's (narrowed by the callers: to
    those they may act on, unless they approve or see every order)."""
    own = Q(buyer_id=user.pk)
    if member is None:
        return OrderApproval.objects.filter(own)
    return OrderApproval.objects.filter(own | Q(company_id=member.company_id))


def approvals_for_user(
    *, user: Any, status: str | None = None
) -> tuple[list[OrderApproval], list[CompanyMember]]:
    """The approvals the user requested and those of their company they may act on now
    (all of them for approvers and members who see every order), newest first (at most
    500); and the company's members, for the callers to tell who may act without asking
    again. A constant number of queries."""
    member = membership_for_user(user)
    members = company_members(member.company_id) if member is not None else []
    reader = _reader(member)
    rows = (
        _visible(user, member)
        .select_related("buyer", "order")
        .prefetch_related("decisions__user")
        .order_by("-id")
    )
    if status is not None:
        rows = rows.filter(status=status)
    found = [
        approval
        for approval in rows[:500]
        if approval.buyer_id == user.pk or reader or may_act(approval, user, members)
    ]
    return found, members


def approvals_awaiting_decision(
    *, member: CompanyMember, limit: int = 5
) -> tuple[list[OrderApproval], int]:
    """The company's pending approvals `member` may approve or reject now (`may_act`),
    newest first: the first `limit` (buyer loaded) and how many. Two queries."""
    members = company_members(member.company_id)
    me = next((m for m in members if m.user_id == member.user_id), None)
    if me is None:
        return [], 0
    rows = (
        OrderApproval.objects.filter(company_id=member.company_id, status=ApprovalStatus.PENDING)
        .exclude(buyer_id=member.user_id)
        .select_related("buyer")
        .order_by("-id")[:500]
    )
    found = [a for a in rows if may_act(a, me.user, members)]
    return found[:limit], len(found)


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """A member's budget this period: amount, what they ordered against it, what is left."""

    period: str
    amount: Decimal
    spent: Decimal
    remaining: Decimal

    @property
    def percent(self) -> int:
        """How much of it is used, 0 to 100 (for a meter)."""
        if self.amount <= 0:
            return 100
        return min(100, int(self.spent * 100 / self.amount))


def budget_use_for_member(*, member: CompanyMember) -> BudgetUse | None:
    """The member's budget and its use this period (`budget_spent`), or None when no budget
    applies to them. Three queries at most."""
    budget = BuyerBudget.objects.filter(member_id=member.pk).first()
    if budget is None:
        return None
    spent = budget_spent(member=member, period=budget.period)
    return BudgetUse(budget.period, budget.amount, spent, max(budget.amount - spent, Decimal(0)))


def _reader(member: CompanyMember | None) -> bool:
    return member is not None and bool(
        set(member.role.permissions)
        & {CompanyPermission.APPROVALS_APPROVE, CompanyPermission.ORDERS_VIEW_ALL}
    )


def approval_for_user(*, user: Any, approval_id: int) -> OrderApproval:
    """One approval the user may read; 404 APPROVAL_NOT_FOUND otherwise (another
    company's too)."""
    approval = None
    member = membership_for_user(user)
    if 0 < approval_id <= MAX_ID:
        approval = (
            _visible(user, member).select_related("buyer", "order").filter(pk=approval_id).first()
        )
    if approval is not None and (
        approval.buyer_id == user.pk or _reader(member) or may_act(approval, user)
    ):
        return approval
    raise NotFound(_("Unknown approval."), code="APPROVAL_NOT_FOUND")


def approval_staff_list(*, status: str | None = None) -> QuerySet[OrderApproval]:
    rows = OrderApproval.objects.select_related("buyer", "company", "order").order_by("-id")
    return rows.filter(status=status) if status else rows


def approval_staff_get(*, approval_id: int) -> OrderApproval:
    approval = (
        approval_staff_list().filter(pk=approval_id).first() if 0 < approval_id <= MAX_ID else None
    )
    if approval is None:
        raise NotFound(_("Unknown approval."), code="APPROVAL_NOT_FOUND")
    return approval


def rules_for_company(*, company_id: int) -> list[ApprovalRule]:
    return list(
        ApprovalRule.objects.filter(company_id=company_id).prefetch_related("roles").order_by("id")
    )


def rule_for_company(*, company_id: int, rule_id: int) -> ApprovalRule:
    rule = (
        ApprovalRule.objects.filter(company_id=company_id, pk=rule_id)
        .prefetch_related("roles")
        .first()
        if 0 < rule_id <= MAX_ID
        else None
    )
    if rule is None:
        raise NotFound(_("Unknown approval rule."), code="RULE_NOT_FOUND")
    return rule


def budgets_for_company(*, company_id: int) -> list[BuyerBudget]:
    return list(
        BuyerBudget.objects.filter(member__company_id=company_id)
        .select_related("member__user")
        .order_by("id")
    )


def budget_for_company(*, company_id: int, budget_id: int) -> BuyerBudget:
    budget = (
        BuyerBudget.objects.filter(member__company_id=company_id, pk=budget_id)
        .select_related("member__user")
        .first()
        if 0 < budget_id <= MAX_ID
        else None
    )
    if budget is None:
        raise NotFound(_("Unknown budget."), code="BUDGET_NOT_FOUND")
    return budget
