"""Roles of a company and its members' roles (docs/companies.md).

Rules kept here, for every caller (buyer API, staff API, Django admin):
- the five built-in roles (permissions.BUILTIN_ROLES) exist in every company and never
  change (ROLE_BUILTIN); custom roles hold a subset of CompanyPermission codes
  (INVALID_PERMISSION) under a name unique in the company (ROLE_NAME_TAKEN);
- a role members hold cannot be deleted (ROLE_IN_USE);
- a company keeps at least one active administrator: the last one cannot be demoted,
  deactivated or removed (409 LAST_ADMIN), checked under a lock on the company row so two
  admins demoting each other at once leave one;
- a member never changes their own role or deactivates themselves (403 OWN_MEMBERSHIP).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.companies.models import Company, CompanyMember, CompanyRole
from comptoir.companies.permissions import ALL_PERMISSIONS, BUILTIN_ROLES
from comptoir.companies.selectors import buyers_changed
from comptoir.core.errors import Conflict, InvalidInput, PermissionDenied
from comptoir.core.validation import UNSET, Unset, text_limit

ADMIN_ROLE = "admin"
MAX_ROLES = 50


def company_roles_ensure(*, company: Company) -> dict[str, CompanyRole]:
    """The company's built-in roles by code, made when missing (by `company_create`, the
    data migration and the demo). Idempotent."""
    roles = {
        role.code: role for role in CompanyRole.objects.filter(company=company).exclude(code="")
    }
    for code, (name, permissions) in BUILTIN_ROLES.items():
        if code not in roles:
            # Stored in English; shown in the reader's language (the API's role_name).
            with translation.override("en"):
                stored = str(name)
            roles[code] = CompanyRole.objects.create(
                company=company, code=code, name=stored, permissions=sorted(permissions)
            )
    return roles


def role_builtin(*, company: Company, code: str) -> CompanyRole:
    """The built-in role `code` of the company (made if missing)."""
    return company_roles_ensure(company=company)[code]


def _permissions_clean(permissions: Iterable[object]) -> list[str]:
    values = list(permissions)
    unknown = sorted({str(p)[:50] for p in values if p not in ALL_PERMISSIONS})
    if unknown:
        message = _("Unknown permissions: %(codes)s. Use: %(known)s.") % {
            "codes": ", ".join(unknown[:10]),
            "known": ", ".join(sorted(ALL_PERMISSIONS)),
        }
        raise InvalidInput(message, code="INVALID_PERMISSION", errors={"permissions": [message]})
    return sorted({str(p) for p in values})


def _name_taken() -> Conflict:
    message = _("This company already has a role with this name.")
    return Conflict(message, code="ROLE_NAME_TAKEN", errors={"name": [message]})


def _builtin(role: CompanyRole) -> Conflict:
    return Conflict(
        _("Built-in roles cannot be changed or deleted."),
        code="ROLE_BUILTIN",
        errors={"role": [role.name]},
    )


@transaction.atomic
def role_create(*, company: Company, name: str, permissions: Iterable[object]) -> CompanyRole:
    """A custom role: a name (1-100 characters, unique in the company: 409 ROLE_NAME_TAKEN)
    and a subset of CompanyPermission codes (400 INVALID_PERMISSION). A company has at
    most MAX_ROLES roles (400 TOO_MANY_ROLES)."""
    name = text_limit(name, field="name", limit=100, required=True)
    codes = _permissions_clean(permissions)
    if CompanyRole.objects.filter(company=company).count() >= MAX_ROLES:
        message = _("A company has at most %(n)d roles.") % {"n": MAX_ROLES}
        raise InvalidInput(message, code="TOO_MANY_ROLES", errors={"name": [message]})
    if CompanyRole.objects.filter(company=company, name__iexact=name).exists():
        raise _name_taken()
    try:
        with transaction.atomic():
            return CompanyRole.objects.create(company=company, name=name, permissions=codes)
    except IntegrityError:
        raise _name_taken() from None


@transaction.atomic
def role_update(
    *,
    role: CompanyRole,
    name: str | Unset = UNSET,
    permissions: Iterable[object] | Unset = UNSET,
) -> CompanyRole:
    """Change a custom role (409 ROLE_BUILTIN for a built-in one); same rules as
    `role_create`. Its members hold the new permissions at once."""
    if role.is_builtin:
        raise _builtin(role)
    fields = []
    if not isinstance(name, Unset):
        name = text_limit(name, field="name", limit=100, required=True)
        others = CompanyRole.objects.filter(company_id=role.company_id, name__iexact=name)
        if others.exclude(pk=role.pk).exists():
            raise _name_taken()
        role.name = name
        fields.append("name")
    if not isinstance(permissions, Unset):
        role.permissions = _permissions_clean(permissions)
        fields.append("permissions")
    if fields:
        try:
            with transaction.atomic():
                role.save(update_fields=fields)
        except IntegrityError:
            raise _name_taken() from None
    return role


@transaction.atomic
def role_delete(*, role: CompanyRole) -> None:
    """Delete a custom role no member holds (409 ROLE_BUILTIN, ROLE_IN_USE). Its pending
    invitations go with it."""
    if role.is_builtin:
        raise _builtin(role)
    if CompanyMember.objects.filter(role=role).exists():
        raise Conflict(
            _("Members hold this role: give them another one first."),
            code="ROLE_IN_USE",
            errors={"role": [role.name]},
        )
    role.delete()


# --- members' roles -----------------------------------------------------------------------


def _lock_company(company_id: int) -> None:
    """Serialise the changes of a company's administrators (the last-admin rule)."""
    Company.objects.select_for_update().filter(pk=company_id).values_list("pk").first()


