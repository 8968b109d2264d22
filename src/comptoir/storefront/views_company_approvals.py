"""The portal page where a member holding `company.manage` sets the company's approval
rules and the buyers' budgets (docs/b2b-portal.md, "Approval rules and budgets"): the
rules with their approver levels, a form to add a rule (one approver level: a role), a
delete button per rule, the budgets with a form to set one per member and a delete
button. The writes are the approvals services (the API's); another company's rule or
budget is a 404, a member without `company.manage` a 403, a consumer a 404. Errors are
shown on the page with nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.approvals import selectors, services
from comptoir.approvals.models import BudgetPeriod, Condition
from comptoir.companies import selectors as company_selectors
from comptoir.companies.models import Company, CompanyMember
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from comptoir.storefront.views_account import not_found_is_404, render_private

CONDITIONS = (Condition.ORDER_TOTAL, Condition.SKU_COUNT, Condition.SHIPPING)


def _manager(request: HttpRequest) -> Company:
    try:
        return company_selectors.member_require(request.user, CompanyPermission.COMPANY_MANAGE)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from exc


def _page(
    request: HttpRequest, company: Company, *, error: str = "", status: int = 200
) -> HttpResponse:
    roles = company_selectors.company_role_list(company=company)
    role_names = {role.pk: role.name for role in roles}
    members = list(
        CompanyMember.objects.filter(company=company, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    member_emails = {m.pk: m.user.email for m in members}
    rules = [
        {
            "rule": rule,
            "levels": [
                role_names.get(level.get("role_id"))
                or ", ".join(member_emails.get(i, "?") for i in level.get("member_ids", []))
                for level in rule.levels
            ],
        }
        for rule in selectors.rules_for_company(company_id=company.pk)
    ]
    context: dict[str, Any] = {
        "company": company,
        "rules": rules,
        "budgets": selectors.budgets_for_company(company_id=company.pk),
        "roles": roles,
        "members": members,
        "conditions": [(c.value, c.label) for c in CONDITIONS],
        "periods": BudgetPeriod.choices,
        "error": error,
        "form": request.POST if request.method == "POST" else {},
        "current_page": "company_approvals",
    }
    return render_private(
        request, "storefront/account/company_approvals.html", context, status=status
    )


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_approvals(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST `action=rule`: add a rule (`name`, `condition`, `threshold`,
    `role`); `action=budget`: set a member's budget (`member`, `period`, `amount`)."""
    company = _manager(request)
    if request.method != "POST":
        return _page(request, company)
    action = request.POST.get("action")
    try:
        if action == "rule":
            services.rule_create(
                company=company,
                name=request.POST.get("name", ""),
                condition=request.POST.get("condition", ""),
                threshold=request.POST.get("threshold") or None,
                levels=[{"role_id": _int(request.POST.get("role", ""))}],
            )
        elif action == "budget":
            member = company_selectors.member_for_company(
                company=company, member_id=_int(request.POST.get("member", ""))
            )
            services.budget_set(
                member=member,
                period=request.POST.get("period", ""),
                amount=request.POST.get("amount", ""),
            )
        else:
            raise Http404("Unknown action.")
    except DomainError as exc:
        messages = [str(m) for errors in exc.errors.values() for m in errors]
        return _page(request, company, error=" ".join(messages) or exc.detail, status=exc.status)
    return redirect(reverse("storefront:company_approvals"))


@login_required
@never_cache
@require_POST
def company_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    company = _manager(request)
    with not_found_is_404():
        rule = selectors.rule_for_company(company_id=company.pk, rule_id=rule_id)
    services.rule_delete(rule=rule)
    return redirect(reverse("storefront:company_approvals"))


@login_required
@never_cache
@require_POST
def company_budget_delete(request: HttpRequest, budget_id: int) -> HttpResponse:
    company = _manager(request)
    with not_found_is_404():
        budget = selectors.budget_for_company(company_id=company.pk, budget_id=budget_id)
    services.budget_delete(budget=budget)
    return redirect(reverse("storefront:company_approvals"))
