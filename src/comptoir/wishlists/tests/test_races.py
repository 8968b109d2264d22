"""Concurrent adds on PostgreSQL: each call in its own thread and connection, held by a
barrier once its input is checked, so that they race for the wishlist."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.core.testing import race
from comptoir.wishlists import services
from comptoir.wishlists.models import Wishlist, WishlistItem
from comptoir.wishlists.tests.conftest import Store

pytestmark = pytest.mark.postgres


def test_two_adds_of_the_same_item_give_one_row(
    transactional_db: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No wishlist yet: both also race to create it.
    calls = [
        lambda: services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        ),
        lambda: services.wishlist_item_add(
            user=store.lea, channel=store.channel, sku=store.sku(store.drill)
        ),
    ]
    outcomes = race(monkeypatch, services, "_target", calls)
    assert outcomes == ["ok", "ok"]
    assert Wishlist.objects.filter(user=store.lea).count() == 1
    assert WishlistItem.objects.count() == 1


def test_concurrent_adds_keep_the_limit(
    transactional_db: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "max_items", lambda: 2)
    services.wishlist_item_add(user=store.lea, channel=store.channel, product="perceuse")
    calls = [
        lambda: services.wishlist_item_add(user=store.lea, channel=store.channel, product="lampe"),
        lambda: services.wishlist_item_add(user=store.lea, channel=store.channel, product="scie"),
    ]
    outcomes = race(monkeypatch, services, "_target", calls)
    assert sorted(outcomes) == ["WISHLIST_FULL", "ok"]
    assert WishlistItem.objects.count() == 2
