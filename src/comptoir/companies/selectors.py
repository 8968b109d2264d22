"""Reads of customer groups, companies and their members.

`company_for_user` is the one way other domains learn which company a buyer acts for
(prices, taxes, orders); the other reads serve staff (admin API, back-office)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.accounts.models import User
from comptoir.companies.models import Company, CompanyMember, CustomerGroup
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.memo import cache_version_bump
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
    anonymous or deactivated users, users of no company, members of a deactivated one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Company.objects.select_related("customer_group")
        .filter(members__user_id=user.pk, is_active=True)
        .first()
    )


def member_can(user: Any, permission: str) -> bool:
    """Whether `user` acts for an active company with `permission` (a CompanyPermission
    code). Until company roles land every active member holds every permission."""
    return company_for_user(user) is not None


def member_require(user: Any, permission: str) -> Company:
    """The company `user` acts for when they hold `permission`; NotFound when they act for
    none, PermissionDenied (403 COMPANY_PERMISSION_DENIED) when their role lacks it."""
    company = company_for_user(user)
    if company is None:
        raise NotFound(_("You do not act for a company."), code="NOT_A_COMPANY_MEMBER")
    if not member_can(user, permission):
        raise PermissionDenied(
            _("Your role in the company does not allow this."), code="COMPANY_PERMISSION_DENIED"
        )
    return company


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
    return Company.objects.select_related("customer_group").annotate(member_count=Count("members"))


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
    rows = CompanyMember.objects.filter(company=company).select_related("user").order_by("id")
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