def _is_admin(member: CompanyMember) -> bool:
    return member.is_active and member.role.code == ADMIN_ROLE


def _other_admins(member: CompanyMember) -> bool:
    return (
        CompanyMember.objects.filter(
            company_id=member.company_id, is_active=True, role__code=ADMIN_ROLE
        )
        .exclude(pk=member.pk)
        .exists()
    )


def _last_admin() -> Conflict:
    return Conflict(
        _("A company keeps at least one active administrator."),
        code="LAST_ADMIN",
        errors={"role": [_("Make another member administrator first.")]},
    )


def _own(actor: User | None, member: CompanyMember, field: str) -> None:
    if actor is not None and actor.pk == member.user_id:
        message = _("You cannot change your own role or deactivate yourself.")
        raise PermissionDenied(message, code="OWN_MEMBERSHIP", errors={field: [message]})


@buyers_changed
@transaction.atomic
def company_member_update(
    *,
    member: CompanyMember,
    actor: User | None = None,
    role: CompanyRole | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    job_title: str | Unset = UNSET,
) -> CompanyMember:
    """Change a member's role, active flag or job title. `actor` is the company member
    asking (None: staff): a member never changes their own role or active flag (403
    OWN_MEMBERSHIP). The role must be one of the company's (400 ROLE_NOT_FOUND); the last
    active administrator stays one (409 LAST_ADMIN)."""
    if not isinstance(role, Unset):
        if role.company_id != member.company_id:
            message = _("Unknown role.")
            raise InvalidInput(message, code="ROLE_NOT_FOUND", errors={"role": [message]})
        if role.pk != member.role_id:
            _own(actor, member, "role")
    if not isinstance(is_active, Unset) and is_active != member.is_active:
        _own(actor, member, "is_active")
    if not isinstance(job_title, Unset):
        job_title = text_limit(job_title, field="job_title", limit=100)
    _lock_company(member.company_id)
    member = CompanyMember.objects.select_related("role", "user").get(pk=member.pk)
    was_admin = _is_admin(member)
    if not isinstance(role, Unset):
        member.role = role
    if not isinstance(is_active, Unset):
        member.is_active = is_active
    if not isinstance(job_title, Unset):
        member.job_title = job_title
    if was_admin and not _is_admin(member) and not _other_admins(member):
        raise _last_admin()
    member.save(update_fields=["role", "is_active", "job_title"])
    return member


@buyers_changed
@transaction.atomic
def company_member_delete(*, member: CompanyMember, actor: User | None = None) -> None:
    """Remove a member from the company (the account stays). A member does not remove
    themselves this way (403 OWN_MEMBERSHIP); the last active administrator stays (409
    LAST_ADMIN)."""
    _own(actor, member, "member")
    _lock_company(member.company_id)
    member = CompanyMember.objects.select_related("role").get(pk=member.pk)
    if _is_admin(member) and not _other_admins(member):
        raise _last_admin()
    member.delete()
