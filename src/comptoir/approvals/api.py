"""Approvals API: the caller's approvals (requested, or to act on), decisions, and the
company's rules and budgets (`company.manage`); staff read every approval."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.approvals import presenters, selectors, services
from comptoir.approvals.schemas import (
    ApprovalListOut,
    ApprovalOut,
    BudgetIn,
    BudgetOut,
    DecisionIn,
    RuleIn,
    RuleOut,
    RulePatch,
)
from comptoir.companies import selectors as company_selectors
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.errors import InvalidInput
from comptoir.core.staff_api import page_request, paginated, patch_changes, staff
from comptoir.quotes.approving import approval_approve, approval_reject

router = Router(tags=["approvals"], auth=session_or_bearer)
admin_router = Router(tags=["admin: approvals"], auth=session_or_bearer)

MANAGE = CompanyPermission.COMPANY_MANAGE
_MANAGER = (
    "401 `UNAUTHORIZED`; 404 `NOT_A_COMPANY_MEMBER`; 403 `COMPANY_PERMISSION_DENIED` without "
    "`company.manage`"
)
STATUSES = {"pending", "approved", "rejected"}


def _status(status: str | None) -> str | None:
    if status is not None and status not in STATUSES:
        message = _("Use one of: %(values)s.") % {"values": ", ".join(sorted(STATUSES))}
        raise InvalidInput(message, code="INVALID_FILTER", errors={"status": [message]})
    return status


@router.get(
    "approvals",
    response=ApprovalListOut,
    summary="The caller's approvals",
    description="Those the caller requested and those of their company they may act on "
    "now (all of the company's for approvers and members who see every order), newest "
    "first; `can_act` says which. Errors: 400 `INVALID_FILTER`, `INVALID_PAGINATION`; 401.",
)
def approvals_list(
    request: HttpRequest,
    status: str | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    page_req = page_request(page, page_size)
    rows, members = selectors.approvals_for_user(user=user, status=_status(status))
    window = rows[page_req.offset : page_req.offset + page_req.page_size]
    return paginated(
        request,
        page_req,
        len(rows),
        [presenters.approval_out(a, user=user, members=members) for a in window],
    )


@router.get(
    "approvals/{approval_id}",
    response=ApprovalOut,
    summary="An approval",
    description="Errors: 401; 404 `APPROVAL_NOT_FOUND` (another company's too).",
)
def approval_get(request: HttpRequest, approval_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    approval = selectors.approval_for_user(user=user, approval_id=approval_id)
    return presenters.approval_out(approval, user=user)


@router.post(
    "approvals/{approval_id}/approve",
    response=ApprovalOut,
    summary="Approve the current level",
    description="At the last level the order is placed from the frozen snapshot (prices of "
    "the request). `Idempotency-Key` optional: a replay returns the first answer. Errors: "
    "400 `INVALID_INPUT` (comment); 403 `OWN_APPROVAL` (the buyer, even an approver), "
    "`NOT_AN_APPROVER` (not of the current level); 404 `APPROVAL_NOT_FOUND`; 409 "
    "`APPROVAL_NOT_PENDING`, `INSUFFICIENT_STOCK` and other placement errors (the approval "
    "stays pending); 401.",
)
def approval_approve_route(
    request: HttpRequest,
    approval_id: int,
    payload: DecisionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    approval = selectors.approval_for_user(user=user, approval_id=approval_id)
    _status_code, body = approval_approve(
        approval_id=approval.pk,
        user=user,
        comment=payload.comment,
        idempotency_key=idempotency_key,
    )
    return body


@router.post(
    "approvals/{approval_id}/reject",
    response=ApprovalOut,
    summary="Reject",
    description="Ends the approval; the buyer is emailed; the cart stays closed (a quote's "
    "approval cancels the quote). Errors: as approve.",
)
def approval_reject_route(
    request: HttpRequest, approval_id: int, payload: DecisionIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    approval = selectors.approval_for_user(user=user, approval_id=approval_id)
    decided = approval_reject(approval_id=approval.pk, user=user, comment=payload.comment)
    return presenters.approval_out(decided, user=user)


# --- rules and budgets --------------------------------------------------------------------


@router.get(
    "company/approval-rules",
    response=list[RuleOut],
    summary="Approval rules of the caller's company",
    description=f"Errors: {_MANAGER}.",
)
def rules_list(request: HttpRequest) -> list[dict[str, Any]]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    return [presenters.rule_out(r) for r in selectors.rules_for_company(company_id=company.pk)]


@router.post(
    "company/approval-rules",
    response={201: RuleOut},
    summary="Create an approval rule",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_LEVELS`, `ROLE_NOT_FOUND`, "
    f"`TOO_MANY_RULES`; {_MANAGER}.",
)
def rule_create(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    rule = services.rule_create(company=company, **payload.model_dump())
    return Status(201, presenters.rule_out(rule))


@router.patch(
    "company/approval-rules/{rule_id}",
    response=RuleOut,
    summary="Change an approval rule",
    description="Pending approvals keep their levels. Errors: as create; 404 `RULE_NOT_FOUND`.",
)
def rule_patch(request: HttpRequest, rule_id: int, payload: RulePatch) -> dict[str, Any]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    rule = selectors.rule_for_company(company_id=company.pk, rule_id=rule_id)
    changes = patch_changes(payload, nullable=frozenset({"threshold", "category_id"}))
    if "levels" in changes:
        changes["levels"] = [level.model_dump() for level in payload.levels or []]
    return presenters.rule_out(services.rule_update(rule=rule, **changes))


@router.delete(
    "company/approval-rules/{rule_id}",
    response={204: None},
    summary="Delete an approval rule",
    description=f"Errors: 404 `RULE_NOT_FOUND`; {_MANAGER}.",
)
def rule_delete(request: HttpRequest, rule_id: int) -> Status[None]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    services.rule_delete(rule=selectors.rule_for_company(company_id=company.pk, rule_id=rule_id))
    return Status(204, None)


@router.get(
    "company/budgets",
    response=list[BudgetOut],
    summary="Buyers' budgets",
    description=f"Errors: {_MANAGER}.",
)
def budgets_list(request: HttpRequest) -> list[dict[str, Any]]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    return [presenters.budget_out(b) for b in selectors.budgets_for_company(company_id=company.pk)]


@router.put(
    "company/members/{member_id}/budget",
    response=BudgetOut,
    summary="Set a member's budget",
    description="Errors: 400 `INVALID_INPUT` (period, amount); 404 `MEMBER_NOT_FOUND`; "
    f"{_MANAGER}.",
)
def budget_put(request: HttpRequest, member_id: int, payload: BudgetIn) -> dict[str, Any]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    member = company_selectors.member_for_company(company=company, member_id=member_id)
    budget = services.budget_set(member=member, period=payload.period, amount=payload.amount)
    return presenters.budget_out(
        selectors.budget_for_company(company_id=company.pk, budget_id=budget.pk)
    )


@router.delete(
    "company/budgets/{budget_id}",
    response={204: None},
    summary="Remove a budget",
    description=f"Errors: 404 `BUDGET_NOT_FOUND`; {_MANAGER}.",
)
def budget_delete(request: HttpRequest, budget_id: int) -> Status[None]:
    company = company_selectors.member_require(request.auth, MANAGE)  # type: ignore[attr-defined]
    services.budget_delete(
        budget=selectors.budget_for_company(company_id=company.pk, budget_id=budget_id)
    )
    return Status(204, None)


# --- staff --------------------------------------------------------------------------------


@admin_router.get(
    "approvals",
    response=ApprovalListOut,
    summary="Approvals",
    description="Newest first. Errors: 400 `INVALID_FILTER`, `INVALID_PAGINATION`; 401; 403 "
    "`PERMISSION_DENIED`.",
)
def admin_approvals_list(
    request: HttpRequest,
    status: str | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "approvals.view_orderapproval")
    page_req = page_request(page, page_size)
    rows = selectors.approval_staff_list(status=_status(status)).prefetch_related("decisions__user")
    count = rows.count()
    window = list(rows[page_req.offset : page_req.offset + page_req.page_size])
    members = {c: selectors.company_members(c) for c in {a.company_id for a in window}}
    return paginated(
        request,
        page_req,
        count,
        [presenters.approval_out(a, members=members[a.company_id]) for a in window],
    )


@admin_router.get(
    "approvals/{approval_id}",
    response=ApprovalOut,
    summary="An approval",
    description="Errors: 401; 403 `PERMISSION_DENIED`; 404 `APPROVAL_NOT_FOUND`.",
)
def admin_approval_get(request: HttpRequest, approval_id: int) -> dict[str, Any]:
    staff(request, "approvals.view_orderapproval")
    return presenters.approval_out(selectors.approval_staff_get(approval_id=approval_id))
