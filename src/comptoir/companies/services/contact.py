"""A member's message to their company's account manager (docs/b2b-portal.md): checked
here, rate-limited per member, then emailed by the Celery task
`companies.contact_email_send` once the transaction commits (the reply goes to the
member: Reply-To). Nothing is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.companies.models import CompanyMember
from comptoir.companies.selectors import account_manager_of
from comptoir.core.errors import InvalidInput, NotFound, Throttled
from comptoir.core.ratelimit import window_hit
from comptoir.core.validation import text_check

SUBJECT_MAX = 150
MESSAGE_MAX = 5000


def _text(value: object, *, field: str, limit: int, single_line: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        message = _("This field is required.")
    elif len(text) > limit:
        message = _("Enter at most %(n)d characters.") % {"n": limit}
    elif single_line and ("\n" in text or "\r" in text):
        message = _("Write it on one line.")
    else:
        text_check(**{field: text})
        return text
    raise InvalidInput(message, code="INVALID_INPUT", errors={field: [message]})


def account_manager_contact(*, member: CompanyMember, subject: object, message: object) -> User:
    """Send `message` under `subject` from `member` to their company's account manager;
    returns the manager. 404 NO_ACCOUNT_MANAGER when the company has none (or not an
    active staff user), 400 INVALID_INPUT / INVALID_TEXT for an empty or too long subject
    or message, 429 RATE_LIMITED past settings.COMPTOIR_CONTACT_PER_HOUR messages an hour."""
    manager = account_manager_of(company=member.company)
    if manager is None:
        raise NotFound(_("Your company has no account manager."), code="NO_ACCOUNT_MANAGER")
    subject = _text(subject, field="subject", limit=SUBJECT_MAX, single_line=True)
    message = _text(message, field="message", limit=MESSAGE_MAX, single_line=False)
    retry_after = window_hit(
        scope="contact",
        who=f"user:{member.user_id}",
        limit=settings.COMPTOIR_CONTACT_PER_HOUR,
        window=3600,
    )
    if retry_after is not None:
        raise Throttled(
            _("You have sent too many messages. Please try again later."),
            code="RATE_LIMITED",
            retry_after=retry_after,
        )
    from comptoir.companies.tasks import contact_email_send  # acyclic: tasks import services

    member_id, manager_id = member.pk, manager.pk
    transaction.on_commit(
        lambda: contact_email_send.delay(member_id, manager_id, subject, message), robust=True
    )
    return manager
