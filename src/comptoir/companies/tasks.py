"""Celery tasks of companies: thin adapters over services, scheduled by services with
`transaction.on_commit`. They take ids, never model instances."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from comptoir.celery import app
from comptoir.companies import emails, selectors, services
from comptoir.core.errors import NotFound
from comptoir.taxes.vat import vies_check

logger = logging.getLogger(__name__)

VIES_RETRY_DELAY = 300  # seconds before the first new attempt; doubled for each next one


@app.task(name="companies.company_vies_check", bind=True, max_retries=3)
def company_vies_check(self: Any, company_id: int) -> str | None:
    """Ask VIES about the company's VAT number and record the answer (`vies_status`,
    `vies_checked_at`). Returns the status recorded, or None when there was nothing to
    check (company deleted, number removed) or the number changed meanwhile.

    VIES is called outside any transaction or lock. When it is unavailable the status
    "unavailable" is recorded and the check is tried again after 5, 10 and 20 minutes;
    after the last attempt the status stays "unavailable" (staff can ask again)."""
    try:
        company = selectors.company_get(company_id=company_id)
    except NotFound:
        return None
    if not company.vat_number:
        return None
    result = vies_check(
        company.vat_number,
        base_url=settings.COMPTOIR_VIES_URL,
        timeout=settings.COMPTOIR_VIES_TIMEOUT,
    )
    if not services.company_vies_record(company=company, result=result):
        return None
    if result.status == "unavailable" and self.request.retries < self.max_retries:
        logger.info(
            "VIES unavailable for company %s (task %s, attempt %d): trying again later",
            company_id,
            self.request.id,
            self.request.retries + 1,
        )
        raise self.retry(countdown=VIES_RETRY_DELAY * 2**self.request.retries)
    return result.status


@app.task(
    name="companies.company_email_send",
    bind=True,
    autoretry_for=(OSError,),  # smtplib.SMTPException and refused connections are OSErrors
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=600,
)
def company_email_send(self: Any, kind: str, object_id: int) -> int:
    """Send the company email `kind` about `object_id` (comptoir.companies.emails); how
    many were sent. A failing mail server is retried with exponential backoff."""
    return emails.company_email_send(kind=kind, object_id=object_id)


@app.task(
    name="companies.contact_email_send",
    bind=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=600,
)
def contact_email_send(
    self: Any, member_id: int, manager_id: int, subject: str, message: str
) -> int:
    """Send a member's message to their account manager (comptoir.companies.emails)."""
    return emails.contact_email_send(
        member_id=member_id, manager_id=manager_id, subject=subject, message=message
    )
