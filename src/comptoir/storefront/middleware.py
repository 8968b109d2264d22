"""Middleware of the storefront. Kept tiny: anything with logic belongs in a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from comptoir.companies.web import is_assisting
from comptoir.storefront.views_assisting import assisting_refused

# What a staff member shopping on behalf of a member may not do as the member: change their
# password, connect or disconnect social logins, sign out (the banner's Stop ends the
# session and signs the staff member back in). See docs/companies.md.
REFUSED_WHILE_ASSISTING = frozenset({"storefront:account_password", "accounts:logout"})
REFUSED_ROUTES_WHILE_ASSISTING = ("accounts/social/",)  # after the language prefix, if any
# Nor decide for the company (read, yes; POST, no): approve or reject an order (the staff
# member would approve what they placed), change its members, invitations, join requests,
# roles, profile, approval rules or budgets, or accept an invitation: what outlives the
# session stays the members' own doing.
REFUSED_CHANGES_WHILE_ASSISTING = frozenset(
    f"storefront:{name}"
    for name in (
        "account_approval_decide",
        "company_approvals",
        "company_rule_delete",
        "company_budget_delete",
        "company_profile",
        "company_member_change",
        "company_member_remove",
        "company_invitation_create",
        "company_invitation_revoke",
        "company_invitation_accept",
        "company_join_request_decide",
        "company_roles",
        "company_role_edit",
        "company_role_delete",
    )
)


class AssistedShoppingMiddleware:
    """Refuse (403 page) the pages above in an assisted shopping session. No query: the
    session is already loaded by the authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not is_assisting(request):
            return None
        route = match.route or ""
        changes = request.method not in ("GET", "HEAD", "OPTIONS")
        if (
            match.view_name in REFUSED_WHILE_ASSISTING
            or (changes and match.view_name in REFUSED_CHANGES_WHILE_ASSISTING)
            or any(prefix in route for prefix in REFUSED_ROUTES_WHILE_ASSISTING)
        ):
            return assisting_refused(request)
        return None
