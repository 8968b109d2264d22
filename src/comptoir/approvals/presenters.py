"""JSON shapes of approvals (API bodies, and the checkout's 202 answer)."""

from __future__ import annotations

from typing import Any

from comptoir.approvals.models import ApprovalRule, BuyerBudget, OrderApproval
from comptoir.approvals.selectors import company_members, level_members, may_act
from comptoir.companies.models import CompanyMember


def approval_out(
    approval: OrderApproval, *, user: Any = None, members: list[CompanyMember] | None = None
) -> dict[str, Any]:
    """An approval with its levels, who may act now, its decisions and its order.
    `members`: the company's (`selectors.company_members`) when already loaded; decisions
    may be prefetched (`decisions__user`)."""
    pending = approval.status == "pending"
    if pending and members is None:
        members = company_members(approval.company_id)
    approvers = level_members(approval, approval.current_level, members) if pending else []
    draft = approval.draft
    return {
        "id": approval.pk,
        "status": approval.status,
        "company_id": approval.company_id,
        "buyer": {
            "id": approval.buyer_id,
            "email": approval.buyer.email,
            "name": approval.buyer.get_full_name(),
        },
        "currency": approval.currency,
        "total_net": f"{approval.total_net:.2f}",
        "total_gross": f"{approval.total_gross:.2f}",
        "lines": [
            {
                "sku": line["sku"],
                "name": line["product_name"],
                "quantity": line["quantity"],
                "unit_net": line["unit_net"],
                "total_net": line["total_net"],
            }
            for line in draft["lines"]
        ],
        "shipping_net": draft["shipping_net"],
        "po_number": draft.get("po_number", ""),
        "reasons": approval.reasons,
        "levels": [
            {
                "name": level.get("name", ""),
                "role_id": level.get("role_id"),
                "member_ids": level.get("member_ids", []),
                "any_approver": bool(level.get("any_approver")),
            }
            for level in approval.levels
        ],
        "current_level": approval.current_level,
        "approvers_now": [m.user.email for m in approvers],
        "can_act": bool(user is not None and pending and may_act(approval, user, members)),
        "decisions": [
            {
                "level": d.level,
                "decision": d.decision,
                "comment": d.comment,
                "by": d.user.email,
                "at": d.created_at.isoformat(),
            }
            for d in sorted(approval.decisions.all(), key=lambda d: d.pk)
        ],
        "order_number": approval.order.number if approval.order is not None else None,
        "created_at": approval.created_at.isoformat(),
        "decided_at": approval.decided_at.isoformat() if approval.decided_at else None,
    }


def approval_pending_body(approval: OrderApproval, *, user: Any = None) -> dict[str, Any]:
    """The checkout's 202 answer when the order waits for approval."""
    return {
        "status": "approval_pending",
        "code": "APPROVAL_REQUIRED",
        "approval": approval_out(approval, user=user),
    }


def rule_out(rule: ApprovalRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "is_active": rule.is_active,
        "condition": rule.condition,
        "threshold": None if rule.threshold is None else f"{rule.threshold:.2f}",
        "category_id": rule.category_id,
        "role_ids": sorted(r.pk for r in rule.roles.all()),
        "levels": rule.levels,
    }


def budget_out(budget: BuyerBudget) -> dict[str, Any]:
    return {
        "id": budget.pk,
        "member_id": budget.member_id,
        "email": budget.member.user.email,
        "period": budget.period,
        "amount": f"{budget.amount:.2f}",
    }
