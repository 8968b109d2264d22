"""Who acts for the company, in the B2B portal (docs/b2b-portal.md, "Company
administration"), for members whose role holds `company.manage`:

- the members page: members with their role and status, a form per member to change the
  role, deactivate or reactivate, and remove; the pending invitations with a form to
  invite someone by email and a button to revoke; the pending join requests with approve
  (with a role) and reject;
- the roles page: built-in roles (read-only, with their permissions) and custom ones,
  with forms to create, change and delete a custom role.

Every write is the companies service the API calls (`company/members`, `company/roles`,
`company/invitations`, `company/join-requests`); a refusal (LAST_ADMIN, OWN_MEMBERSHIP,
ROLE_IN_USE, ...) is shown on the page with the service's message and status, nothing
changed. A member without `company.manage` gets a 403, a user of no company a 404, and
another company's member, role, invitation or join request a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.companies import selectors, services
from comptoir.companies.models import CompanyMember, CompanyRole
from comptoir.companies.permissions import CompanyPermission, role_label
from comptoir.core.errors import DomainError, InvalidInput
from comptoir.core.pagination import PageRequest
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.forms_company import InvitationForm, RoleChoiceForm, RoleForm
from comptoir.storefront.views import page_number
from comptoir.storefront.views_account import not_found_is_404, render_private
from comptoir.storefront.views_company import company_member

MANAGE = CompanyPermission.COMPANY_MANAGE
MEMBERS_PAGE_SIZE = 50


def _error_text(exc: DomainError) -> str:
    """The service's message, with the per-field ones when they say more."""
    details = [m for errors in exc.errors.values() for m in errors if m != exc.detail]
    return " ".join([exc.detail, *details])


# --- members, invitations and join requests -----------------------------------------------


