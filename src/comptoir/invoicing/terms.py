"""Dates and amounts of payment terms: pure functions, no database (docs/invoicing.md)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Terms:
    code: str
    name: str
    net_days: int
    end_of_month: bool
    discount_percent: Decimal
    discount_days: int


def due_date(issue_date: date, terms: Terms) -> date:
    """`net_days` after `issue_date`; with `end_of_month`, the last day of that month
    ("30 jours fin de mois": 30 days, then to the end of the month)."""
    due = issue_date + timedelta(days=terms.net_days)
    if terms.end_of_month:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def discount_date(issue_date: date, terms: Terms) -> date | None:
    """The last day the early-payment discount applies, or None without one."""
    if terms.discount_percent <= 0 or terms.discount_days <= 0:
        return None
    return issue_date + timedelta(days=terms.discount_days)


def discount_amount(gross: Decimal, terms: Terms) -> Decimal:
    """The early-payment discount on `gross`, rounded half-up to the cent."""
    if terms.discount_percent <= 0 or terms.discount_days <= 0:
        return Decimal("0.00")
    return (gross * terms.discount_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def terms_text(terms: Terms) -> str:
    """The terms as an invoice states them, in the active language."""
    if terms.end_of_month:
        text = ngettext(
            "Payment %(days)d day end of month.",
            "Payment %(days)d days end of month.",
            terms.net_days,
        ) % {"days": terms.net_days}
    elif terms.net_days == 0:
        text = _("Payment on receipt of the invoice.")
    else:
        text = ngettext(
            "Payment %(days)d day from the invoice date.",
            "Payment %(days)d days from the invoice date.",
            terms.net_days,
        ) % {"days": terms.net_days}
    if terms.discount_percent > 0 and terms.discount_days > 0:
        text += " " + _(
            "Early-payment discount of %(percent)s %% if paid within %(days)d days."
        ) % {"percent": f"{terms.discount_percent.normalize():f}", "days": terms.discount_days}
    else:
        text += " " + _("No discount for early payment.")
    return text
