"""The caller's company under /api/v1/company... (session or bearer token): its profile,
members, roles, addresses, invitations and join requests (docs/companies.md).

Every route finds the caller's membership first (404 NOT_A_COMPANY_MEMBER for a user of no
company) and, for what needs one, the role's permission (403 COMPANY_PERMISSION_DENIED).
Objects are fetched through `*_for_company` selectors: another company's are 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.accounts.models import User
from comptoir.companies import selectors, services
from comptoir.companies.api.presenters import (
    address_create_from,
    address_out,
    address_update_from,
    invitation_out,
    join_request_out,
    member_out,
    person_out,
    role_body,
    role_out,
)
from comptoir.companies.models import CompanyMember, CompanyRole
from comptoir.companies.permissions import CompanyPermission
from comptoir.companies.schemas import (
    AccountManagerMessageIn,
    AccountManagerMessageOut,
    CompanyAddressIn,
    CompanyAddressOut,
    CompanyAddressPatch,
    InvitationIn,
    InvitationOut,
    JoinableOut,
    JoinApproveIn,
    JoinRequestIn,
    JoinRequestOut,
    MemberListOut,
    MemberOut,
    MemberPatch,
    ProfileOut,
    ProfilePatch,
    RoleIn,
    RoleOut,
    RolePatch,
)
from comptoir.companies.services.contact import account_manager_contact
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.staff_api import as_bad_reference, page_request, paginated, patch_changes

router = Router(tags=["company"], auth=session_or_bearer)

MANAGE = CompanyPermission.COMPANY_MANAGE
_MEMBER = "401 `UNAUTHORIZED`; 404 `NOT_A_COMPANY_MEMBER`"
_MANAGER = f"{_MEMBER}; 403 `COMPANY_PERMISSION_DENIED` without `company.manage`"


def _member(request: HttpRequest, permission: str | None = None) -> CompanyMember:
    return selectors.member_require_membership(request.auth, permission)  # type: ignore[attr-defined]


def _role(member: CompanyMember, role_id: int) -> CompanyRole:
    try:
        return selectors.role_for_company(company=member.company, role_id=role_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "role_id") from None


# --- profile ------------------------------------------------------------------------------


def _profile(member: CompanyMember) -> dict[str, Any]:
    company = selectors.company_get(company_id=member.company_id)
    roles = {r.pk: r for r in selectors.company_role_list(company=company)}
    role = roles[member.role_id]
    return {
        "id": company.pk,
        "legal_name": company.legal_name,
        "country": str(company.country),
        "vat_number": company.vat_number,
        "siren": company.siren,
        "siret": company.siret,
        "phone": company.phone,
        "email_domains": company.email_domains,
        "account_manager": person_out(company.account_manager),
        "allow_assisted_shopping": company.allow_assisted_shopping,
        "my_role": role_out(role),
        "my_permissions": sorted(role.permissions),
    }


@router.get(
    "company",
    response=ProfileOut,
    summary="The caller's company",
    description="Profile, account manager, and the caller's role and permissions. "
    f"Errors: {_MEMBER}.",
)
def company_get(request: HttpRequest) -> dict[str, Any]:
    return _profile(_member(request))


@router.patch(
    "company",
    response=ProfileOut,
    summary="Change the caller's company",
    description="Phone, email domains (for join requests) and `allow_assisted_shopping` "
    "(whether the account manager may shop on behalf of the members); the legal identity "
    "is kept by the shop's staff. Errors: 400 `INVALID_INPUT`, `INVALID_PHONE`, "
    f"`INVALID_EMAIL_DOMAIN`; {_MANAGER}.",
)
def company_patch(request: HttpRequest, payload: ProfilePatch) -> dict[str, Any]:
    member = _member(request, MANAGE)
    services.company_update(company=member.company, **patch_changes(payload))
    return _profile(member)


@router.get(
    "company/joinable",
    response=list[JoinableOut],
    summary="Companies the caller may ask to join",
    description="Active companies whose email domains hold the caller's. Errors: 401.",
)
def company_joinable(request: HttpRequest) -> list[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    return [
        {"id": c.pk, "legal_name": c.legal_name}
        for c in selectors.companies_for_email(email=user.email)
    ]


# --- members ------------------------------------------------------------------------------


@router.get(
    "company/members",
    response=MemberListOut,
    summary="Members of the caller's company",
    description=f"Oldest first. Errors: 400 `INVALID_PAGINATION`; {_MANAGER}.",
)
def members_list(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    member = _member(request, MANAGE)
    page_req = page_request(page, page_size)
    rows, count = selectors.company_member_list(company=member.company, page=page_req)
    return paginated(request, page_req, count, [member_out(m) for m in rows])


@router.patch(
    "company/members/{member_id}",
    response=MemberOut,
    summary="Change a member's role, active flag or job title",
    description="Nobody changes their own role or deactivates themselves; the last active "
    "administrator stays one. Errors: 400 `INVALID_INPUT`, `ROLE_NOT_FOUND`; 403 "
    f"`OWN_MEMBERSHIP`; 404 `MEMBER_NOT_FOUND`; 409 `LAST_ADMIN`; {_MANAGER}.",
)
def member_patch(request: HttpRequest, member_id: int, payload: MemberPatch) -> dict[str, Any]:
    actor = _member(request, MANAGE)
    target = selectors.member_for_company(company=actor.company, member_id=member_id)
    changes = patch_changes(payload)
    if "role_id" in changes:
        changes["role"] = _role(actor, changes.pop("role_id"))
    updated = services.company_member_update(member=target, actor=actor.user, **changes)
    return member_out(updated)


@router.delete(
    "company/members/{member_id}",
    response={204: None},
    summary="Remove a member",
    description="The account stays; it no longer acts for the company. Errors: 403 "
    f"`OWN_MEMBERSHIP`; 404 `MEMBER_NOT_FOUND`; 409 `LAST_ADMIN`; {_MANAGER}.",
)
def member_delete(request: HttpRequest, member_id: int) -> Status[None]:
    actor = _member(request, MANAGE)
    target = selectors.member_for_company(company=actor.company, member_id=member_id)
    services.company_member_delete(member=target, actor=actor.user)
    return Status(204, None)


# --- roles --------------------------------------------------------------------------------


@router.get(
    "company/roles",
    response=list[RoleOut],
    summary="Roles of the caller's company",
    description=f"Built-in roles first, then custom ones. Errors: {_MANAGER}.",
)
def roles_list(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request, MANAGE)
    return [role_out(r) for r in selectors.company_role_list(company=member.company)]


@router.post(
    "company/roles",
    response={201: RoleOut},
    summary="Create a custom role",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_PERMISSION`, `TOO_MANY_ROLES`; 409 "
    f"`ROLE_NAME_TAKEN`; {_MANAGER}.",
)
def role_create(request: HttpRequest, payload: RoleIn) -> Status[dict[str, Any]]:
    member = _member(request, MANAGE)
    role = services.role_create(company=member.company, **payload.model_dump())
    return Status(201, role_body(member.company, role.pk))


@router.patch(
    "company/roles/{role_id}",
    response=RoleOut,
    summary="Change a custom role",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_PERMISSION`; 404 `ROLE_NOT_FOUND`; "
    f"409 `ROLE_BUILTIN`, `ROLE_NAME_TAKEN`; {_MANAGER}.",
)
def role_patch(request: HttpRequest, role_id: int, payload: RolePatch) -> dict[str, Any]:
    member = _member(request, MANAGE)
    role = selectors.role_for_company(company=member.company, role_id=role_id)
    services.role_update(role=role, **patch_changes(payload))
    return role_body(member.company, role.pk)


@router.delete(
    "company/roles/{role_id}",
    response={204: None},
    summary="Delete a custom role",
    description=f"Errors: 404 `ROLE_NOT_FOUND`; 409 `ROLE_BUILTIN`, `ROLE_IN_USE`; {_MANAGER}.",
)
def role_delete(request: HttpRequest, role_id: int) -> Status[None]:
    member = _member(request, MANAGE)
    services.role_delete(role=selectors.role_for_company(company=member.company, role_id=role_id))
    return Status(204, None)


# --- addresses ----------------------------------------------------------------------------


@router.get(
    "company/addresses",
    response=list[CompanyAddressOut],
    summary="Addresses of the caller's company",
    description=f"Billing addresses and shipping sites. Errors: {_MEMBER}.",
)
def addresses_list(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request)
    return [address_out(a) for a in selectors.address_list_for_company(company=member.company)]


@router.post(
    "company/addresses",
    response={201: CompanyAddressOut},
    summary="Add an address",
    description="The first of its kind is the default. Errors: 400 `INVALID_INPUT` (kind), "
    f"`ADDRESS_INVALID` (per field), `TOO_MANY_ADDRESSES`; {_MANAGER}.",
)
def address_create(request: HttpRequest, payload: CompanyAddressIn) -> Status[dict[str, Any]]:
    member = _member(request, MANAGE)
    return Status(201, address_create_from(member.company, payload))


@router.patch(
    "company/addresses/{address_id}",
    response=CompanyAddressOut,
    summary="Change an address",
    description="Errors: 400 `INVALID_INPUT`, `ADDRESS_INVALID`, `DEFAULT_REQUIRED`; 404 "
    f"`ADDRESS_NOT_FOUND`; {_MANAGER}.",
)
def address_patch(
    request: HttpRequest, address_id: int, payload: CompanyAddressPatch
) -> dict[str, Any]:
    member = _member(request, MANAGE)
    address = selectors.address_for_company(company=member.company, address_id=address_id)
    return address_update_from(address, payload)


@router.delete(
    "company/addresses/{address_id}",
    response={204: None},
    summary="Delete an address",
    description=f"Errors: 404 `ADDRESS_NOT_FOUND`; {_MANAGER}.",
)
def address_delete(request: HttpRequest, address_id: int) -> Status[None]:
    member = _member(request, MANAGE)
    services.company_address_delete(
        address=selectors.address_for_company(company=member.company, address_id=address_id)
    )
    return Status(204, None)


# --- invitations --------------------------------------------------------------------------


@router.get(
    "company/invitations",
    response=list[InvitationOut],
    summary="Pending invitations",
    description=f"Newest first; `expired` ones can no longer be accepted. Errors: {_MANAGER}.",
)
def invitations_list(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request, MANAGE)
    return [
        invitation_out(i) for i in selectors.invitation_list_for_company(company=member.company)
    ]


@router.post(
    "company/invitations",
    response={201: InvitationOut},
    summary="Invite someone by email",
    description="An email with the link to accept is sent; valid 14 days. Errors: 400 "
    "`INVALID_EMAIL`, `ROLE_NOT_FOUND`; 409 `ALREADY_MEMBER`, `ALREADY_INVITED`, "
    f"`TOO_MANY_INVITATIONS`; {_MANAGER}.",
)
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status[dict[str, Any]]:
    member = _member(request, MANAGE)
    invitation = services.invitation_create(
        company=member.company,
        email=payload.email,
        role=_role(member, payload.role_id),
        invited_by=member.user,
    )
    return Status(201, invitation_out(invitation))


@router.delete(
    "company/invitations/{invitation_id}",
    response={204: None},
    summary="Revoke an invitation",
    description=f"Errors: 404 `INVITATION_NOT_FOUND`; 409 `INVITATION_NOT_PENDING`; {_MANAGER}.",
)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> Status[None]:
    member = _member(request, MANAGE)
    services.invitation_revoke(
        invitation=selectors.invitation_for_company(
            company=member.company, invitation_id=invitation_id
        )
    )
    return Status(204, None)


@router.post(
    "company/invitations/{token}/accept",
    response={201: MemberOut},
    summary="Accept an invitation",
    description="The caller's account must have the invited email (a new account too). "
    "Errors: 401 `UNAUTHORIZED`; 403 `INVITATION_EMAIL_MISMATCH`; 404 "
    "`INVITATION_NOT_FOUND`; 409 `INVITATION_EXPIRED`, `ALREADY_MEMBER`; 400 "
    "`USER_IS_STAFF`.",
)
def invitation_accept(request: HttpRequest, token: str) -> Status[dict[str, Any]]:
    member = services.invitation_accept(token=token, user=request.auth)  # type: ignore[attr-defined]
    member = selectors.member_for_company(company=member.company, member_id=member.pk)
    return Status(201, member_out(member))


# --- join requests ------------------------------------------------------------------------


@router.post(
    "company/join-requests",
    response={201: JoinRequestOut},
    summary="Ask to join a company",
    description="For a user whose email domain is one of the company's `email_domains`; "
    "its administrators are emailed. Errors: 400 `INVALID_INPUT`, `COMPANY_REQUIRED` "
    "(several companies have the domain: give `company_id`); 403 `EMAIL_DOMAIN_MISMATCH`; "
    "404 `COMPANY_NOT_FOUND`; 409 `ALREADY_MEMBER`, `JOIN_REQUEST_PENDING`; 401.",
)
def join_request_create(request: HttpRequest, payload: JoinRequestIn) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    if payload.company_id is not None:
        company = selectors.company_joinable(company_id=payload.company_id)
    else:
        found = selectors.companies_for_email(email=user.email)
        if not found:
            raise PermissionDenied(
                _("Your email address is not at one of this company's domains."),
                code="EMAIL_DOMAIN_MISMATCH",
            )
        if len(found) > 1:
            message = _("Several companies use your email domain: choose one.")
            raise InvalidInput(message, code="COMPANY_REQUIRED", errors={"company_id": [message]})
        company = found[0]
    join = services.join_request_create(company=company, user=user, message=payload.message)
    return Status(201, join_request_out(join))


@router.get(
    "company/join-requests",
    response=list[JoinRequestOut],
    summary="Pending join requests",
    description=f"Oldest first. Errors: {_MANAGER}.",
)
def join_requests_list(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request, MANAGE)
    return [
        join_request_out(r) for r in selectors.join_request_list_for_company(company=member.company)
    ]


@router.post(
    "company/join-requests/{request_id}/approve",
    response={201: MemberOut},
    summary="Approve a join request",
    description="The user joins with the role given (default: buyer). Errors: 400 "
    "`ROLE_NOT_FOUND`; 404 `JOIN_REQUEST_NOT_FOUND`; 409 `JOIN_REQUEST_DECIDED`, "
    f"`ALREADY_MEMBER`; {_MANAGER}.",
)
def join_request_approve(
    request: HttpRequest, request_id: int, payload: JoinApproveIn
) -> Status[dict[str, Any]]:
    member = _member(request, MANAGE)
    join = selectors.join_request_for_company(company=member.company, request_id=request_id)
    role = _role(member, payload.role_id) if payload.role_id is not None else None
    joined = services.join_request_approve(request=join, role=role, actor=member.user)
    return Status(201, member_out(joined))


@router.post(
    "company/join-requests/{request_id}/reject",
    response=JoinRequestOut,
    summary="Reject a join request",
    description="The user is emailed. Errors: 404 `JOIN_REQUEST_NOT_FOUND`; 409 "
    f"`JOIN_REQUEST_DECIDED`; {_MANAGER}.",
)
def join_request_reject(request: HttpRequest, request_id: int) -> dict[str, Any]:
    member = _member(request, MANAGE)
    join = selectors.join_request_for_company(company=member.company, request_id=request_id)
    return join_request_out(services.join_request_reject(request=join, actor=member.user))


# --- account manager ----------------------------------------------------------------------


@router.post(
    "company/account-manager/messages",
    response={202: AccountManagerMessageOut},
    summary="Write to the account manager",
    description="Emails `message` under `subject` to the company's account manager, "
    "answered to the caller (Reply-To); at most `COMPTOIR_CONTACT_PER_HOUR` (5) a member "
    "and hour. Nothing is stored. Errors: 400 `INVALID_INPUT`, `INVALID_TEXT`; 404 "
    f"`NO_ACCOUNT_MANAGER`; 429 `RATE_LIMITED`; {_MEMBER}.",
)
def account_manager_message(
    request: HttpRequest, payload: AccountManagerMessageIn
) -> Status[dict[str, Any]]:
    member = _member(request)
    manager = account_manager_contact(
        member=member, subject=payload.subject, message=payload.message
    )
    return Status(202, {"sent_to": person_out(manager)})
