"""Writes of approvals (docs/approvals.md): rules and budgets (managed by members holding
`company.manage`), the approval a checkout starts (`approval_create`), decisions
(`approval_decide`, under the approval's row lock: one decision per level), and reminders.

Placing the approved order is the checkout's (`checkout.services.approval_approve`), which
calls `approval_decide` and places the order from the frozen draft in the same
transaction: an approval is approved if and only if its order exists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.approvals.models import (
    ApprovalDecision,
    ApprovalRule,
    ApprovalStatus,
    BudgetPeriod,
    BuyerBudget,
    Condition,
    Decision,
    OrderApproval,
)
from comptoir.approvals.selectors import level_members
from comptoir.companies.models import Company, CompanyMember, CompanyRole
from comptoir.core.errors import Conflict, InvalidInput, PermissionDenied
from comptoir.core.validation import text_limit
from comptoir.orders.models import Order

MAX_LEVELS = 5
MAX_RULES = 50
MAX_AMOUNT = Decimal("9999999999.99")


def _invalid(field: str, message: str, code: str = "INVALID_INPUT") -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def email_schedule(kind: str, approval_id: int) -> None:
    """Have the approval email `kind` sent once the transaction commits."""
    # Services schedule tasks; tasks are thin adapters calling back into services. The
    # import is local to keep the module import graph acyclic.
    from comptoir.approvals.tasks import approval_email_send

    transaction.on_commit(lambda: approval_email_send.delay(kind, approval_id), robust=True)


# --- rules --------------------------------------------------------------------------------


def _amount(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("Enter an amount such as 1000.00.")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != round(amount, 2):
        raise _invalid(field, _("Enter an amount such as 1000.00."))
    return amount


def _levels_clean(company: Company, levels: object) -> list[dict[str, Any]]:
    """1 to MAX_LEVELS levels, each a role of the company or members of it (not both
    empty): INVALID_LEVELS."""
    if not isinstance(levels, list) or not 1 <= len(levels) <= MAX_LEVELS:
        raise _invalid(
            "levels",
            _("Give 1 to %(n)d approver levels.") % {"n": MAX_LEVELS},
            "INVALID_LEVELS",
        )
    roles = set(CompanyRole.objects.filter(company=company).values_list("pk", flat=True))
    members = set(CompanyMember.objects.filter(company=company).values_list("pk", flat=True))
    cleaned = []
    for level in levels:
        if not isinstance(level, dict):
            raise _invalid("levels", _("A level is an object."), "INVALID_LEVELS")
        role_id = level.get("role_id")
        member_ids = level.get("member_ids") or []
        valid_ids = isinstance(member_ids, list) and all(
            isinstance(m, int) and not isinstance(m, bool) for m in member_ids
        )
        if (
            (role_id is not None and role_id not in roles)
            or not valid_ids
            or not set(member_ids) <= members
            or (role_id is None and not member_ids)
        ):
            raise _invalid(
                "levels",
                _("Each level names a role or members of this company."),
                "INVALID_LEVELS",
            )
        cleaned.append({"role_id": role_id, "member_ids": sorted(set(member_ids))})
    return cleaned


def _rule_check(
    company: Company, *, condition: str, threshold: object, category_id: object
) -> tuple[Decimal | None, int | None]:
    if condition not in Condition.values:
        raise _invalid(
            "condition", _("Use one of: %(values)s.") % {"values": ", ".join(Condition.values)}
        )
    if condition == Condition.CATEGORY:
        if not isinstance(category_id, int) or isinstance(category_id, bool) or category_id <= 0:
            raise _invalid("category_id", _("Give the id of a catalog category."))
        return None, category_id
    if threshold is None:
        raise _invalid("threshold", _("Give the threshold."))
    amount = _amount(threshold, "threshold")
    if condition == Condition.SKU_COUNT and amount != amount.to_integral_value():
        raise _invalid("threshold", _("A number of SKUs is a whole number."))
    return amount, None


def _roles(company: Company, role_ids: Iterable[object]) -> list[CompanyRole]:
    ids = list(role_ids)
    roles = list(
        CompanyRole.objects.filter(company=company, pk__in=[i for i in ids if isinstance(i, int)])
    )
    if len(roles) != len(set(ids)):
        raise _invalid("role_ids", _("Unknown role."), "ROLE_NOT_FOUND")
    return roles


@transaction.atomic
def rule_create(
    *,
    company: Company,
    name: str,
    condition: str,
    levels: object,
    threshold: object = None,
    category_id: object = None,
    role_ids: Iterable[object] = (),
    is_active: bool = True,
) -> ApprovalRule:
    """A rule: when an order of a buyer with one of `role_ids` (none: every buyer) meets
    `condition` (order_total / shipping above an amount HT, sku_count above a number,
    category: contains a product of the category or its subcategories), it needs the
    approval of each of `levels` in turn. 400 INVALID_INPUT, INVALID_LEVELS,
    ROLE_NOT_FOUND, TOO_MANY_RULES."""
    name = text_limit(name, field="name", limit=100, required=True)
    amount, category = _rule_check(
        company, condition=condition, threshold=threshold, category_id=category_id
    )
    cleaned = _levels_clean(company, levels)
    roles = _roles(company, role_ids)
    if ApprovalRule.objects.filter(company=company).count() >= MAX_RULES:
        raise _invalid(
            "name", _("A company has at most %(n)d rules.") % {"n": MAX_RULES}, "TOO_MANY_RULES"
        )
    rule = ApprovalRule.objects.create(
        company=company,
        name=name,
        condition=condition,
        threshold=amount,
        category_id=category,
        levels=cleaned,
        is_active=bool(is_active),
    )
    rule.roles.set(roles)
    return rule


@transaction.atomic
def rule_update(*, rule: ApprovalRule, **changes: Any) -> ApprovalRule:
    """Change a rule (same rules as `rule_create`; the fields given replace the others).
    Pending approvals keep the levels they were given."""
    company = rule.company
    merged = {
        "name": rule.name,
        "condition": rule.condition,
        "threshold": rule.threshold,
        "category_id": rule.category_id,
        "levels": rule.levels,
        "is_active": rule.is_active,
        **changes,
    }
    name = text_limit(merged["name"], field="name", limit=100, required=True)
    amount, category = _rule_check(
        company,
        condition=merged["condition"],
        threshold=merged["threshold"],
        category_id=merged["category_id"],
    )
    cleaned = _levels_clean(company, merged["levels"])
    roles = _roles(company, changes["role_ids"]) if "role_ids" in changes else None
    rule.name, rule.condition, rule.threshold, rule.category_id = (
        name,
        merged["condition"],
        amount,
        category,
    )
    rule.levels, rule.is_active = cleaned, bool(merged["is_active"])
    rule.save()
    if roles is not None:
        rule.roles.set(roles)
    return rule


@transaction.atomic
def rule_delete(*, rule: ApprovalRule) -> None:
    rule.delete()


# --- budgets ------------------------------------------------------------------------------


@transaction.atomic
def budget_set(*, member: CompanyMember, period: str, amount: object) -> BuyerBudget:
    """The member's budget (HT, per month, quarter or year), replacing the one they had.
    An order beyond what remains of it needs approval."""
    if period not in BudgetPeriod.values:
        raise _invalid(
            "period", _("Use one of: %(values)s.") % {"values": ", ".join(BudgetPeriod.values)}
        )
    value = _amount(amount, "amount")
    budget, _created = BuyerBudget.objects.update_or_create(
        member=member, defaults={"period": period, "amount": value}
    )
    return budget


@transaction.atomic
def budget_delete(*, budget: BuyerBudget) -> None:
    budget.delete()


# --- the flow -----------------------------------------------------------------------------


def approval_create(
    *,
    company_id: int,
    buyer: Any,
    checkout_ref: str,
    draft: dict[str, Any],
    request: dict[str, Any],
    levels: list[dict[str, Any]],
    reasons: list[dict[str, Any]],
) -> OrderApproval:
    """A pending approval of the frozen order `draft` (call inside the checkout's
    transaction). The first level's approvers are emailed after the commit."""
    approval = OrderApproval.objects.create(
        company_id=company_id,
        buyer=buyer,
        checkout_ref=checkout_ref,
        draft=draft,
        request=request,
        currency=draft["currency"],
        total_net=Decimal(draft["total_net"]),
        total_gross=Decimal(draft["total_gross"]),
        levels=levels,
        reasons=reasons,
    )
    email_schedule("requested", approval.pk)
    return approval


