"""The order statuses and the moves between them, in one table. Every service that changes
an order's status asks `transition_check` first; a move not in the table is a 409
INVALID_TRANSITION (docs/orders.md shows the same table)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict
from comptoir.orders.models import OrderStatus

S = OrderStatus

# status -> the statuses it may move to. A second partial shipment keeps an order
# partially fulfilled (the only move to the same status).
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.PLACED: frozenset({S.PAID, S.PARTIALLY_FULFILLED, S.FULFILLED, S.CANCELLED, S.REFUNDED}),
    S.PAID: frozenset({S.PARTIALLY_FULFILLED, S.FULFILLED, S.CANCELLED, S.REFUNDED}),
    S.PARTIALLY_FULFILLED: frozenset({S.PARTIALLY_FULFILLED, S.FULFILLED, S.REFUNDED}),
    S.FULFILLED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    # Refunded in full before anything shipped: cancelling releases the stock and coupons.
    S.REFUNDED: frozenset({S.CANCELLED}),
    S.CANCELLED: frozenset(),
}

# Statuses in which nothing has shipped yet (cancelling is still possible).
NOT_SHIPPED: Final = frozenset({S.PLACED, S.PAID, S.REFUNDED})


def transition_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_check(current: str, target: str) -> None:
    """409 INVALID_TRANSITION unless an order in `current` may move to `target`."""
    if not transition_allowed(current, target):
        raise Conflict(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label},
            code="INVALID_TRANSITION",
            errors={"status": [current]},
        )
