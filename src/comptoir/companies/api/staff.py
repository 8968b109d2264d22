"""Staff and integration endpoints of companies under /api/v1/admin/: customer groups,
companies (with their account manager), members with their roles, roles and addresses.

Every handler checks the caller's Django model permission, then calls one service (writes)
or a selector (reads)."""

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
    member_out,
    role_body,
    role_out,
)
from comptoir.companies.models import Company, CustomerGroup
from comptoir.companies.schemas import (
    CompanyAddressIn,
    CompanyAddressOut,
    CompanyAddressPatch,
    CompanyIn,
    CompanyListOut,
    CompanyListQuery,
    CompanyMemberIn,
    CompanyMemberListOut,
    CompanyMemberOut,
    CompanyOut,
    CompanyPatch,
    CustomerGroupIn,
    CustomerGroupListOut,
    CustomerGroupOut,
    CustomerGroupPatch,
    MemberOut,
    MemberPatch,
    RoleIn,
    RoleOut,
    RolePatch,
)
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.staff_api import as_bad_reference, page_request, paginated, patch_changes, staff

admin_router = Router(tags=["admin: companies"], auth=session_or_bearer)

# Shared by the error lists of the endpoints' descriptions.
_AUTH = "401 `UNAUTHORIZED`; 403 `PERMISSION_DENIED` without the staff permission"
_PAGE = "400 `INVALID_PAGINATION`"


# --- customer groups ----------------------------------------------------------------------


def group_out(group: CustomerGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "code": group.code,
        "name": group.name,
        "description": group.description,
        "company_count": getattr(group, "company_count", 0),
    }