def _members_page(
    request: HttpRequest,
    manager: CompanyMember,
    *,
    invite: InvitationForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    company = manager.company
    number = page_number(request)
    rows, count = selectors.company_member_list(
        company=company, page=PageRequest(page=number, page_size=MEMBERS_PAGE_SIZE)
    )
    pages = max(1, -(-count // MEMBERS_PAGE_SIZE))
    if number > pages:
        raise Http404("No such page.")
    roles = selectors.company_role_list(company=company)
    now = timezone.now()
    context: dict[str, Any] = {
        "company": company,
        "me": manager,
        "members": [
            {"member": m, "role": role_label(m.role.code, m.role.name), "mine": m.pk == manager.pk}
            for m in rows
        ],
        "count": count,
        "roles": [(role.pk, role_label(role.code, role.name)) for role in roles],
        "invitations": [
            {
                "invitation": i,
                "role": role_label(i.role.code, i.role.name),
                "expired": i.expires_at <= now,
            }
            for i in selectors.invitation_list_for_company(company=company)
        ],
        "join_requests": selectors.join_request_list_for_company(company=company),
        "invite": invite or InvitationForm(roles=roles, initial={"role": _buyer_pk(roles)}),
        "default_role": int(_buyer_pk(roles) or 0),
        "error": error,
        "page": number,
        "pages": pages,
        "current_page": "company_members",
    }
    return render_private(
        request, "storefront/account/company_members.html", context, status=status
    )


def _buyer_pk(roles: list[CompanyRole]) -> str:
    return next((str(r.pk) for r in roles if r.code == "buyer"), "")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def company_members(request: HttpRequest) -> HttpResponse:
    return _members_page(request, company_member(request, MANAGE))


def _done(message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect("storefront:company_members")


def _target(manager: CompanyMember, member_id: int) -> CompanyMember:
    with not_found_is_404():
        return selectors.member_for_company(company=manager.company, member_id=member_id)


def _role_posted(request: HttpRequest, manager: CompanyMember) -> CompanyRole:
    """The role chosen in the POST, one of the company's (400 ROLE_NOT_FOUND otherwise, as
    the API answers for an unknown `role_id`)."""
    roles = selectors.company_role_list(company=manager.company)
    form = RoleChoiceForm(request.POST, roles=roles)
    if not form.is_valid():
        message = _("Unknown role.")
        raise InvalidInput(message, code="ROLE_NOT_FOUND", errors={"role": [message]})
    return next(r for r in roles if str(r.pk) == form.cleaned_data["role"])


@login_required
@never_cache
@require_POST
def company_member_change(request: HttpRequest, member_id: int) -> HttpResponse:
    """POST `action=role` with `role`; `action=deactivate` or `action=activate`: through
    `services.company_member_update` (the actor is the signed-in member)."""
    manager = company_member(request, MANAGE)
    target = _target(manager, member_id)
    action = request.POST.get("action", "")
    if action not in ("role", "deactivate", "activate"):
        return _members_page(request, manager, error=_("Unknown action."), status=400)
    try:
        if action == "role":
            role = _role_posted(request, manager)
            services.company_member_update(member=target, actor=manager.user, role=role)
            message = _("%(email)s is now %(role)s.") % {
                "email": target.user.email,
                "role": role_label(role.code, role.name),
            }
        else:
            active = action == "activate"
            services.company_member_update(member=target, actor=manager.user, is_active=active)
            message = (
                _("%(email)s can buy for the company again.")
                if active
                else _("%(email)s is deactivated.")
            ) % {"email": target.user.email}
    except DomainError as exc:
        return _members_page(request, manager, error=_error_text(exc), status=exc.status)
    return _done(message, request)


@login_required
@never_cache
@require_POST
def company_member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    manager = company_member(request, MANAGE)
    target = _target(manager, member_id)
    try:
        services.company_member_delete(member=target, actor=manager.user)
    except DomainError as exc:
        return _members_page(request, manager, error=_error_text(exc), status=exc.status)
    return _done(
        _("%(email)s no longer acts for the company.") % {"email": target.user.email}, request
    )


@login_required
@never_cache
@require_POST
def company_invitation_create(request: HttpRequest) -> HttpResponse:
    """Invite `email` with `role` (`services.invitation_create`: the email is sent after
    the commit)."""
    manager = company_member(request, MANAGE)
    roles = selectors.company_role_list(company=manager.company)
    form = InvitationForm(request.POST, roles=roles)
    if form.is_valid():
        role = next(r for r in roles if str(r.pk) == form.cleaned_data["role"])
        try:
            invitation = services.invitation_create(
                company=manager.company,
                email=form.cleaned_data["email"],
                role=role,
                invited_by=manager.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
            return _members_page(request, manager, invite=form, status=exc.status)
        return _done(
            _("An invitation was sent to %(email)s.") % {"email": invitation.email}, request
        )
    return _members_page(request, manager, invite=form, status=400)


@login_required
@never_cache
@require_POST
def company_invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    manager = company_member(request, MANAGE)
    with not_found_is_404():
        invitation = selectors.invitation_for_company(
            company=manager.company, invitation_id=invitation_id
        )
    try:
        services.invitation_revoke(invitation=invitation)
    except DomainError as exc:
        return _members_page(request, manager, error=_error_text(exc), status=exc.status)
    return _done(
        _("The invitation of %(email)s is revoked.") % {"email": invitation.email}, request
    )


@login_required
@never_cache
@require_POST
def company_join_request_decide(
    request: HttpRequest, request_id: int, decision: str
) -> HttpResponse:
    """`decision` approve (with `role`) or reject (`services.join_request_approve` /
    `join_request_reject`; the user is emailed either way)."""
    manager = company_member(request, MANAGE)
    with not_found_is_404():
        join = selectors.join_request_for_company(company=manager.company, request_id=request_id)
    try:
        if decision == "approve":
            role = _role_posted(request, manager)
            services.join_request_approve(request=join, role=role, actor=manager.user)
            message = _("%(email)s now buys for the company as %(role)s.") % {
                "email": join.user.email,
                "role": role_label(role.code, role.name),
            }
        elif decision == "reject":
            services.join_request_reject(request=join, actor=manager.user)
            message = _("The request of %(email)s is declined.") % {"email": join.user.email}
        else:
            raise Http404("Unknown decision.")
    except DomainError as exc:
        return _members_page(request, manager, error=_error_text(exc), status=exc.status)
    return _done(message, request)


# --- roles --------------------------------------------------------------------------------


def _permission_labels(codes: list[str]) -> list[str]:
    return [str(label) for code, label in CompanyPermission.choices if code in codes]


def _roles_page(
    request: HttpRequest,
    manager: CompanyMember,
    *,
    form: RoleForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    roles = selectors.company_role_list(company=manager.company)
    context = {
        "roles": [
            {
                "role": r,
                "name": role_label(r.code, r.name),
                "permissions": _permission_labels(r.permissions),
            }
            for r in roles
        ],
        "form": form or RoleForm(),
        "error": error,
        "current_page": "company_roles",
    }
    return render_private(request, "storefront/account/company_roles.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_roles(request: HttpRequest) -> HttpResponse:
    """GET: the roles. POST: create a custom role (`name`, `permissions`)."""
    manager = company_member(request, MANAGE)
    if request.method != "POST":
        return _roles_page(request, manager)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            role = services.role_create(
                company=manager.company,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
            return _roles_page(request, manager, form=form, status=exc.status)
        messages.success(request, _("The role %(name)s is created.") % {"name": role.name})
        return redirect("storefront:company_roles")
    return _roles_page(request, manager, form=form, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_role_edit(request: HttpRequest, role_id: int) -> HttpResponse:
    """A custom role's form (`services.role_update`). A built-in role has no form (404);
    a POST to one gets the service's 409 ROLE_BUILTIN on the roles page."""
    manager = company_member(request, MANAGE)
    with not_found_is_404():
        role = selectors.role_for_company(company=manager.company, role_id=role_id)
    status = 200
    if role.is_builtin and request.method != "POST":
        raise Http404("Built-in roles have no form.")
    if role.is_builtin:
        try:
            services.role_update(role=role)
        except DomainError as exc:
            return _roles_page(request, manager, error=_error_text(exc), status=exc.status)
    if request.method != "POST":
        form = RoleForm(initial={"name": role.name, "permissions": role.permissions})
    else:
        form = RoleForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.role_update(
                    role=role,
                    name=form.cleaned_data["name"],
                    permissions=form.cleaned_data["permissions"],
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The role %(name)s is saved.") % {"name": role.name})
                return redirect("storefront:company_roles")
    context = {"role": role, "form": form, "current_page": "company_roles"}
    return render_private(
        request, "storefront/account/company_role_form.html", context, status=status
    )


@login_required
@never_cache
@require_POST
def company_role_delete(request: HttpRequest, role_id: int) -> HttpResponse:
    manager = company_member(request, MANAGE)
    with not_found_is_404():
        role = selectors.role_for_company(company=manager.company, role_id=role_id)
    try:
        services.role_delete(role=role)
    except DomainError as exc:
        return _roles_page(request, manager, error=_error_text(exc), status=exc.status)
    messages.success(request, _("The role %(name)s is deleted.") % {"name": role.name})
    return redirect("storefront:company_roles")
