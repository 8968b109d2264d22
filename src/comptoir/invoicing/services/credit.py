"""Billing accounts (terms, credit limit, payment on account) and the credit check that
orders on account pass under the account's row lock."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.companies.models import Company
from comptoir.core.audit import audit
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.validation import amount_check, text_check
from comptoir.invoicing import locks, selectors
from comptoir.invoicing.models import BillingAccount, BillingAccountChange

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_UNSET: Any = object()


def _limit_check(value: object) -> Decimal | None:
    """A credit limit: None (no limit) or an amount >= 0 with at most two decimals."""
    if value is None:
        return None
    try:
        return amount_check(value, currency="EUR", field="credit_limit", allow_zero=True)
    except InvalidInput:
        message = _("Enter an amount of 0 or more with at most two decimals, or null for no limit.")
        raise InvalidInput(
            message, code="INVALID_CREDIT_LIMIT", errors={"credit_limit": [message]}
        ) from None


def _currency_check(value: object) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        message = _("Use an ISO 4217 code such as EUR.")
        raise InvalidInput(message, code="INVALID_CURRENCY", errors={"currency": [message]})
    return value


def billing_account_set(
    *,
    company: Company,
    actor: Any,
    terms: str = _UNSET,
    credit_limit: object = _UNSET,
    on_account_allowed: bool = _UNSET,
    currency: str = _UNSET,
    note: str = "",
) -> BillingAccount:
    """Create or change `company`'s billing account; only the fields given change (a new
    account starts on Net 30, without payment on account and without limit). Keeps a
    history row (who, when, what it became) and an admin history entry.

    400 UNKNOWN_PAYMENT_TERMS / INVALID_CREDIT_LIMIT / INVALID_CURRENCY / INVALID_INPUT /
    INVALID_TEXT."""
    if not isinstance(note, str) or len(note) > 500:
        message = _("At most 500 characters.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"note": [message]})
    text_check(note=note)
    changes: dict[str, Any] = {}
    if terms is not _UNSET:
        changes["terms"] = selectors.payment_terms_by_code(code=terms)
    if credit_limit is not _UNSET:
        changes["credit_limit"] = _limit_check(credit_limit)
    if on_account_allowed is not _UNSET:
        if not isinstance(on_account_allowed, bool):
            message = _("Must be true or false.")
            raise InvalidInput(
                message, code="INVALID_INPUT", errors={"on_account_allowed": [message]}
            )
        changes["on_account_allowed"] = on_account_allowed
    if currency is not _UNSET:
        changes["currency"] = _currency_check(currency)
    with transaction.atomic():
        account = locks.billing_account_lock(company.pk)
        created = account is None
        if account is None:
            account = BillingAccount(
                company=company, terms=selectors.payment_terms_by_code(code="net-30")
            )
        for name, value in changes.items():
            setattr(account, name, value)
        account.changed_by = actor if getattr(actor, "pk", None) else None
        account.save()
        BillingAccountChange.objects.create(
            account=account,
            changed_by=account.changed_by,
            terms_code=account.terms.code,
            on_account_allowed=account.on_account_allowed,
            credit_limit=account.credit_limit,
            currency=account.currency,
            note=note.strip(),
        )
        audit(
            actor=account.changed_by,
            obj=account,
            flag=ADDITION if created else CHANGE,
            message=[{"added" if created else "changed": {"fields": sorted(changes)}}],
        )
    return account


def credit_allowed(*, company_id: int | None) -> bool:
    """Whether the company may pay on account: an active company whose billing account
    allows it. One query."""
    if company_id is None:
        return False
    return BillingAccount.objects.filter(
        company_id=company_id, on_account_allowed=True, company__is_active=True
    ).exists()


def credit_check(*, company_id: int, amount: Decimal) -> None:
    """Refuse an order of `amount` on account that would take the company's outstanding
    past its credit limit: 409 CREDIT_LIMIT_EXCEEDED (409 ON_ACCOUNT_NOT_ALLOWED without
    an account allowing it). Locks the billing account row: call it inside the transaction
    that inserts the order, so that concurrent orders of the company wait for each other
    and each one counts the orders committed before it."""
    with transaction.atomic():
        account = locks.billing_account_lock(company_id)
        if account is None or not account.on_account_allowed:
            raise Conflict(_("This company may not pay on account."), code="ON_ACCOUNT_NOT_ALLOWED")
        if account.credit_limit is None:
            return
        outstanding = selectors.company_outstanding(company_id=company_id)
        if outstanding + amount > account.credit_limit:
            available = max(account.credit_limit - outstanding, Decimal("0.00"))
            raise Conflict(
                _(
                    "This order of %(amount)s %(currency)s exceeds the company's available "
                    "credit (%(available)s %(currency)s)."
                )
                % {"amount": amount, "available": available, "currency": account.currency},
                code="CREDIT_LIMIT_EXCEEDED",
                errors={"credit": [f"available={available}", f"amount={amount}"]},
            )
