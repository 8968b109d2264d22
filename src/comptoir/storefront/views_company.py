"""The company's own pages in the B2B portal (docs/b2b-portal.md, "Company
administration"): its profile (legal identity, identifiers and VIES status, phone, email
domains), its billing addresses and shipping sites, the page where an invited person
accepts an invitation, and the page where a user whose email domain is a company's asks to
join it.

Every read and write is the companies selectors and services the API uses
(`/api/v1/company...`); a refusal is shown on the form with the service's message and
status, nothing changed. Every member reads the profile and the addresses; changing them
needs `company.manage` (403 otherwise, as the API); a user who acts for no company gets a
404, and another company's address is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.accounts.models import User
from comptoir.accounts.services import ADDRESS_TEXT_FIELDS
from comptoir.companies import selectors, services
from comptoir.companies.models import CompanyAddress, CompanyMember
from comptoir.companies.permissions import CompanyPermission, role_label
from comptoir.core.errors import DomainError, NotFound, PermissionDenied
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.forms_company import (
    CompanyAddressForm,
    CompanyProfileForm,
    JoinRequestForm,
)
from comptoir.storefront.views_account import not_found_is_404, render_private

MANAGE = CompanyPermission.COMPANY_MANAGE


def company_member(request: HttpRequest, permission: str | None = None) -> CompanyMember:
    """The signed-in user's membership (company and role loaded): 404 when they act for no
    company, 403 when their role lacks `permission` (as the API's 403
    COMPANY_PERMISSION_DENIED)."""
    try:
        return selectors.member_require_membership(request.user, permission)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from exc


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the pages are login_required
    return user


# --- profile ------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_profile(request: HttpRequest) -> HttpResponse:
    """GET: the profile, for every member. POST (`company.manage`): phone and email
    domains through `services.company_update`."""
    member = company_member(request)
    manages = MANAGE in member.role.permissions
    company = member.company
    initial = {"phone": company.phone, "email_domains": "\n".join(company.email_domains)}
    form = CompanyProfileForm(initial=initial)
    status = 200
    if request.method == "POST":
        member = company_member(request, MANAGE)
        form = CompanyProfileForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.company_update(
                    company=company,
                    phone=form.cleaned_data["phone"].strip(),
                    email_domains=form.domains(),
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The company's details are saved."))
                return redirect("storefront:company_profile")
    context = {
        "company": company,
        "member": member,
        "my_role": role_label(member.role.code, member.role.name),
        "manages": manages,
        "form": form,
        "current_page": "company",
    }
    return render_private(request, "storefront/account/company.html", context, status=status)


# --- addresses ----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def company_addresses(request: HttpRequest) -> HttpResponse:
    member = company_member(request)
    context = {
        "company": member.company,
        "addresses": selectors.address_list_for_company(company=member.company),
        "manages": MANAGE in member.role.permissions,
        "current_page": "company_addresses",
    }
    return render_private(request, "storefront/account/company_addresses.html", context)


def _address_form(
    request: HttpRequest, member: CompanyMember, address: CompanyAddress | None
) -> HttpResponse:
    """A new address (`address` None) or one to change, saved through the companies
    services, whose refusals are shown on the fields (ADDRESS_INVALID per field)."""
    status = 200
    if request.method != "POST":
        initial: dict[str, Any] | None = None
        if address is not None:
            initial = {name: getattr(address, name) for name in ADDRESS_TEXT_FIELDS}
            initial |= {"label": address.label, "is_default": address.is_default}
        form = CompanyAddressForm(initial=initial, editing=address is not None)
    else:
        form = CompanyAddressForm(request.POST, editing=address is not None)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data.get(name) or "" for name in ADDRESS_TEXT_FIELDS}
            try:
                if address is None:
                    services.company_address_create(
                        company=member.company,
                        kind=data["kind"],
                        label=data["label"],
                        is_default=data["is_default"],
                        fields=fields,
                    )
                else:
                    services.company_address_update(
                        address=address,
                        fields=fields,
                        label=data["label"],
                        # Unticking the default's box is not a change (another takes it).
                        is_default=True if data["is_default"] else None,
                    )
            except DomainError as exc:
                add_domain_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Address added.") if address is None else _("Address saved.")
                )
                return redirect("storefront:company_addresses")
    context = {"form": form, "address": address, "current_page": "company_addresses"}
    return render_private(
        request, "storefront/account/company_address_form.html", context, status=status
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_address_add(request: HttpRequest) -> HttpResponse:
    return _address_form(request, company_member(request, MANAGE), None)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    member = company_member(request, MANAGE)
    with not_found_is_404():
        address = selectors.address_for_company(company=member.company, address_id=address_id)
    return _address_form(request, member, address)


@login_required
@require_POST
def company_address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    member = company_member(request, MANAGE)
    with not_found_is_404():
        address = selectors.address_for_company(company=member.company, address_id=address_id)
    services.company_address_delete(address=address)
    messages.success(request, _("Address deleted."))
    return redirect("storefront:company_addresses")


# --- joining ------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_join(request: HttpRequest) -> HttpResponse:
    """A user who acts for no company and whose email domain is one of a company's asks to
    join it (`services.join_request_create`, as `POST company/join-requests`); 404 when no
    company has their domain, the profile page for a member."""
    user = _user(request)
    if selectors.membership_for_user(user) is not None:
        return redirect("storefront:company_profile")
    companies = [(c.pk, c.legal_name) for c in selectors.companies_for_email(email=user.email)]
    pending = selectors.join_requests_pending_for_user(user=user)
    if not companies and not pending:
        raise Http404("No company has this email domain.")
    form = JoinRequestForm(request.POST or None, companies=companies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                company = selectors.company_joinable(company_id=int(form.cleaned_data["company"]))
                services.join_request_create(
                    company=company, user=user, message=form.cleaned_data["message"]
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Your request was sent to the administrators of %(company)s.")
                    % {"company": company.legal_name},
                )
                return redirect("storefront:company_join")
    context = {
        "form": form,
        "companies": companies,
        "pending": pending,
        "asked": {r.company_id for r in pending},
        "current_page": "company_join",
    }
    return render_private(request, "storefront/account/company_join.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation email links to (settings.COMPTOIR_COMPANY_INVITATION_URL):
    what the invitation is, and a button to accept it (`services.invitation_accept`, as
    `POST company/invitations/{token}/accept`). A visitor signs in or registers first and
    comes back here. An unknown, revoked or used token is a 404."""
    user = _user(request)
    with not_found_is_404():
        invitation = selectors.invitation_pending_by_token(token=token)
    error, status = "", 200
    if request.method == "POST":
        try:
            member = services.invitation_accept(token=token, user=user)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except DomainError as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(
                request,
                _("You now buy for %(company)s.") % {"company": member.company.legal_name},
            )
            return redirect("storefront:company_profile")
    context = {
        "invitation": invitation,
        "role": role_label(invitation.role.code, invitation.role.name),
        "expired": invitation.expires_at <= timezone.now(),
        "email_matches": user.email.lower() == invitation.email.lower(),
        "error": error,
        "current_page": "company_invitation",
    }
    return render_private(
        request, "storefront/account/company_invitation.html", context, status=status
    )
