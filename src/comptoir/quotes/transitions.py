"""The quote states and the moves between them, in one table (docs/quotes.md shows it).
Every service that changes a quote's state asks `transition_check` first; a move not in
the table is a 409 INVALID_QUOTE_TRANSITION."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict
from comptoir.quotes.models import QuoteState

S = QuoteState

# state -> the states it may move to, and who moves it there (docs/quotes.md).
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.DRAFT: frozenset({S.REQUESTED, S.CANCELLED}),  # buyer submits
    S.REQUESTED: frozenset({S.IN_NEGOTIATION, S.SENT, S.CANCELLED}),  # staff
    S.IN_NEGOTIATION: frozenset({S.SENT, S.CANCELLED}),  # staff
    # buyer: accepted, declined, renegotiation_requested; expiry task: expired; staff: cancelled
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.RENEGOTIATION_REQUESTED, S.EXPIRED, S.CANCELLED}),
    S.RENEGOTIATION_REQUESTED: frozenset({S.IN_NEGOTIATION, S.SENT, S.CANCELLED}),  # staff
    # ordered: placed at once, or once approved (quotes.approving); cancelled: the approval
    # was rejected (quotes.approving.approval_reject), or staff cancelled it
    S.ACCEPTED: frozenset({S.ORDERED, S.CANCELLED}),
    S.ORDERED: frozenset(),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

# States the buyer may still change (lines, comments are always allowed while open).
OPEN: Final = frozenset(
    {S.DRAFT, S.REQUESTED, S.IN_NEGOTIATION, S.SENT, S.RENEGOTIATION_REQUESTED, S.ACCEPTED}
)


def transition_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_check(current: str, target: str) -> None:
    """409 INVALID_QUOTE_TRANSITION unless a quote in `current` may move to `target`."""
    if not transition_allowed(current, target):
        raise Conflict(
            _("A quote that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label},
            code="INVALID_QUOTE_TRANSITION",
            errors={"state": [current]},
        )
