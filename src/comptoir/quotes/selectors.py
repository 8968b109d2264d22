"""Reads of quotes: a member's quotes (their own, or the whole company's with
`quotes.view_all`), scoped fetches for the buyer's API, and the staff list."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from comptoir.companies import selectors as companies
from comptoir.companies.models import CompanyMember
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.quotes.models import Quote, QuoteAttachment, QuoteState

NUMBER = re.compile(r"^Q-\d{6,12}$")


def quote_not_found() -> NotFound:
    return NotFound(_("No such quote."), code="QUOTE_NOT_FOUND")


def _visible_to(member: CompanyMember) -> QuerySet[Quote]:
    """The quotes `member` may read: their own; every quote of the company with
    `quotes.view_all`."""
    queryset = Quote.objects.filter(company_id=member.company_id)
    if CompanyPermission.QUOTES_VIEW_ALL not in member.role.permissions:
        queryset = queryset.filter(requested_by_id=member.user_id)
    return queryset


def _visible(user: Any) -> QuerySet[Quote]:
    """The quotes `user` may read (`_visible_to` their membership; none outside a company).
    One query."""
    member = companies.membership_for_user(user)
    return Quote.objects.none() if member is None else _visible_to(member)


def quotes_for_member(*, user: Any, page: PageRequest) -> tuple[list[Quote], int]:
    """A page of the quotes `user` may read, newest first, with their line counts."""
    queryset = (
        _visible(user)
        .select_related("requested_by", "company")
        .annotate(line_count=Count("lines"))
        .order_by("-id")
    )
    count = queryset.count()
    return list(queryset[page.offset : page.offset + page.page_size]), count


def quotes_awaiting_answer(*, member: CompanyMember, limit: int = 5) -> tuple[list[Quote], int]:
    """The quotes the shop sent that wait for the buyer's answer (accept, decline or ask to
    renegotiate) among those the member may read (`_visible_to`), those expiring first: the first `limit` and
    how many. Two queries."""
    queryset = _visible_to(member).filter(state=QuoteState.SENT)
    count = queryset.count()
    return (list(queryset.order_by("expires_at", "id")[:limit]) if count else []), count


def _detail(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    return queryset.select_related("requested_by", "company", "channel", "order").prefetch_related(
        "lines", "comments__author", "attachments", "revisions"
    )


def access_quote(*, user: Any, number: str) -> Quote:
    """Quote `number` if `user` may read it (QUOTE_NOT_FOUND otherwise, whether it is
    another company's or does not exist)."""
    if not isinstance(number, str) or not NUMBER.match(number):
        raise quote_not_found()
    found = _detail(_visible(user)).filter(number=number).first()
    if found is None:
        raise quote_not_found()
    return found


def quote_admin_get(*, number: str) -> Quote:
    if not isinstance(number, str) or not NUMBER.match(number):
        raise quote_not_found()
    found = (
        _detail(Quote.objects.all())
        .prefetch_related("events", "events__actor")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise quote_not_found()
    return found


def quote_admin_list(
    *, page: PageRequest, state: str | None = None, company_id: int | None = None
) -> tuple[list[Quote], int]:
    """Every quote, newest first, filtered by state and company."""
    queryset = Quote.objects.select_related("company", "requested_by").annotate(
        line_count=Count("lines")
    )
    if state:
        if state not in QuoteState.values:
            message = _("Unknown state.")
            raise InvalidInput(message, code="INVALID_FILTER", errors={"state": [message]})
        queryset = queryset.filter(state=state)
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    queryset = queryset.order_by("-id")
    count = queryset.count()
    return list(queryset[page.offset : page.offset + page.page_size]), count


def quote_attachment(*, quote: Quote, attachment_id: int) -> QuoteAttachment:
    """An attachment of `quote` (ATTACHMENT_NOT_FOUND otherwise, whoever's it is)."""
    found = (
        quote.attachments.filter(pk=attachment_id).first() if 0 < attachment_id < 2**63 else None
    )
    if found is None:
        raise NotFound(_("No such file on this quote."), code="ATTACHMENT_NOT_FOUND")
    return found
