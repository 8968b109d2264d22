"""The B2B portal's approval pages (docs/b2b-portal.md, "Approvals"): the approvals a
member may read (waiting for me, requested by me, all of the company's for roles that
see every order), one approval with its frozen order, levels and decisions, and the
approve / reject form. Decisions go through `quotes.approving` like the API (one
decision per level under the approval's row lock; the last approval places the order;
a double POST carries the same idempotency key and makes one order). Another company's
approval, or a consumer, is a 404; an error (403 OWN_APPROVAL, NOT_AN_APPROVER, 409
INSUFFICIENT_STOCK...) is shown on the page with nothing changed."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from comptoir.approvals import presenters, selectors
from comptoir.approvals.models import ApprovalStatus, Decision
from comptoir.companies.selectors import company_for_user
from comptoir.core.errors import DomainError
from comptoir.core.money import Money
from comptoir.quotes.approving import approval_approve, approval_reject
from comptoir.storefront.views import page_number
from comptoir.storefront.views_account import not_found_is_404, render_private

APPROVALS_PAGE_SIZE = 20
TABS = ("waiting", "requested", "all")


def _member(request: HttpRequest) -> None:
    if company_for_user(request.user) is None:
        raise Http404("Not a company member.")


def _shown(approval: dict[str, Any]) -> dict[str, Any]:
    """The API body with Money amounts for the templates."""
    currency = approval["currency"]

    def m(value: str) -> Money:
        return Money(Decimal(value), currency)

    return {
        **approval,
        "status_label": ApprovalStatus(approval["status"]).label,
        "total_net_money": m(approval["total_net"]),
        "total_gross_money": m(approval["total_gross"]),
        "shipping_money": m(approval["shipping_net"]),
        "shown_lines": [
            {**line, "unit": m(line["unit_net"]), "total": m(line["total_net"])}
            for line in approval["lines"]
        ],
        "levels_shown": [
            {
                **level,
                "number": index + 1,
                "current": approval["status"] == "pending" and index == approval["current_level"],
                "decisions": [
                    {**d, "label": Decision(d["decision"]).label}
                    for d in approval["decisions"]
                    if d["level"] == index
                ],
            }
            for index, level in enumerate(approval["levels"])
        ],
    }


@login_required
@never_cache
@require_safe
def account_approvals(request: HttpRequest) -> HttpResponse:
    _member(request)
    user = request.user
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    rows, members = selectors.approvals_for_user(user=user, status=None)
    shown = [presenters.approval_out(a, user=user, members=members) for a in rows]
    counts = {
        "waiting": sum(1 for a in shown if a["can_act"]),
        "requested": sum(1 for a in shown if a["buyer"]["id"] == user.pk),
        "all": len(shown),
    }
    if tab == "waiting":
        shown = [a for a in shown if a["can_act"]]
    elif tab == "requested":
        shown = [a for a in shown if a["buyer"]["id"] == user.pk]
    number = page_number(request)
    pages = max(1, -(-len(shown) // APPROVALS_PAGE_SIZE))
    if number > pages:
        raise Http404("No such page.")
    start = (number - 1) * APPROVALS_PAGE_SIZE
    context = {
        "approvals": [_shown(a) for a in shown[start : start + APPROVALS_PAGE_SIZE]],
        "tab": tab,
        "counts": counts,
        "page": number,
        "pages": pages,
        "page_params": f"tab={tab}",
        "current_page": "approvals",
    }
    return render_private(request, "storefront/account/approvals.html", context)


def _detail(
    request: HttpRequest, approval_id: int, *, error: str = "", comment: str = "", status: int = 200
) -> HttpResponse:
    with not_found_is_404():
        approval = selectors.approval_for_user(user=request.user, approval_id=approval_id)
    context = {
        "approval": _shown(presenters.approval_out(approval, user=request.user)),
        "error": error,
        "comment": comment,
        "decision_key": uuid.uuid4().hex,
        "sent": request.GET.get("sent") == "1" and approval.status == ApprovalStatus.PENDING,
        "current_page": "approvals",
    }
    return render_private(request, "storefront/account/approval.html", context, status=status)


@login_required
@never_cache
@require_safe
def account_approval(request: HttpRequest, approval_id: int) -> HttpResponse:
    _member(request)
    return _detail(request, approval_id)


@login_required
@never_cache
@require_POST
def account_approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    """Approve or reject with a comment; then back to the approval (POST-redirect-GET)."""
    _member(request)
    with not_found_is_404():
        approval = selectors.approval_for_user(user=request.user, approval_id=approval_id)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    key = request.POST.get("key", "")[:100] or None
    try:
        if decision == "approve":
            approval_approve(
                approval_id=approval.pk, user=request.user, comment=comment, idempotency_key=key
            )
        elif decision == "reject":
            approval_reject(approval_id=approval.pk, user=request.user, comment=comment)
        else:
            return _detail(
                request, approval.pk, error=_("Approve or reject."), comment=comment, status=400
            )
    except DomainError as exc:
        detail = exc.detail
        if exc.errors.get("comment"):
            detail = " ".join(str(e) for e in exc.errors["comment"])
        return _detail(request, approval.pk, error=detail, comment=comment, status=exc.status)
    return redirect(reverse("storefront:account_approval", args=[approval.pk]))
