"""How people come to act for a company (docs/companies.md): invitations by email, sent by
a company administrator, accepted by the account with that email; and join requests from
users whose email domain is one of the company's, decided by an administrator.

Emails go out through the Celery task `companies.company_email_send`, scheduled on commit
(never while a lock is held, never on the request's path when a worker runs)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.accounts.services import email_normalize
from comptoir.companies.models import (
    Company,
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    CompanyRole,
    InvitationStatus,
    JoinRequestStatus,
)
from comptoir.companies.services.companies import company_member_add, company_member_check
from comptoir.companies.services.roles import role_builtin
from comptoir.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from comptoir.core.ids import new_token
from comptoir.core.text import text_storable
from comptoir.core.validation import text_limit

INVITATION_DAYS = 14
MAX_PENDING_INVITATIONS = 100


def email_schedule(kind: str, object_id: int) -> None:
    """Have the email `kind` about object `object_id` sent once the transaction commits."""
    # Services schedule tasks; tasks are thin adapters calling back into services. The
    # import is local to keep the module import graph acyclic.
    from comptoir.companies.tasks import company_email_send

    transaction.on_commit(lambda: company_email_send.delay(kind, object_id), robust=True)


def _email_clean(email: object) -> str:
    message = _("Enter a valid email address.")
    invalid = InvalidInput(message, code="INVALID_EMAIL", errors={"email": [message]})
    if not isinstance(email, str) or len(email) > 254 or not text_storable(email):
        raise invalid
    email = email_normalize(email)
    try:
        validate_email(email)
    except ValidationError:
        raise invalid from None
    return email


def _role_of(company: Company, role: CompanyRole) -> CompanyRole:
    if role.company_id != company.pk:
        message = _("Unknown role.")
        raise InvalidInput(message, code="ROLE_NOT_FOUND", errors={"role": [message]})
    return role


# --- invitations --------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, company: Company, email: str, role: CompanyRole, invited_by: User | None
) -> CompanyInvitation:
    """Invite `email` to act for `company` with `role` (one of its roles: 400
    ROLE_NOT_FOUND). Refused when an account with this email already acts for a company
    (409 ALREADY_MEMBER) or a pending invitation of this company has it (409
    ALREADY_INVITED). Valid for INVITATION_DAYS days; the email is sent after the commit."""
    email = _email_clean(email)
    role = _role_of(company, role)
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").first()
    now = timezone.now()
    member = (
        CompanyMember.objects.filter(user__email__iexact=email).select_related("company").first()
    )
    if member is not None:
        message = _("%(email)s already acts for a company.") % {"email": email}
        raise Conflict(message, code="ALREADY_MEMBER", errors={"email": [message]})
    pending = CompanyInvitation.objects.filter(
        company=company, status=InvitationStatus.PENDING, expires_at__gt=now
    )
    if pending.filter(email__iexact=email).exists():
        message = _("%(email)s is already invited.") % {"email": email}
        raise Conflict(message, code="ALREADY_INVITED", errors={"email": [message]})
    if pending.count() >= MAX_PENDING_INVITATIONS:
        message = _("Too many pending invitations: revoke some first.")
        raise Conflict(message, code="TOO_MANY_INVITATIONS", errors={"email": [message]})
    invitation = CompanyInvitation.objects.create(
        company=company,
        email=email,
        role=role,
        token=new_token(),
        invited_by=invited_by,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    email_schedule("invitation", invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: CompanyInvitation) -> CompanyInvitation:
    """Revoke a pending invitation (409 INVITATION_NOT_PENDING once accepted or revoked)."""
    updated = CompanyInvitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.REVOKED)
    if not updated:
        raise Conflict(_("This invitation is no longer pending."), code="INVITATION_NOT_PENDING")
    invitation.status = InvitationStatus.REVOKED
    return invitation


def _invitation_not_found() -> NotFound:
    return NotFound(_("Unknown invitation."), code="INVITATION_NOT_FOUND")


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> CompanyMember:
    """The signed-in `user` accepts the invitation of `token`: they act for its company
    with its role. 404 INVITATION_NOT_FOUND (unknown, revoked or already accepted token),
    409 INVITATION_EXPIRED, 403 INVITATION_EMAIL_MISMATCH (the account's email is not the
    invited one), 409 ALREADY_MEMBER (the user acts for a company). A just-registered
    account accepts the same way."""
    if not isinstance(token, str) or not 0 < len(token) <= 64 or not text_storable(token):
        raise _invitation_not_found()
    invitation = (
        CompanyInvitation.objects.select_for_update()
        .filter(token=token, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        raise _invitation_not_found()
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation has expired."), code="INVITATION_EXPIRED")
    if email_normalize(user.email).lower() != invitation.email.lower():
        raise PermissionDenied(
            _("This invitation is for another email address."),
            code="INVITATION_EMAIL_MISMATCH",
        )
    company = Company.objects.get(pk=invitation.company_id)
    member = company_member_add(company=company, user=user, role=invitation.role)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    return member


# --- join requests ------------------------------------------------------------------------


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


@transaction.atomic
def join_request_create(*, company: Company, user: User, message: str = "") -> CompanyJoinRequest:
    """`user` asks to act for `company`: their email's domain must be one of the company's
    `email_domains` (403 EMAIL_DOMAIN_MISMATCH; an inactive company: 404
    COMPANY_NOT_FOUND); they act for no company yet (409 ALREADY_MEMBER) and have no
    pending request to it (409 JOIN_REQUEST_PENDING). The company's administrators are
    emailed after the commit."""
    message = text_limit(message, field="message", limit=500)
    if not company.is_active:
        raise NotFound(_("Unknown company."), code="COMPANY_NOT_FOUND")
    if email_domain(user.email) not in company.email_domains:
        raise PermissionDenied(
            _("Your email address is not at one of this company's domains."),
            code="EMAIL_DOMAIN_MISMATCH",
        )
    company_member_check(company=company, user=user)
    pending = CompanyJoinRequest.objects.filter(
        company=company, user=user, status=JoinRequestStatus.PENDING
    )
    conflict = Conflict(_("You already asked to join this company."), code="JOIN_REQUEST_PENDING")
    if pending.exists():
        raise conflict
    try:
        with transaction.atomic():
            request = CompanyJoinRequest.objects.create(company=company, user=user, message=message)
    except IntegrityError:
        raise conflict from None
    email_schedule("join_request", request.pk)
    return request


def _decide(request: CompanyJoinRequest, status: str, actor: User | None) -> CompanyJoinRequest:
    locked = CompanyJoinRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != JoinRequestStatus.PENDING:
        raise Conflict(_("This request was already decided."), code="JOIN_REQUEST_DECIDED")
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    email_schedule("join_decided", locked.pk)
    return locked


@transaction.atomic
def join_request_approve(
    *, request: CompanyJoinRequest, role: CompanyRole | None, actor: User | None
) -> CompanyMember:
    """Approve a pending request (409 JOIN_REQUEST_DECIDED otherwise): the user acts for
    the company with `role` (default: buyer; one of the company's roles, 400
    ROLE_NOT_FOUND). 409 ALREADY_MEMBER when they joined a company meanwhile."""
    company = Company.objects.get(pk=request.company_id)
    role = (
        _role_of(company, role) if role is not None else role_builtin(company=company, code="buyer")
    )
    decided = _decide(request, JoinRequestStatus.APPROVED, actor)
    return company_member_add(company=company, user=decided.user, role=role)


@transaction.atomic
def join_request_reject(*, request: CompanyJoinRequest, actor: User | None) -> CompanyJoinRequest:
    """Reject a pending request (409 JOIN_REQUEST_DECIDED otherwise); the user is told."""
    return _decide(request, JoinRequestStatus.REJECTED, actor)
