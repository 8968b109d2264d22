"""Two submits of the same checkout page at once (a double click), on PostgreSQL: each in
its own thread with its own connection, held together right after finding the cart. They
carry the same Idempotency-Key, so one order is placed and both browsers land on it."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.core.testing import LanguageClient, race
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders.models import Order
from comptoir.payments.models import Payment
from comptoir.storefront import views_checkout
from comptoir.storefront.tests.conftest import Store, add_to_cart, checkout_data

pytestmark = pytest.mark.postgres


def test_a_double_submit_at_once_places_one_order(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    browser = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
    add_to_cart(browser, store, store.drill, 2)
    data = checkout_data(browser, email="guest@example.fr")
    answers: list[Any] = []

    def submit() -> None:
        tab = LanguageClient(language="en", SERVER_NAME="127.0.0.1")
        tab.cookies = browser.cookies  # the same browser: its cookies and session
        answers.append(tab.post("/checkout/", data))

    outcomes = race(monkeypatch, views_checkout, "_checkout_cart", [submit, submit])

    assert outcomes == ["ok", "ok"]
    order = Order.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {f"/en/orders/{order.token}/"}
    assert Payment.objects.count() == 1
    assert ledger_mismatches() == []
