"""What a company member may do: the permission list roles are made of.

A role (built-in or custom, per company) is a set of these codes. Other domains ask
`comptoir.companies.selectors.member_can(user, permission)` or call
`member_require(user, permission)` (403 with a stable code when refused); they never read
roles themselves. The built-in roles and what each holds follow Adobe Commerce B2B's
company roles: an admin may do everything, a viewer only reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CompanyPermission(models.TextChoices):
    ORDERS_PLACE = "orders.place", _("Place orders")
    ORDERS_VIEW_ALL = "orders.view_all", _("See every order of the company")
    QUOTES_MANAGE = "quotes.manage", _("Request, negotiate and accept quotes")
    QUOTES_VIEW_ALL = "quotes.view_all", _("See every quote of the company")
    APPROVALS_APPROVE = "approvals.approve", _("Approve or reject orders")
    INVOICES_VIEW = "invoices.view", _("See invoices, payments and statements")
    REQUISITIONS_SHARE = "requisitions.share", _("Manage shared requisition lists")
    COMPANY_MANAGE = "company.manage", _("Manage users, roles, addresses, budgets and rules")


ALL_PERMISSIONS = frozenset(CompanyPermission.values)

# code -> (name, permissions). Created for every company; their permissions are fixed.
BUILTIN_ROLES: dict[str, tuple[StrOrPromise, frozenset[str]]] = {
    "admin": (_("Company administrator"), ALL_PERMISSIONS),
    "buyer": (
        _("Buyer"),
        frozenset({"orders.place", "quotes.manage"}),
    ),
    "approver": (
        _("Approver"),
        frozenset({"orders.place", "orders.view_all", "quotes.view_all", "approvals.approve"}),
    ),
    "finance": (
        _("Finance"),
        frozenset({"orders.view_all", "quotes.view_all", "invoices.view"}),
    ),
    "viewer": (_("Viewer"), frozenset({"orders.view_all", "quotes.view_all"})),
}


def role_label(code: str, name: str) -> str:
    """A role's name for people: a built-in role's in the active language, a custom
    role's own name (built-in roles are stored with their English name)."""
    builtin = BUILTIN_ROLES.get(code) if code else None
    return str(builtin[0]) if builtin is not None else name
