"""Quote acceptance races on PostgreSQL, with threads (each its own connection): a quote
accepted several times at once makes one order, with one stock allocation and payment."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from comptoir.core.testing import race
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order
from comptoir.payments.models import Payment
from comptoir.quotes import services
from comptoir.quotes.models import Quote, QuoteState
from comptoir.quotes.services import placement
from comptoir.quotes.tests.conftest import Shop, approval_rule, sent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _accept(quote: Quote, user: Any, key: str) -> Any:
    return lambda: services.quote_accept(
        quote=quote, user=user, idempotency_key=key, body={"payment_method": "on_account"}
    )


def test_four_accepts_at_once_make_one_order(
    shop: Shop, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = sent(shop, clerk)
    outcomes = race(
        monkeypatch,
        placement,
        "_request",
        [_accept(quote, shop.buyer, f"key-{i}") for i in range(4)],
    )
    assert Counter(outcomes) == {"ok": 1, "INVALID_QUOTE_TRANSITION": 3}, outcomes
    order = Order.objects.get()
    quote.refresh_from_db()
    assert (quote.state, quote.order) == (QuoteState.ORDERED, order)
    assert Payment.objects.count() == 1
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 10


def test_the_same_key_twice_at_once_replays(
    shop: Shop, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = sent(shop, clerk)
    outcomes = race(
        monkeypatch, placement, "_request", [_accept(quote, shop.buyer, "same") for _ in range(2)]
    )
    assert outcomes == ["ok", "ok"]
    assert Order.objects.count() == 1
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 10


def test_two_approvers_approving_a_quote_at_once_make_one_order(
    shop: Shop, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.accounts.tests.factories import UserFactory
    from comptoir.approvals import services as approval_services
    from comptoir.approvals.models import OrderApproval
    from comptoir.companies.tests.factories import member_with_role
    from comptoir.quotes.approving import approval_approve

    first = member_with_role(shop.martin, "approver", user=UserFactory.create())
    second = member_with_role(shop.martin, "approver", user=UserFactory.create())
    approval_rule(shop, role_id=first.role_id, threshold="1.00")
    quote = sent(shop, clerk)
    status, _body = services.quote_accept(
        quote=quote, user=shop.buyer, idempotency_key="k", body={"payment_method": "on_account"}
    )
    assert status == 202
    approval = OrderApproval.objects.get()
    outcomes = race(
        monkeypatch,
        approval_services,
        "text_limit",  # the first step of approval_decide, before the row lock
        [
            lambda: approval_approve(approval_id=approval.pk, user=first.user),
            lambda: approval_approve(approval_id=approval.pk, user=second.user),
        ],
    )
    assert sorted(outcomes) == ["APPROVAL_NOT_PENDING", "ok"]
    order = Order.objects.get()
    quote.refresh_from_db()
    approval.refresh_from_db()
    assert (quote.state, quote.order, approval.order) == (QuoteState.ORDERED, order, order)
    assert Payment.objects.count() == 1
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 10
