"""Assisted shopping (docs/companies.md): a staff member starts shopping on behalf of a
company member from the company's admin page, sees the storefront as the member with a
banner, and stops from the banner, back in the admin as themselves.

The session switch is django-hijack's (`AcquireUserView`, `ReleaseUserView`: the staff
member's id kept in the session, `login()` as the member, and back); these subclasses make
our services decide who may (`companies.services.assisted_session_check`) and record it
(`AssistedSession`, the company's admin history). Its notification (inline script, which
our CSP forbids) is not used: the banner is ours (`storefront/includes/assisting.html`).
Pages a staff member must not use as the member (password, social connections, log out)
are refused by `AssistedShoppingMiddleware`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from hijack.views import AcquireUserView, ReleaseUserView

from comptoir.accounts.auth import client_ip
from comptoir.accounts.models import User
from comptoir.companies import services as company_services
from comptoir.companies.models import CompanyMember
from comptoir.companies.web import ASSISTED_SESSION_KEY, HIJACK_HISTORY_KEY, assisted_session_id
from comptoir.core.errors import DomainError


def _company_admin_url(user_id: Any) -> str:
    """The admin page of the company `user_id` acts for (the companies list otherwise)."""
    company_id = (
        CompanyMember.objects.filter(user_id=user_id).values_list("company_id", flat=True).first()
    )
    if company_id is None:
        return reverse("admin:companies_company_changelist")
    return reverse("admin:companies_company_change", args=[company_id])


class AssistStartView(AcquireUserView):
    """POST `user_pk` (the member), by a signed-in staff member: sign this browser in as the
    member and go to their account page. Refusals, nothing changed: 403 for a staff member
    who may not (not the account manager, no `companies.shop_on_behalf`) or a non-staff
    user; an admin message and back to the company's page for a company that does not
    allow it, a staff account or an inactive member; 405 for anything but POST."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not str(request.POST.get("user_pk", "")).isdigit():
            return HttpResponseBadRequest()
        return super().dispatch(request, *args, **kwargs)

    def test_func(self) -> bool:
        # The coarse check (hijack's): a staff member. Which members they may shop for is
        # the service's decision, in post().
        user = self.request.user
        return bool(user.is_active and user.is_staff)

    def get_success_url(self) -> str:
        return reverse("storefront:account")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = self.get_object()
        staff = request.user
        try:
            with transaction.atomic():
                record = company_services.assisted_session_start(
                    staff=staff, user=member, ip_address=client_ip(request)
                )
                response: HttpResponse = super().post(request, *args, **kwargs)
                request.session[ASSISTED_SESSION_KEY] = record.pk
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.detail) from exc
            messages.error(request, exc.detail)
            return redirect(_company_admin_url(member.pk))
        return response


class AssistStopView(ReleaseUserView):
    """POST, in an assisted session: record its end, sign the browser back in as the staff
    member and go to the company's admin page. 403 outside an assisted session."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return self.return_url

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        history = request.session.get(HIJACK_HISTORY_KEY, [])
        staff = User.objects.filter(pk=history[-1]).first()
        self.return_url = _company_admin_url(request.user.pk)
        with transaction.atomic():
            if staff is not None:
                company_services.assisted_session_end(
                    session_id=assisted_session_id(request),
                    staff=staff,
                    ip_address=client_ip(request),
                )
            response: HttpResponse = super().post(request, *args, **kwargs)
        return response


assist_start = AssistStartView.as_view()
assist_stop = AssistStopView.as_view()


def assisting_refused(request: HttpRequest) -> HttpResponse:
    """The page a staff member gets for what they may not do as the member (403)."""
    return render(request, "storefront/assisting_refused.html", status=403)
