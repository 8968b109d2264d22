"""The transition table, and each service refusing a move it does not allow."""

from __future__ import annotations

import pytest

from comptoir.core.errors import DomainError
from comptoir.orders.models import OrderStatus
from comptoir.orders.transitions import TRANSITIONS, transition_allowed, transition_check

S = OrderStatus
ALLOWED = {
    (S.PLACED, S.PAID),
    (S.PLACED, S.PARTIALLY_FULFILLED),
    (S.PLACED, S.FULFILLED),
    (S.PLACED, S.CANCELLED),
    (S.PLACED, S.REFUNDED),
    (S.PAID, S.PARTIALLY_FULFILLED),
    (S.PAID, S.FULFILLED),
    (S.PAID, S.CANCELLED),
    (S.PAID, S.REFUNDED),
    (S.PARTIALLY_FULFILLED, S.PARTIALLY_FULFILLED),
    (S.PARTIALLY_FULFILLED, S.FULFILLED),
    (S.PARTIALLY_FULFILLED, S.REFUNDED),
    (S.FULFILLED, S.DELIVERED),
    (S.FULFILLED, S.REFUNDED),
    (S.DELIVERED, S.REFUNDED),
    (S.REFUNDED, S.CANCELLED),
}


def test_every_status_is_in_the_table() -> None:
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize("current", S.values)
@pytest.mark.parametrize("target", S.values)
def test_transition_table(current: str, target: str) -> None:
    allowed = (current, target) in ALLOWED
    assert transition_allowed(current, target) is allowed
    if allowed:
        transition_check(current, target)
    else:
        with pytest.raises(DomainError) as caught:
            transition_check(current, target)
        assert (caught.value.code, caught.value.status) == ("INVALID_TRANSITION", 409)
