"""Emails of approvals, in each recipient's language, sent by the task
`approvals.approval_email_send`: "requested" and "reminder" to the approvers of the
current level, "approved" and "rejected" to the buyer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.approvals.models import ApprovalStatus, OrderApproval
from comptoir.approvals.selectors import level_members


def _language(value: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return value if value in codes else settings.LANGUAGE_CODE


def _subject(kind: str, approval: OrderApproval) -> str:
    number = {"n": approval.pk}
    if kind == "requested":
        return _("Order #%(n)s waits for your approval") % number
    if kind == "reminder":
        return _("Reminder: order #%(n)s waits for your approval") % number
    if kind == "approved":
        return _("Your order #%(n)s was approved") % number
    return _("Your order #%(n)s was rejected") % number


def approval_link(approval: OrderApproval) -> str:
    """The page the email leads to, absolute from SITE_URL, in the active language (named
    storefront routes: approvals import nothing of the storefront): the placed order for
    an approved one, else the approval's page (decide, or read why it was rejected)."""
    if approval.order is not None:
        path = reverse("storefront:account_order", args=[approval.order.number])
    else:
        path = reverse("storefront:account_approval", args=[approval.pk])
    return f"{settings.SITE_URL}{path}"


def approval_emails(*, kind: str, approval_id: int) -> list[EmailMultiAlternatives]:
    """The emails `kind` of the approval (none when it moved on meanwhile)."""
    approval = (
        OrderApproval.objects.select_related("buyer", "company", "order")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        return []
    to_approvers = kind in ("requested", "reminder")
    if to_approvers and approval.status != ApprovalStatus.PENDING:
        return []
    if to_approvers:
        recipients = [m.user for m in level_members(approval, approval.current_level)]
    else:
        recipients = [approval.buyer]
    comment = approval.decisions.order_by("-id").values_list("comment", flat=True).first() or ""
    messages = []
    for user in recipients:
        with translation.override(_language(user.language)):
            context: dict[str, Any] = {
                "kind": kind,
                "approval": approval,
                "user": user,
                "buyer": approval.buyer,
                "comment": comment,
                "total_net": approval.total_net,
                "currency": approval.currency,
                "site_url": settings.SITE_URL,
                "url": approval_link(approval),
                "reasons": ", ".join(str(r["name"]) for r in approval.reasons),
            }
            body = render_to_string("approvals/email/approval.txt", context)
            messages.append(
                EmailMultiAlternatives(
                    _subject(kind, approval),
                    body,
                    None,
                    [user.email],
                    headers={"Auto-Submitted": "auto-generated"},
                )
            )
    return messages


def approval_email_send(*, kind: str, approval_id: int) -> int:
    """Send them; how many. Call outside any transaction."""
    messages = approval_emails(kind=kind, approval_id=approval_id)
    for message in messages:
        message.send(using="default")
    return len(messages)
