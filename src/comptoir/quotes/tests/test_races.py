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
from comptoir.quotes.tests.conftest import Shop, sent

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