def _not_pending() -> Conflict:
    return Conflict(_("This approval was already decided."), code="APPROVAL_NOT_PENDING")


def approval_decide(
    *, approval_id: int, user: User, decision: str, comment: str = ""
) -> tuple[OrderApproval, bool]:
    """Record `user`'s decision on the current level, under the approval's row lock (call
    inside a transaction). Returns the approval and whether it is now fully approved (the
    caller places the order in the same transaction). 403 OWN_APPROVAL for the buyer
    (even an approver), 403 NOT_AN_APPROVER for someone not of the current level, 409
    APPROVAL_NOT_PENDING once decided; 400 INVALID_INPUT for a comment over 1,000
    characters. A rejection ends it; an approval moves to the next level or ends it."""
    comment = text_limit(comment, field="comment", limit=1000)
    if decision not in Decision.values:
        raise _invalid("decision", _("Approve or reject."))
    approval = OrderApproval.objects.select_for_update().get(pk=approval_id)
    if approval.status != ApprovalStatus.PENDING:
        raise _not_pending()
    if user.pk == approval.buyer_id:
        raise PermissionDenied(
            _("You cannot approve or reject your own order."), code="OWN_APPROVAL"
        )
    if not any(m.user_id == user.pk for m in level_members(approval, approval.current_level)):
        raise PermissionDenied(
            _("You may not decide on this approval at its current level."),
            code="NOT_AN_APPROVER",
        )
    try:
        with transaction.atomic():
            ApprovalDecision.objects.create(
                approval=approval,
                level=approval.current_level,
                user=user,
                decision=decision,
                comment=comment,
            )
    except IntegrityError:  # pragma: no cover - the row lock serialises the deciders
        raise _not_pending() from None
    now = timezone.now()
    final = False
    if decision == Decision.REJECT:
        approval.status, approval.decided_at = ApprovalStatus.REJECTED, now
        email_schedule("rejected", approval.pk)
    elif approval.current_level + 1 >= len(approval.levels):
        approval.status, approval.decided_at = ApprovalStatus.APPROVED, now
        final = True
        email_schedule("approved", approval.pk)
    else:
        approval.current_level += 1
        approval.reminded_at = None
        email_schedule("requested", approval.pk)
    approval.save(update_fields=["status", "decided_at", "current_level", "reminded_at"])
    return approval, final


