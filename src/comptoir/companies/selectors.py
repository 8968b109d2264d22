"""Reads of customer groups, companies and their members.

`company_for_user` is the one way other domains learn which company a buyer acts for
(prices, taxes, orders); the other reads serve staff (admin API, back-office)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, Model, Q, QuerySet, When
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.accounts.models import User
from comptoir.companies.models import (
    Company,
    CompanyAddress,
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    CompanyRole,
    CustomerGroup,
    InvitationStatus,
    JoinRequestStatus,
)
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable

# Bumped when who buys for which company, or on which terms, changes: companies, members,
# customer groups here, price lists in pricing. The price engine keeps each buyer's
# company and lists in the process under this version (see pricing.selectors.context).
BUYERS_VERSION_KEY = "companies:buyers:version"


def buyers_version_bump() -> int:
    """Make every process's copy of buyers' companies and price lists stale. Services call
    it through `transaction.on_commit(buyers_version_bump, robust=True)`."""
    return cache_version_bump(BUYERS_VERSION_KEY)


def buyers_changed[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Decorates a write service: once it succeeded and its transaction commits, buyers'
    copies are stale (`buyers_version_bump`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        result = func(*args, **kwargs)
        transaction.on_commit(buyers_version_bump, robust=True)
        return result

    return wrapper


MAX_ID = 2**63 - 1
MAX_SEARCH_LENGTH = 100


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _page[M: Model](queryset: QuerySet[M], page: PageRequest | None) -> tuple[list[M], int]:
    if page is None:
        rows = list(queryset)
        return rows, len(rows)
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


def _invalid_filter(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_FILTER", errors={field: [message]})


# --- buyers -------------------------------------------------------------------------------


def company_for_user(user: Any) -> Company | None:
    """The active company an active user acts for (its customer group loaded), or None:
    anonymous or deactivated users, users of no company or deactivated as its member,
    members of a deactivated company."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Company.objects.select_related("customer_group")
        .filter(members__user_id=user.pk, members__is_active=True, is_active=True)
        .first()
    )


def membership_for_user(user: Any) -> CompanyMember | None:
    """The active membership of an active user in an active company, with its company and
    role (one query), or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        CompanyMember.objects.select_related("company__customer_group", "role")
        .filter(user_id=user.pk, is_active=True, company__is_active=True)
        .first()
    )


def member_company(user: Any) -> Company:
    """The company `user` acts for, whatever their role; NotFound (404
    NOT_A_COMPANY_MEMBER) when they act for none."""
    return member_require_membership(user).company


def member_can(user: Any, permission: str) -> bool:
    """Whether `user` acts for an active company with `permission` (a CompanyPermission
    code) in their role. One query."""
    member = membership_for_user(user)
    return member is not None and permission in member.role.permissions


def member_permissions(user: Any) -> frozenset[str]:
    """The permission codes `user` holds in the company they act for (empty for a user of
    no company): `member_can` for several permissions at once. One query."""
    member = membership_for_user(user)
    return frozenset(member.role.permissions) if member is not None else frozenset()


def member_require(user: Any, permission: str) -> Company:
    """The company `user` acts for when they hold `permission`; NotFound when they act for
    none, PermissionDenied (403 COMPANY_PERMISSION_DENIED) when their role lacks it."""
    return member_require_membership(user, permission).company


def member_require_membership(user: Any, permission: str | None = None) -> CompanyMember:
    """`member_require`, returning the membership (company and role loaded); without
    `permission`, any active member."""
    member = membership_for_user(user)
    if member is None:
        raise NotFound(_("You do not act for a company."), code="NOT_A_COMPANY_MEMBER")
    if permission is not None and permission not in member.role.permissions:
        raise PermissionDenied(
            _("Your role in the company does not allow this."), code="COMPANY_PERMISSION_DENIED"
        )
    return member


def account_manager_of(*, company: Company) -> User | None:
    """The company's account manager when they are an active staff user (one query; none
    without a manager), else None."""
    if company.account_manager_id is None:
        return None
    return User.objects.filter(pk=company.account_manager_id, is_active=True, is_staff=True).first()


def company_admins(*, company_id: int) -> list[CompanyMember]:
    """The company's active members whose role may manage it (they are told about join
    requests), with their users."""
    members = (
        CompanyMember.objects.filter(company_id=company_id, is_active=True)
        .select_related("user", "role")
        .order_by("id")
    )
    return [
        m
        for m in members
        if CompanyPermission.COMPANY_MANAGE in m.role.permissions and m.user.is_active
    ]


# --- what a member reads of their company -------------------------------------------------


def _scoped[M: Model](queryset: QuerySet[M], object_id: object, code: str, message: str) -> M:
    valid = isinstance(object_id, int) and not isinstance(object_id, bool) and _valid_id(object_id)
    found = queryset.filter(pk=object_id).first() if valid else None
    if found is None:
        raise NotFound(message, code=code)
    return found


def company_role_list(*, company: Company) -> list[CompanyRole]:
    """The company's roles, built-in first, each with `member_count`."""
    return list(
        CompanyRole.objects.filter(company=company)
        .annotate(member_count=Count("members"))
        .order_by(Case(When(code="", then=1), default=0), "id")
    )


