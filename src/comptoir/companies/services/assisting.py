"""Assisted shopping: a staff member shops on behalf of a company member (Adobe Commerce's
"Login as Customer", Shopify's "place order for customer"). See docs/companies.md.

Who may: the company's account manager, or a staff member holding the Django permission
`companies.shop_on_behalf` (superusers hold every permission); only when the company allows
it (`Company.allow_assisted_shopping`, opt-in); only for an active, non-staff member of that
active company. The storefront switches the browser's session (django-hijack); these
services decide and keep the record (`AssistedSession`, and the company's admin history).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.companies.models import AssistedSession, CompanyMember
from comptoir.core.audit import audit
from comptoir.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

SHOP_ON_BEHALF_PERMISSION = "companies.shop_on_behalf"


def assisted_session_check(*, staff: Any, user: Any) -> CompanyMember:
    """The membership `staff` may shop for (company loaded), or the reason why not, nothing
    changed:

    - 403 ASSISTANCE_NOT_ALLOWED: `staff` is no active staff member, or neither the
      company's account manager nor holder of `companies.shop_on_behalf`;
    - 400 USER_IS_STAFF: `user` is a staff or superuser account (never impersonated);
    - 404 MEMBER_NOT_FOUND: `user` is no active member of an active company;
    - 409 ASSISTED_SHOPPING_DISABLED: the company did not allow assisted shopping.
    """
    if not (getattr(staff, "is_authenticated", False) and staff.is_active and staff.is_staff):
        raise PermissionDenied(
            _("Only staff members shop on behalf of customers."), code="ASSISTANCE_NOT_ALLOWED"
        )
    if user.is_staff or user.is_superuser:
        raise InvalidInput(
            _("%(user)s is a staff account; staff accounts are never shopped for.")
            % {"user": user},
            code="USER_IS_STAFF",
        )
    member = (
        CompanyMember.objects.select_related("company")
        .filter(user_id=user.pk, is_active=True, company__is_active=True, user__is_active=True)
        .first()
    )
    if member is None:
        raise NotFound(
            _("%(user)s is not an active member of an active company.") % {"user": user},
            code="MEMBER_NOT_FOUND",
        )
    company = member.company
    if company.account_manager_id != staff.pk and not staff.has_perm(SHOP_ON_BEHALF_PERMISSION):
        raise PermissionDenied(
            _("Only the account manager of %(company)s may shop on behalf of its members.")
            % {"company": company.legal_name},
            code="ASSISTANCE_NOT_ALLOWED",
        )
    if not company.allow_assisted_shopping:
        raise Conflict(
            _("%(company)s does not allow assisted shopping.") % {"company": company.legal_name},
            code="ASSISTED_SHOPPING_DISABLED",
        )
    return member


@transaction.atomic
def assisted_session_start(*, staff: Any, user: Any, ip_address: str | None) -> AssistedSession:
    """Record that `staff` starts shopping on behalf of `user` (checked by
    `assisted_session_check`, same errors), in `AssistedSession` and in the company's admin
    history. The caller switches the browser session in the same transaction."""
    member = assisted_session_check(staff=staff, user=user)
    session = AssistedSession.objects.create(
        staff=staff, user=user, company=member.company, ip_address=ip_address or None
    )
    audit(
        actor=staff,
        obj=member.company,
        flag=CHANGE,
        message=f"Assisted shopping started for {user} (session {session.pk}).",
    )
    return session


@transaction.atomic
def assisted_session_end(
    *, session_id: int | None, staff: Any, ip_address: str | None
) -> AssistedSession | None:
    """Record the end of the assisted session `session_id` of `staff` (the time and the
    address), and in the company's admin history. Idempotent: a session already ended, of
    another staff member or unknown is left as it is (None)."""
    if session_id is None:
        return None
    # A conditional UPDATE: two stops at once end it once.
    ended = AssistedSession.objects.filter(
        pk=session_id, staff_id=staff.pk, ended_at__isnull=True
    ).update(ended_at=timezone.now(), end_ip_address=ip_address or None)
    if not ended:
        return None
    session = AssistedSession.objects.select_related("company", "user").get(pk=session_id)
    audit(
        actor=staff,
        obj=session.company,
        flag=CHANGE,
        message=f"Assisted shopping ended for {session.user} (session {session.pk}).",
    )
    return session