@admin_router.get(
    "customer-groups",
    response=CustomerGroupListOut,
    summary="Customer groups",
    description=f"Every customer group, by name. Errors: {_PAGE}; {_AUTH}.",
)
def admin_list_groups(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    staff(request, "companies.view_customergroup")
    page_req = page_request(page, page_size)
    groups, count = selectors.customer_group_list(page=page_req)
    return paginated(request, page_req, count, [group_out(g) for g in groups])


@admin_router.post(
    "customer-groups",
    response={201: CustomerGroupOut},
    summary="Create a customer group",
    description="Errors: 400 `INVALID_INPUT` (code not a slug, name missing or too long), "
    f"`INVALID_TEXT`; 409 `GROUP_CODE_TAKEN`; {_AUTH}.",
)
def admin_create_group(request: HttpRequest, payload: CustomerGroupIn) -> Status[dict[str, Any]]:
    staff(request, "companies.add_customergroup")
    group = services.customer_group_create(**payload.model_dump())
    return Status(201, group_out(selectors.customer_group_get(group_id=group.pk)))


@admin_router.get(
    "customer-groups/{group_id}",
    response=CustomerGroupOut,
    summary="A customer group",
    description=f"Errors: 404 `GROUP_NOT_FOUND`; {_AUTH}.",
)
def admin_get_group(request: HttpRequest, group_id: int) -> dict[str, Any]:
    staff(request, "companies.view_customergroup")
    return group_out(selectors.customer_group_get(group_id=group_id))


@admin_router.patch(
    "customer-groups/{group_id}",
    response=CustomerGroupOut,
    summary="Change a customer group",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_TEXT`; 404 `GROUP_NOT_FOUND`; "
    f"409 `GROUP_CODE_TAKEN`; {_AUTH}.",
)
def admin_update_group(
    request: HttpRequest, group_id: int, payload: CustomerGroupPatch
) -> dict[str, Any]:
    staff(request, "companies.change_customergroup")
    group = selectors.customer_group_get(group_id=group_id)
    services.customer_group_update(group=group, **patch_changes(payload))
    return group_out(selectors.customer_group_get(group_id=group_id))


@admin_router.delete(
    "customer-groups/{group_id}",
    response={204: None},
    summary="Delete a customer group",
    description="Errors: 404 `GROUP_NOT_FOUND`; 409 `GROUP_IN_USE` while companies, price "
    f"lists or promotions use it; {_AUTH}.",
)
def admin_delete_group(request: HttpRequest, group_id: int) -> Status[None]:
    staff(request, "companies.delete_customergroup")
    services.customer_group_delete(group=selectors.customer_group_get(group_id=group_id))
    return Status(204, None)


# --- companies ----------------------------------------------------------------------------


def company_out(company: Company) -> dict[str, Any]:
    return {
        "id": company.pk,
        "legal_name": company.legal_name,
        "country": str(company.country),
        "vat_number": company.vat_number,
        "siren": company.siren,
        "siret": company.siret,
        "customer_group": company.customer_group.code if company.customer_group else None,
        "tax_status": company.tax_status,
        "vies_status": company.vies_status,
        "vies_checked_at": company.vies_checked_at,
        "is_active": company.is_active,
        "po_number_required": company.po_number_required,
        "allow_assisted_shopping": company.allow_assisted_shopping,
        "member_count": getattr(company, "member_count", 0),
        "phone": company.phone,
        "email_domains": company.email_domains,
        "account_manager_id": company.account_manager_id,
        "external_ref": company.external_ref,
        "metadata": company.metadata,
        "created_at": company.created_at,
        "updated_at": company.updated_at,
    }


def _group(code: str | None) -> CustomerGroup | None:
    if code is None:
        return None
    try:
        return selectors.customer_group_by_code(code=code)
    except NotFound as exc:
        raise as_bad_reference(exc, "customer_group") from None


def _manager(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    try:
        return selectors.member_user_find(user_id=user_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "account_manager_id") from None


_COMPANY_ERRORS = (
    "400 `INVALID_INPUT` (legal name missing or too long...), `INVALID_TEXT`, "
    "`INVALID_COUNTRY`, `INVALID_VAT_NUMBER` (format, check digits, or not of the company's "
    "country), `INVALID_SIREN`, `INVALID_SIRET` (French companies only; the SIRET starts "
    "with the SIREN, a French VAT number ends with it), `INVALID_TAX_STATUS`, "
    "`GROUP_NOT_FOUND`, `INVALID_PHONE`, `INVALID_EMAIL_DOMAIN`, `USER_NOT_FOUND` and "
    "`INVALID_ACCOUNT_MANAGER` (not active staff); 409 `EXTERNAL_REF_TAKEN`"
)


@admin_router.get(
    "companies",
    response=CompanyListOut,
    summary="Companies",
    description="Companies by legal name. `search` matches words of the legal name, or the "
    "VAT number, SIREN, SIRET or external reference; `country` is an ISO code; "
    "`customer_group` a group code. Errors: 400 `INVALID_FILTER`, `INVALID_PAGINATION`; "
    f"{_AUTH}.",
)
def admin_list_companies(request: HttpRequest, filters: Query[CompanyListQuery]) -> dict[str, Any]:
    staff(request, "companies.view_company")
    page_req = page_request(filters.page, filters.page_size)
    companies, count = selectors.company_list(
        search=filters.search,
        country=filters.country,
        customer_group=filters.customer_group,
        is_active=filters.is_active,
        page=page_req,
    )
    return paginated(request, page_req, count, [company_out(c) for c in companies])


@admin_router.post(
    "companies",
    response={201: CompanyOut},
    summary="Create a company",
    description="The VAT number, SIREN and SIRET are stored normalised (`FR40303265045`). "
    "With VIES checks on, a VAT number is checked in VIES after the response "
    f"(`vies_status`). Errors: {_COMPANY_ERRORS}; {_AUTH}.",
)
def admin_create_company(request: HttpRequest, payload: CompanyIn) -> Status[dict[str, Any]]:
    staff(request, "companies.add_company")
    data = payload.model_dump()
    data["customer_group"] = _group(payload.customer_group)
    data["account_manager"] = _manager(data.pop("account_manager_id"))
    company = services.company_create(**data)
    return Status(201, company_out(selectors.company_get(company_id=company.pk)))


@admin_router.get(
    "companies/{company_id}",
    response=CompanyOut,
    summary="A company",
    description=f"Errors: 404 `COMPANY_NOT_FOUND`; {_AUTH}.",
)
def admin_get_company(request: HttpRequest, company_id: int) -> dict[str, Any]:
    staff(request, "companies.view_company")
    return company_out(selectors.company_get(company_id=company_id))


@admin_router.patch(
    "companies/{company_id}",
    response=CompanyOut,
    summary="Change a company",
    description="Only the fields sent change; the identifiers are checked as they will be "
    "stored together. A new VAT number makes `vies_status` `unchecked` until VIES answers. "
    f"Errors: {_COMPANY_ERRORS}; 404 `COMPANY_NOT_FOUND`; {_AUTH}.",
)
def admin_update_company(
    request: HttpRequest, company_id: int, payload: CompanyPatch
) -> dict[str, Any]:
    staff(request, "companies.change_company")
    company = selectors.company_get(company_id=company_id)
    data = patch_changes(
        payload, nullable=frozenset({"customer_group", "external_ref", "account_manager_id"})
    )
    if "customer_group" in data:
        data["customer_group"] = _group(data["customer_group"])
    if "account_manager_id" in data:
        data["account_manager"] = _manager(data.pop("account_manager_id"))
    services.company_update(company=company, **data)
    return company_out(selectors.company_get(company_id=company_id))


@admin_router.delete(
    "companies/{company_id}",
    response={204: None},
    summary="Delete a company",
    description="Deletes its memberships (the accounts stay) and contract price lists. "
    f"Errors: 404 `COMPANY_NOT_FOUND`; 409 `COMPANY_IN_USE`; {_AUTH}.",
)
def admin_delete_company(request: HttpRequest, company_id: int) -> Status[None]:
    staff(request, "companies.delete_company")
    services.company_delete(company=selectors.company_get(company_id=company_id))
    return Status(204, None)


# --- members ------------------------------------------------------------------------------


@admin_router.get(
    "companies/{company_id}/members",
    response=CompanyMemberListOut,
    summary="Members of a company",
    description=f"Errors: 404 `COMPANY_NOT_FOUND`; {_PAGE}; {_AUTH}.",
)
def admin_list_members(
    request: HttpRequest,
    company_id: int,
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "companies.view_companymember")
    company = selectors.company_get(company_id=company_id)
    page_req = page_request(page, page_size)
    members, count = selectors.company_member_list(company=company, page=page_req)
    return paginated(request, page_req, count, [member_out(m) for m in members])


@admin_router.post(
    "companies/{company_id}/members",
    response={201: CompanyMemberOut},
    summary="Add a member to a company",
    description="The account is named by `email` or `user_id` (one of them). A user acts "
    "for one company at most; `role_id` defaults to the administrator role for a company "
    "without an active one, to the buyer role otherwise. Errors: 400 `INVALID_INPUT` "
    "(neither or both given), `USER_NOT_FOUND`, `USER_INACTIVE`, `USER_IS_STAFF`, "
    "`ROLE_NOT_FOUND`; 404 `COMPANY_NOT_FOUND`; "
    f"409 `ALREADY_MEMBER`; {_AUTH}.",
)
def admin_add_member(
    request: HttpRequest, company_id: int, payload: CompanyMemberIn
) -> Status[dict[str, Any]]:
    staff(request, "companies.add_companymember")
    company = selectors.company_get(company_id=company_id)
    if (payload.email is None) == (payload.user_id is None):
        message = _("Give either email or user_id.")
        raise InvalidInput(
            message, code="INVALID_INPUT", errors={"email": [message], "user_id": [message]}
        )
    try:
        user = selectors.member_user_find(email=payload.email, user_id=payload.user_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "email" if payload.email is not None else "user_id") from None
    role = None
    if payload.role_id is not None:
        try:
            role = selectors.role_for_company(company=company, role_id=payload.role_id)
        except NotFound as exc:
            raise as_bad_reference(exc, "role_id") from None
    member = services.company_member_add(
        company=company, user=user, role=role, job_title=payload.job_title
    )
    return Status(201, member_out(member))


@admin_router.delete(
    "companies/{company_id}/members/{user_id}",
    response={204: None},
    summary="Remove a member from a company",
    description="The account stays; it no longer acts for the company. Errors: 404 "
    f"`COMPANY_NOT_FOUND`, `MEMBER_NOT_FOUND`; 409 `LAST_ADMIN`; {_AUTH}.",
)
def admin_remove_member(request: HttpRequest, company_id: int, user_id: int) -> Status[None]:
    staff(request, "companies.delete_companymember")
    company = selectors.company_get(company_id=company_id)
    try:
        user = selectors.member_user_find(user_id=user_id)
    except NotFound:
        raise NotFound(
            _("This account is not a member of this company."), code="MEMBER_NOT_FOUND"
        ) from None
    services.company_member_remove(company=company, user=user)
    return Status(204, None)


@admin_router.patch(
    "companies/{company_id}/members/{user_id}",
    response=MemberOut,
    summary="Change a member's role, active flag or job title",
    description="The last active administrator stays one. Errors: 400 `INVALID_INPUT`, "
    f"`ROLE_NOT_FOUND`; 404 `COMPANY_NOT_FOUND`, `MEMBER_NOT_FOUND`; 409 `LAST_ADMIN`; {_AUTH}.",
)
def admin_update_member(
    request: HttpRequest, company_id: int, user_id: int, payload: MemberPatch
) -> dict[str, Any]:
    staff(request, "companies.change_companymember")
    company = selectors.company_get(company_id=company_id)
    member = selectors.member_of_user(company=company, user_id=user_id)
    changes = patch_changes(payload)
    if "role_id" in changes:
        try:
            changes["role"] = selectors.role_for_company(
                company=company, role_id=changes.pop("role_id")
            )
        except NotFound as exc:
            raise as_bad_reference(exc, "role_id") from None
    return member_out(services.company_member_update(member=member, **changes))


# --- roles --------------------------------------------------------------------------------


@admin_router.get(
    "companies/{company_id}/roles",
    response=list[RoleOut],
    summary="Roles of a company",
    description=f"Built-in roles first. Errors: 404 `COMPANY_NOT_FOUND`; {_AUTH}.",
)
def admin_list_roles(request: HttpRequest, company_id: int) -> list[dict[str, Any]]:
    staff(request, "companies.view_companyrole")
    company = selectors.company_get(company_id=company_id)
    return [role_out(r) for r in selectors.company_role_list(company=company)]


@admin_router.post(
    "companies/{company_id}/roles",
    response={201: RoleOut},
    summary="Create a custom role",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_PERMISSION`, `TOO_MANY_ROLES`; 404 "
    f"`COMPANY_NOT_FOUND`; 409 `ROLE_NAME_TAKEN`; {_AUTH}.",
)
def admin_create_role(
    request: HttpRequest, company_id: int, payload: RoleIn
) -> Status[dict[str, Any]]:
    staff(request, "companies.add_companyrole")
    company = selectors.company_get(company_id=company_id)
    role = services.role_create(company=company, **payload.model_dump())
    return Status(201, role_body(company, role.pk))


@admin_router.patch(
    "companies/{company_id}/roles/{role_id}",
    response=RoleOut,
    summary="Change a custom role",
    description="Errors: 400 `INVALID_INPUT`, `INVALID_PERMISSION`; 404 `COMPANY_NOT_FOUND`, "
    f"`ROLE_NOT_FOUND`; 409 `ROLE_BUILTIN`, `ROLE_NAME_TAKEN`; {_AUTH}.",
)
def admin_update_role(
    request: HttpRequest, company_id: int, role_id: int, payload: RolePatch
) -> dict[str, Any]:
    staff(request, "companies.change_companyrole")
    company = selectors.company_get(company_id=company_id)
    role = selectors.role_for_company(company=company, role_id=role_id)
    services.role_update(role=role, **patch_changes(payload))
    return role_body(company, role.pk)


@admin_router.delete(
    "companies/{company_id}/roles/{role_id}",
    response={204: None},
    summary="Delete a custom role",
    description="Errors: 404 `COMPANY_NOT_FOUND`, `ROLE_NOT_FOUND`; 409 `ROLE_BUILTIN`, "
    f"`ROLE_IN_USE`; {_AUTH}.",
)
def admin_delete_role(request: HttpRequest, company_id: int, role_id: int) -> Status[None]:
    staff(request, "companies.delete_companyrole")
    company = selectors.company_get(company_id=company_id)
    services.role_delete(role=selectors.role_for_company(company=company, role_id=role_id))
    return Status(204, None)


# --- addresses ----------------------------------------------------------------------------


@admin_router.get(
    "companies/{company_id}/addresses",
    response=list[CompanyAddressOut],
    summary="Addresses of a company",
    description=f"Errors: 404 `COMPANY_NOT_FOUND`; {_AUTH}.",
)
def admin_list_addresses(request: HttpRequest, company_id: int) -> list[dict[str, Any]]:
    staff(request, "companies.view_companyaddress")
    company = selectors.company_get(company_id=company_id)
    return [address_out(a) for a in selectors.address_list_for_company(company=company)]


@admin_router.post(
    "companies/{company_id}/addresses",
    response={201: CompanyAddressOut},
    summary="Add an address to a company",
    description="Errors: 400 `INVALID_INPUT`, `ADDRESS_INVALID`, `TOO_MANY_ADDRESSES`; 404 "
    f"`COMPANY_NOT_FOUND`; {_AUTH}.",
)
def admin_create_address(
    request: HttpRequest, company_id: int, payload: CompanyAddressIn
) -> Status[dict[str, Any]]:
    staff(request, "companies.add_companyaddress")
    company = selectors.company_get(company_id=company_id)
    return Status(201, address_create_from(company, payload))


@admin_router.patch(
    "companies/{company_id}/addresses/{address_id}",
    response=CompanyAddressOut,
    summary="Change an address of a company",
    description="Errors: 400 `INVALID_INPUT`, `ADDRESS_INVALID`, `DEFAULT_REQUIRED`; 404 "
    f"`COMPANY_NOT_FOUND`, `ADDRESS_NOT_FOUND`; {_AUTH}.",
)
def admin_update_address(
    request: HttpRequest, company_id: int, address_id: int, payload: CompanyAddressPatch
) -> dict[str, Any]:
    staff(request, "companies.change_companyaddress")
    company = selectors.company_get(company_id=company_id)
    address = selectors.address_for_company(company=company, address_id=address_id)
    return address_update_from(address, payload)


@admin_router.delete(
    "companies/{company_id}/addresses/{address_id}",
    response={204: None},
    summary="Delete an address of a company",
    description=f"Errors: 404 `COMPANY_NOT_FOUND`, `ADDRESS_NOT_FOUND`; {_AUTH}.",
)
def admin_delete_address(request: HttpRequest, company_id: int, address_id: int) -> Status[None]:
    staff(request, "companies.delete_companyaddress")
    company = selectors.company_get(company_id=company_id)
    services.company_address_delete(
        address=selectors.address_for_company(company=company, address_id=address_id)
    )
    return Status(204, None)