def role_for_company(*, company: Company, role_id: object) -> CompanyRole:
    """One of the company's roles; 404 ROLE_NOT_FOUND for another company's."""
    return _scoped(
        CompanyRole.objects.filter(company=company), role_id, "ROLE_NOT_FOUND", _("Unknown role.")
    )


def member_for_company(*, company: Company, member_id: object) -> CompanyMember:
    """One of the company's members (user and role loaded); 404 MEMBER_NOT_FOUND for
    another company's."""
    return _scoped(
        CompanyMember.objects.filter(company=company).select_related("user", "role"),
        member_id,
        "MEMBER_NOT_FOUND",
        _("Unknown member."),
    )


def member_of_user(*, company: Company, user_id: int) -> CompanyMember:
    """The membership of user `user_id` in the company; 404 MEMBER_NOT_FOUND."""
    valid = _valid_id(user_id)
    member = (
        CompanyMember.objects.filter(company=company, user_id=user_id)
        .select_related("user", "role")
        .first()
        if valid
        else None
    )
    if member is None:
        raise NotFound(_("This account is not a member of this company."), code="MEMBER_NOT_FOUND")
    return member


def address_list_for_company(*, company: Company) -> list[CompanyAddress]:
    return list(CompanyAddress.objects.filter(company=company).order_by("kind", "id"))


def address_for_company(*, company: Company, address_id: object) -> CompanyAddress:
    """One of the company's addresses; 404 ADDRESS_NOT_FOUND for another company's."""
    return _scoped(
        CompanyAddress.objects.filter(company=company),
        address_id,
        "ADDRESS_NOT_FOUND",
        _("Address not found."),
    )


def invitation_list_for_company(*, company: Company) -> list[CompanyInvitation]:
    """The company's pending invitations (expired ones included, marked by their date),
    newest first, with their roles."""
    return list(
        CompanyInvitation.objects.filter(company=company, status=InvitationStatus.PENDING)
        .select_related("role")
        .order_by("-id")
    )


def invitation_for_company(*, company: Company, invitation_id: object) -> CompanyInvitation:
    return _scoped(
        CompanyInvitation.objects.filter(company=company).select_related("role"),
        invitation_id,
        "INVITATION_NOT_FOUND",
        _("Unknown invitation."),
    )


def invitation_pending_by_token(*, token: object) -> CompanyInvitation:
    """The pending invitation of `token` (company and role loaded), expired or not, for
    the page where the invited person accepts it; 404 INVITATION_NOT_FOUND for an unknown,
    revoked or already accepted token (as `services.invitation_accept`)."""
    valid = isinstance(token, str) and 0 < len(token) <= 64 and text_storable(token)
    found = (
        CompanyInvitation.objects.filter(token=token, status=InvitationStatus.PENDING)
        .select_related("company", "role")
        .first()
        if valid
        else None
    )
    if found is None:
        raise NotFound(_("Unknown invitation."), code="INVITATION_NOT_FOUND")
    return found


def join_requests_pending_for_user(*, user: User) -> list[CompanyJoinRequest]:
    """The user's own pending join requests, with their companies."""
    return list(
        CompanyJoinRequest.objects.filter(user_id=user.pk, status=JoinRequestStatus.PENDING)
        .select_related("company")
        .order_by("id")
    )


def join_request_list_for_company(*, company: Company) -> list[CompanyJoinRequest]:
    """The company's pending join requests, oldest first, with their users."""
    return list(
        CompanyJoinRequest.objects.filter(company=company, status=JoinRequestStatus.PENDING)
        .select_related("user", "company")
        .order_by("id")
    )


def join_request_for_company(*, company: Company, request_id: object) -> CompanyJoinRequest:
    return _scoped(
        CompanyJoinRequest.objects.filter(company=company).select_related("user", "company"),
        request_id,
        "JOIN_REQUEST_NOT_FOUND",
        _("Unknown join request."),
    )


def companies_for_email(*, email: str) -> list[Company]:
    """The active companies whose email domains hold the domain of `email`."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if not domain or not text_storable(domain) or '"' in domain or "\\" in domain:
        return []
    rows = Company.objects.filter(is_active=True, email_domains__icontains=f'"{domain}"')
    return [c for c in rows.order_by("legal_name", "id") if domain in c.email_domains]


def _load_email_domains() -> frozenset[str]:
    domains: set[str] = set()
    for row in Company.objects.filter(is_active=True).values_list("email_domains", flat=True):
        domains.update(d for d in row or () if isinstance(d, str))
    return frozenset(domains)


# Every account page asks whether its user of no company may ask to join one (the menu's
# "Join your company"): the active companies' email domains are kept in the process under
# the buyers' version (company changes bump it), at most 5 minutes.
_email_domains: VersionedMemo[frozenset[str]] = VersionedMemo(
    version=lambda: cache_version(BUYERS_VERSION_KEY),
    load=_load_email_domains,
    check_seconds=lambda: 1.0,
    max_age_seconds=lambda: 300.0,
)


def email_domain_joinable(*, email: str) -> bool:
    """Whether an active company lists the domain of `email` (no query while the process's
    copy is current; `companies_for_email` reads the companies themselves)."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return bool(domain) and domain in _email_domains.get()


