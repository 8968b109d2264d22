"""Emails of companies, rendered in the recipient's language (FR/EN) and sent by the task
`companies.company_email_send` (docs/companies.md):

- "invitation": to the invited address, with the token to accept;
- "join_request": to each member who may manage the company;
- "join_decided": to the user who asked, approved or rejected;

and `contact_email`: a member's message to the company's account manager (Reply-To the
member), sent by the task `companies.contact_email_send`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.companies.models import (
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    JoinRequestStatus,
)
from comptoir.companies.permissions import role_label
from comptoir.companies.selectors import company_admins

KINDS = ("invitation", "join_request", "join_decided")


def _language(value: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return value if value in codes else settings.LANGUAGE_CODE


def invitation_link(token: str) -> str:
    """Where the invited person accepts: settings.COMPTOIR_COMPANY_INVITATION_URL with
    `{site}` and `{token}` (a headless front end points it at its own page)."""
    return str(settings.COMPTOIR_COMPANY_INVITATION_URL).format(site=settings.SITE_URL, token=token)


def _message(
    template: str, subject: str, context: dict[str, Any], to: str
) -> EmailMultiAlternatives:
    body = render_to_string(f"companies/email/{template}.txt", context)
    return EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        None,
        [to],
        headers={
            "Content-Language": translation.get_language() or "",
            "Auto-Submitted": "auto-generated",
        },
    )


def company_emails(*, kind: str, object_id: int) -> list[EmailMultiAlternatives]:
    """The emails `kind` about object `object_id` (an invitation or a join request), each
    in its recipient's language; none when the object is gone or no longer concerned
    (an invitation accepted or revoked meanwhile)."""
    base = {"site_url": settings.SITE_URL}
    if kind == "invitation":
        invitation = (
            CompanyInvitation.objects.select_related("company", "role", "invited_by")
            .filter(pk=object_id, status="pending")
            .first()
        )
        if invitation is None:
            return []
        inviter = invitation.invited_by
        with translation.override(_language(getattr(inviter, "language", None))):
            context = base | {
                "company": invitation.company,
                "role": role_label(invitation.role.code, invitation.role.name),
                "inviter": inviter.get_full_name() if inviter is not None else "",
                "link": invitation_link(invitation.token),
                "token": invitation.token,
                "expires_at": invitation.expires_at,
            }
            subject = _("You are invited to buy for %(company)s") % {
                "company": invitation.company.legal_name
            }
            return [_message("invitation", subject, context, invitation.email)]
    request = (
        CompanyJoinRequest.objects.select_related("company", "user").filter(pk=object_id).first()
    )
    if request is None:
        return []
    context = base | {"company": request.company, "requester": request.user, "request": request}
    if kind == "join_request":
        messages = []
        for admin in company_admins(company_id=request.company_id):
            with translation.override(_language(admin.user.language)):
                subject = _("%(user)s asks to join %(company)s") % {
                    "user": request.user.email,
                    "company": request.company.legal_name,
                }
                messages.append(
                    _message(
                        "join_request", subject, context | {"admin": admin.user}, admin.user.email
                    )
                )
        return messages
    if kind == "join_decided":
        approved = request.status == JoinRequestStatus.APPROVED
        with translation.override(_language(request.user.language)):
            if approved:
                subject = _("You now buy for %(company)s")
            else:
                subject = _("Your request to join %(company)s was declined")
            subject = subject % {"company": request.company.legal_name}
            return [
                _message(
                    "join_decided", subject, context | {"approved": approved}, request.user.email
                )
            ]
    raise ValueError(f"unknown company email: {kind}")


def company_email_send(*, kind: str, object_id: int) -> int:
    """Send the emails `kind` about `object_id`; how many were sent. Raises what the mail
    backend raises (OSError, smtplib errors) for the task to retry. Call it outside any
    transaction."""
    messages = company_emails(kind=kind, object_id=object_id)
    for message in messages:
        message.send(using="default")
    return len(messages)


def contact_email(
    *, member_id: int, manager_id: int, subject: str, message: str
) -> EmailMultiAlternatives | None:
    """A member's message to the account manager, in the manager's language, answered to
    the member (Reply-To); None when the member or the manager is gone meanwhile."""
    member = (
        CompanyMember.objects.select_related("user", "company", "role")
        .filter(pk=member_id, is_active=True)
        .first()
    )
    manager = User.objects.filter(pk=manager_id, is_active=True).first()
    if member is None or manager is None:
        return None
    with translation.override(_language(manager.language)):
        context = {
            "site_url": settings.SITE_URL,
            "company": member.company,
            "member": member.user,
            "role": role_label(member.role.code, member.role.name),
            "job_title": member.job_title,
            "subject": subject,
            "message": message,
        }
        title = _("%(company)s: %(subject)s") % {
            "company": member.company.legal_name,
            "subject": subject,
        }
        email = _message("contact", title, context, manager.email)
    email.reply_to = [member.user.email]
    return email


def contact_email_send(*, member_id: int, manager_id: int, subject: str, message: str) -> int:
    """Send a member's message to the account manager; how many were sent (0 or 1). Raises
    what the mail backend raises for the task to retry. Call it outside any transaction."""
    email = contact_email(
        member_id=member_id, manager_id=manager_id, subject=subject, message=message
    )
    if email is None:
        return 0
    email.send(using="default")
    return 1
