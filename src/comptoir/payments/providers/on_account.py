"""Payment on account: the hook where B2B payment terms and credit limits plug in.

No provider call: an order paid on account is placed at once and invoiced on the company's
terms. Today any buyer acting for a company may use it and there is no credit limit; the
B2B issue replaces these two functions (terms per company, a credit limit checked under
the company's row lock, raising a DomainError such as 409 CREDIT_LIMIT_EXCEEDED).
"""

from __future__ import annotations

from decimal import Decimal


def allowed(company_id: int | None) -> bool:
    """Whether the buyer may pay on account: company buyers only, for now."""
    return company_id is not None


def credit_check(company_id: int, amount: Decimal) -> None:
    """Refuse an order of `amount` on account that would exceed the company's credit
    limit (raise a DomainError). A no-op until the B2B issue adds credit limits."""