def company_joinable(*, company_id: object) -> Company:
    """An active company a user may ask to join; 404 COMPANY_NOT_FOUND otherwise."""
    return _scoped(
        Company.objects.filter(is_active=True),
        company_id,
        "COMPANY_NOT_FOUND",
        _("Unknown company."),
    )


def po_number_required(*, company_id: int | None) -> bool:
    """Whether the company requires a purchase order number on its orders."""
    if company_id is None:
        return False
    return Company.objects.filter(pk=company_id, po_number_required=True).exists()


# --- customer groups ----------------------------------------------------------------------


def _groups() -> QuerySet[CustomerGroup]:
    return CustomerGroup.objects.annotate(company_count=Count("companies"))


def customer_group_list(*, page: PageRequest | None = None) -> tuple[list[CustomerGroup], int]:
    """Every group, by name, each with `company_count`; and how many there are."""
    return _page(_groups().order_by("name", "id"), page)


def customer_group_get(*, group_id: int) -> CustomerGroup:
    """NotFound GROUP_NOT_FOUND."""
    group = _groups().filter(pk=group_id).first() if _valid_id(group_id) else None
    if group is None:
        raise NotFound(
            _("Unknown customer group: %(id)s") % {"id": group_id}, code="GROUP_NOT_FOUND"
        )
    return group


def customer_group_by_code(*, code: str) -> CustomerGroup:
    """NotFound GROUP_NOT_FOUND."""
    valid = bool(code) and len(code) <= 50 and text_storable(code)
    group = CustomerGroup.objects.filter(code=code).first() if valid else None
    if group is None:
        raise NotFound(
            _("Unknown customer group: %(code)s") % {"code": code[:50]}, code="GROUP_NOT_FOUND"
        )
    return group


# --- companies ----------------------------------------------------------------------------


def _companies() -> QuerySet[Company]:
    return Company.objects.select_related("customer_group", "account_manager").annotate(
        member_count=Count("members")
    )


def company_list(
    *,
    search: str | None = None,
    country: str | None = None,
    customer_group: str | None = None,
    is_active: bool | None = None,
    page: PageRequest | None = None,
) -> tuple[list[Company], int]:
    """Companies by legal name, each with its group and `member_count`; and how many
    match. `search` matches words of the legal name, or the VAT number, SIREN, SIRET or
    external reference; `country` an ISO code; `customer_group` a group code.
    InvalidInput INVALID_FILTER for a filter that cannot match anything sensible."""
    rows = _companies()
    if search is not None and search.strip():
        if "\x00" in search or len(search) > MAX_SEARCH_LENGTH:
            raise _invalid_filter(
                "search",
                _("Search must be text of at most %(n)d characters.") % {"n": MAX_SEARCH_LENGTH},
            )
        for term in search.split():
            compact = "".join(ch for ch in term if ch.isalnum()).upper()
            condition = Q(legal_name__icontains=term) | Q(external_ref=term)
            if compact:
                condition |= (
                    Q(vat_number__contains=compact)
                    | Q(siren__startswith=compact)
                    | Q(siret__startswith=compact)
                )
            rows = rows.filter(condition)
    if country:
        code = country.strip().upper()
        if code not in countries:
            raise _invalid_filter("country", _("Use an ISO 3166 country code such as FR."))
        rows = rows.filter(country=code)
    if customer_group:
        # A code no column can hold (a NUL character...) matches nothing, as an unknown one.
        valid = text_storable(customer_group)
        rows = rows.filter(customer_group__code=customer_group) if valid else rows.none()
    if is_active is not None:
        rows = rows.filter(is_active=is_active)
    return _page(rows.order_by("legal_name", "id"), page)


def company_get(*, company_id: int) -> Company:
    """Any company (active or not) with its group and `member_count`; NotFound
    COMPANY_NOT_FOUND."""
    company = _companies().filter(pk=company_id).first() if _valid_id(company_id) else None
    if company is None:
        raise NotFound(_("Unknown company: %(id)s") % {"id": company_id}, code="COMPANY_NOT_FOUND")
    return company


def company_member_list(
    *, company: Company, page: PageRequest | None = None
) -> tuple[list[CompanyMember], int]:
    """The company's members with their users, oldest first."""
    rows = (
        CompanyMember.objects.filter(company=company).select_related("user", "role").order_by("id")
    )
    return _page(rows, page)


def member_user_find(*, email: str | None = None, user_id: int | None = None) -> User:
    """The account to add to a company, by id or by email (case-insensitive); NotFound
    USER_NOT_FOUND."""
    user: User | None = None
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first() if _valid_id(user_id) else None
    elif email is not None:
        email = email.strip()
        valid = bool(email) and len(email) <= 254 and text_storable(email)
        user = User.objects.filter(email__iexact=email).first() if valid else None
    if user is None:
        key = user_id if user_id is not None else (email or "")[:254]
        raise NotFound(_("Unknown user: %(key)s") % {"key": key}, code="USER_NOT_FOUND")
    return user
