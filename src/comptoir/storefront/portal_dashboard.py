"""The company blocks of the account home for company members (docs/b2b-portal.md,
"Dashboard"): open orders, quotes waiting for the buyer's answer, approvals waiting for
the member's decision, invoices due and overdue (with `invoices.view` only), the member's
budget this period, and the account manager. Each comes from its app's selectors, in a
bounded number of queries (pinned in the tests); a consumer costs none."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comptoir.accounts.models import User
from comptoir.approvals import selectors as approvals
from comptoir.companies import selectors as companies
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.money import Money
from comptoir.invoicing import selectors as invoicing
from comptoir.orders import selectors as orders
from comptoir.quotes import selectors as quotes
from comptoir.storefront.shop import current_company

SHOWN = 5


def portal_dashboard(request: HttpRequest, user: User, *, currency: str) -> dict[str, Any]:
    """The template context of the company blocks; {"portal": None} for a consumer (no
    query: the storefront's buyer of the request tells). `currency`: the shop's (the
    channel's), in which invoices and budgets are kept."""
    if current_company(request) is None:
        return {"portal": None}
    member = companies.membership_for_user(user)
    if member is None:
        return {"portal": None}
    company = member.company
    permissions = frozenset(member.role.permissions)  # the membership is loaded: no query
    open_orders, open_count = orders.open_orders_for_member(member=member, limit=SHOWN)
    waiting_quotes, quote_count = quotes.quotes_awaiting_answer(member=member, limit=SHOWN)
    waiting_approvals, approval_count = approvals.approvals_awaiting_decision(
        member=member, limit=SHOWN
    )
    portal: dict[str, Any] = {
        "company": company,
        "open_orders": open_orders,
        "open_count": open_count,
        "quotes": waiting_quotes,
        "quote_count": quote_count,
        "approvals": [
            {"approval": a, "total": Money(a.total_net, a.currency)} for a in waiting_approvals
        ],
        "approval_count": approval_count,
        # The block shows for those who approve, or whom a rule's level names (count > 0).
        "approver": approval_count > 0 or CompanyPermission.APPROVALS_APPROVE in permissions,
        "manager": companies.account_manager_of(company=company),
        "due": None,
        "budget": None,
    }
    if CompanyPermission.INVOICES_VIEW in permissions:
        due = invoicing.invoices_due_summary(company_id=company.pk)
        portal["due"] = due
        portal["due_amount"] = Money(due.open_amount, currency)
        portal["overdue_amount"] = Money(due.overdue_amount, currency)
    budget = approvals.budget_use_for_member(member=member)
    if budget is not None:
        portal["budget"] = budget
        portal["budget_amount"] = Money(budget.amount, currency)
        portal["budget_spent"] = Money(budget.spent, currency)
        portal["budget_remaining"] = Money(budget.remaining, currency)
    return {"portal": portal}
