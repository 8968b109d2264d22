"""Payment on account: no provider call; an order paid on account is placed at once and
invoiced on the company's payment terms (comptoir.invoicing, docs/invoicing.md).

Both hooks delegate to invoicing, which owns billing accounts, terms and credit limits."""

from __future__ import annotations

from decimal import Decimal

from comptoir.invoicing.services import credit


def allowed(company_id: int | None) -> bool:
    """Whether the buyer may pay on account: their company's billing account allows it."""
    return credit.credit_allowed(company_id=company_id)


def credit_check(company_id: int, amount: Decimal) -> None:
    """Refuse an order of `amount` on account past the company's credit limit (409
    CREDIT_LIMIT_EXCEEDED, ON_ACCOUNT_NOT_ALLOWED). Locks the company's billing account:
    call it in the transaction that creates the order."""
    credit.credit_check(company_id=company_id, amount=amount)
