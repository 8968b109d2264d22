"""On PostgreSQL: two approvers approving the last level at the same moment make exactly
one order (the approval's row lock; the second gets 409 APPROVAL_NOT_PENDING)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from comptoir.approvals import services as approval_services
from comptoir.approvals.models import ApprovalDecision, OrderApproval
from comptoir.approvals.tests.conftest import Team, checkout
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout.approving import approval_approve
from comptoir.core.testing import race
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_at_once_make_one_order(
    team: Team,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team.rule()
    cart = make_cart([(variants[0], 3)], user=team.buyer.user)
    approval_id = checkout(team.buyer.user, cart).json()["approval"]["id"]

    outcomes = race(
        monkeypatch,
        approval_services,
        "text_limit",  # the first step of approval_decide, before the row lock
        [
            lambda: approval_approve(approval_id=approval_id, user=team.approver.user),
            lambda: approval_approve(approval_id=approval_id, user=team.approver2.user),
        ],
    )

    assert sorted(outcomes) == ["APPROVAL_NOT_PENDING", "ok"]
    assert Order.objects.count() == 1
    assert ApprovalDecision.objects.count() == 1
    approval = OrderApproval.objects.get()
    assert (approval.status, approval.order_id) == ("approved", Order.objects.get().pk)
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 3
