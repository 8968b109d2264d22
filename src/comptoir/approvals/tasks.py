"""Celery tasks of approvals: thin adapters over services, taking ids."""

from __future__ import annotations

from typing import Any

from comptoir.approvals import emails, services
from comptoir.celery import app


@app.task(
    name="approvals.approval_email_send",
    bind=True,
    autoretry_for=(OSError,),  # smtplib.SMTPException and refused connections are OSErrors
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=600,
)
def approval_email_send(self: Any, kind: str, approval_id: int) -> int:
    """Send the approval email `kind`; how many were sent."""
    return emails.approval_email_send(kind=kind, approval_id=approval_id)


@app.task(name="approvals.approval_reminders_send")
def approval_reminders_send() -> int:
    """Remind the approvers of approvals pending for COMPTOIR_APPROVAL_REMINDER_DAYS days
    (scheduled hourly by Celery beat; idempotent)."""
    return services.approval_reminders_send()