def approval_attach_order(*, approval: OrderApproval, order: Order) -> OrderApproval:
    """Link the approved approval to the order placed from it (same transaction)."""
    approval.order = order
    approval.save(update_fields=["order"])
    return approval


def approval_reminders_send(*, now: Any = None) -> int:
    """Remind the approvers of every approval pending at the same level for
    COMPTOIR_APPROVAL_REMINDER_DAYS days (since its request, its last decision or its
    last reminder). Idempotent: a conditional UPDATE claims each approval once per
    period, so two workers running at once, or a rerun, send nothing twice. Returns how
    many approvals were reminded."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.COMPTOIR_APPROVAL_REMINDER_DAYS)
    count = 0
    pending = OrderApproval.objects.filter(status=ApprovalStatus.PENDING).order_by("pk")
    for approval in pending.iterator():
        last_decision = (
            approval.decisions.order_by("-id").values_list("created_at", flat=True).first()
        )
        since = max(d for d in (approval.created_at, last_decision, approval.reminded_at) if d)
        if since > due:
            continue
        with transaction.atomic():
            claimed = OrderApproval.objects.filter(
                pk=approval.pk, status=ApprovalStatus.PENDING, reminded_at=approval.reminded_at
            ).update(reminded_at=now)
            if claimed:
                email_schedule("reminder", approval.pk)
                count += 1
    return count


@transaction.atomic
def approval_reject(
    *, approval_id: int, user: User, comment: str = ""
) -> tuple[OrderApproval, bool]:
    """Reject the approval (see `approval_decide`). Nothing was reserved or redeemed; the
    cart stays closed (the buyer is emailed, and reorders from a new cart)."""
    return approval_decide(approval_id=approval_id, user=user, decision="reject", comment=comment)
