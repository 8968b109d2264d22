"""Celery tasks of accounts: thin adapters over services, scheduled by services with
`transaction.on_commit`. They take ids, never model instances or secrets: the reset token is
made when the email is built, so it never sits in the broker."""

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
def password_reset_email_send(self: Any, user_id: int) -> bool:
    """Email a password reset link to the user, in their language. True if it was sent,
    False if the account is no longer eligible. A failing mail server is logged on every
    attempt and retried with exponential backoff; the last failure fails the task."""
    try:
        return services.password_reset_email_send(user_id=user_id)
    except OSError:
        attempt, attempts = self.request.retries + 1, self.max_retries + 1
        logger.log(
            logging.ERROR if attempt >= attempts else logging.WARNING,
            "password reset email to user %s could not be sent (attempt %d of %d)",
            user_id,
            attempt,
            attempts,
            exc_info=True,
        )
        raise
