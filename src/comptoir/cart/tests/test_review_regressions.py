"""Regressions found by the review of the buying path (cart side)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from comptoir.cart import selectors, services
from comptoir.cart.models import Cart, CartStatus
from comptoir.cart.services import carts as cart_module
from comptoir.cart.tests.conftest import Shop, ready, sellable
from comptoir.cart.tests.test_services import lines_of
from comptoir.inventory.services import stock_reserve

pytestmark = pytest.mark.django_db


def test_reopening_never_merges_a_cart_that_a_checkout_took_meanwhile(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer's cart A is reopened (its payment failed) while their other cart B, read
    as open, is being checked out: by the time B's row lock is obtained, B's checkout has
    committed. B must be left alone (its lines are being paid for, and its checkout will
    mark it completed), not merged into A."""
    first = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=first, sku="DRILL", quantity=1)
    services.cart_mark(cart=first, status=CartStatus.CHECKING_OUT)
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL-XL", quantity=2)
    second = services.cart_merge(user=shop.shopper, token=visitor.token)  # open, the customer's
    original = cart_module.cart_lock_row

    def checkout_commits_first(cart_id: int, **kwargs: Any) -> Cart:
        if cart_id == second.pk:  # B's checkout committed while we waited for its lock
            Cart.objects.filter(pk=cart_id).update(status=CartStatus.CHECKING_OUT)
        return original(cart_id, **kwargs)

    monkeypatch.setattr(cart_module, "cart_lock_row", checkout_commits_first)
    with transaction.atomic():
        locked = services.cart_lock(cart_id=first.pk)
        services.cart_mark(cart=locked, status=CartStatus.OPEN)
    monkeypatch.setattr(cart_module, "cart_lock_row", original)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (CartStatus.OPEN, CartStatus.CHECKING_OUT)
    assert lines_of(first) == [("DRILL", 1, False)]
    assert lines_of(second) == [("DRILL-XL", 2, False)]
    # B's checkout can still complete it.
    with transaction.atomic():
        locked = services.cart_lock(cart_id=second.pk)
        services.cart_mark(cart=locked, status=CartStatus.COMPLETED)


def test_reopening_still_takes_the_lines_of_an_open_cart(shop: Shop) -> None:
    first = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=first, sku="DRILL", quantity=1)
    services.cart_mark(cart=first, status=CartStatus.CHECKING_OUT)
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL-XL", quantity=2)
    second: Any = services.cart_merge(user=shop.shopper, token=visitor.token)
    with transaction.atomic():
        services.cart_mark(cart=services.cart_lock(cart_id=first.pk), status=CartStatus.OPEN)
    second.refresh_from_db()
    assert second.status == CartStatus.MERGED
    assert lines_of(first) == [("DRILL", 1, False), ("DRILL-XL", 2, False)]


def test_a_cart_being_checked_out_counts_the_stock_its_checkout_holds(shop: Shop) -> None:
    """While its payment runs, a cart's own reservation is not "someone else's" stock: the
    customer (back from 3-D Secure, or reloading the cart) sees what they are paying for,
    with the same total, not a line problem and a total without the line."""
    last = sellable(shop.b2c, sku="LAST", price="10.00", stock=1, warehouse=shop.warehouse)
    cart = ready(services.cart_create(channel=shop.b2c, language="fr"), shop)
    services.line_add(cart=cart, sku="LAST", quantity=1)
    before = selectors.cart_view(cart=Cart.objects.get(pk=cart.pk))
    assert before.blockers == ()
    with transaction.atomic():  # what checkout's first transaction does
        locked = services.cart_lock(cart_id=cart.pk)
        stock_reserve(
            token="co-review",
            lines=[(last.pk, 1)],
            channel=shop.b2c,
            expires_at=timezone.now() + timedelta(minutes=15),
        )
        services.cart_mark(cart=locked, status=CartStatus.CHECKING_OUT)
    during = selectors.cart_view(cart=Cart.objects.get(pk=cart.pk))
    (line,) = during.lines
    assert (line.problem, line.counted) == (None, True)
    assert during.total == before.total
    assert during.blockers == ()
