"""Celery tasks of accounts: thin adapters over services, scheduled by services with
`transaction.on_commit`. They take plain values (ids, a normalised email), never model
instances or secrets: the reset token is made when the email is built, so it never sits in
the broker."""

from __future__ import annotations

import logging
from typing import Any

from comptoir.accounts import services
from comptoir.celery import app

logger = logging.getLogger(__name__)


@app.task(
    name="accounts.password_reset_email_send",
    bind=True,
    autoretry_for=(OSError,),  # smtplib.SMTPException and refused connections are OSErrors
    max_retries=3,
    retry_backoff=30,  # about 30 s, 60 s, 120 s (with jitter) between the attempts
    retry_backoff_max=600,
)
def password_reset_email_send(self: Any, email: str) -> bool:
    """Email a password reset link to the account with this email, in its language. True if
    it was sent, False (nothing done) when no active account with a usable password has it:
    every reset request schedules this task, known email or not. A failing mail server is
    logged on every attempt (with the task id, not the email) and retried with exponential
    backoff; the last failure fails the task."""
    try:
        return services.password_reset_email_send(email=email)
    except OSError:
        attempt, attempts = self.request.retries + 1, self.max_retries + 1
        logger.log(
            logging.ERROR if attempt >= attempts else logging.WARNING,
            "password reset email could not be sent (task %s, attempt %d of %d)",
            self.request.id,
            attempt,
            attempts,
            exc_info=True,
        )
        raise
