"""Concurrent writes on one cart, on PostgreSQL: each call in its own thread with its own
connection, held by a barrier until all have passed their input checks, so that they race
for the cart's row lock. Quantities add up exactly; a merge asked twice at once merges
once; two tabs signing in at once keep both carts' lines."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from comptoir.cart import services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.services import carts as cart_services
from comptoir.cart.services import lines as line_services
from comptoir.cart.tests.conftest import Shop
from comptoir.core.testing import race

pytestmark = pytest.mark.postgres


def test_concurrent_adds_of_one_sku_add_up(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    cart = services.cart_create(channel=shop.b2c, language="fr")
    calls = [lambda: services.line_add(cart=cart, sku="DRILL", quantity=2) for _ in range(4)]
    outcomes = race(monkeypatch, line_services, "quantity_check", calls)
    assert outcomes == ["ok"] * 4
    (line,) = CartLine.objects.filter(cart=cart)
    assert line.quantity == 8


def test_a_merge_asked_twice_at_once_merges_once(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=mine, sku="DRILL", quantity=1)
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL", quantity=2)
    calls = [lambda: services.cart_merge(user=shop.shopper, token=visitor.token)] * 2
    outcomes = race(monkeypatch, cart_services, "cart_for", calls)
    assert outcomes == ["ok", "ok"]
    assert CartLine.objects.get(cart=mine).quantity == 3
    assert Cart.objects.get(pk=visitor.pk).status == CartStatus.MERGED


def test_two_tabs_signing_in_at_once_keep_both_carts(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=first, sku="DRILL", quantity=1)
    second = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=second, sku="DRILL-XL", quantity=1)
    calls = [
        lambda: services.cart_merge(user=shop.shopper, token=first.token),
        lambda: services.cart_merge(user=shop.shopper, token=second.token),
    ]
    outcomes = race(monkeypatch, cart_services, "cart_for", calls)
    assert Counter(outcomes) == {"ok": 2}
    (cart,) = Cart.objects.filter(user=shop.shopper, status=CartStatus.OPEN)
    assert sorted(CartLine.objects.filter(cart=cart).values_list("variant__sku", flat=True)) == [
        "DRILL",
        "DRILL-XL",
    ]


def test_two_requests_creating_a_customers_cart_get_the_same(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    calls = [
        lambda: made.append(
            services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr").pk
        )
    ] * 2
    outcomes = race(monkeypatch, cart_services, "_language", calls)
    assert outcomes == ["ok", "ok"]
    assert len(set(made)) == 1
    assert Cart.objects.filter(user=shop.shopper).count() == 1


def test_concurrent_bulk_additions_add_up(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.cart.services import bulk

    cart = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    lines = [
        services.BulkLine(line=1, sku="DRILL", quantity=2),
        services.BulkLine(line=2, sku="DRILL-XL", quantity=3),
    ]
    calls = [lambda: services.lines_add_bulk(cart=cart, lines=lines) for _ in range(3)]
    outcomes = race(monkeypatch, bulk, "_merge", calls)
    assert outcomes == ["ok"] * 3
    quantities = dict(CartLine.objects.filter(cart=cart).values_list("variant__sku", "quantity"))
    assert quantities == {"DRILL": 7, "DRILL-XL": 9}
