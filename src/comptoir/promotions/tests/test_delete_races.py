"""Deleting a coupon (or its promotion) while an order redeems it, on PostgreSQL: the order
holds the coupon's row lock; the delete waits for it, then sees the redemption and answers
409, never a database error at commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import DomainError
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.tests.factories import CouponFactory

pytestmark = pytest.mark.postgres

TIMEOUT = 30


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        (count,) = cursor.fetchone()
    return bool(count)


def delete_during_redemption(delete: Callable[[], Any]) -> str:
    """An order redeems CODE and holds its transaction open until `delete` (in another
    thread) is waiting for the coupon's lock; then the order commits. Returns the delete's
    outcome."""
    redeemed, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def order() -> None:
        try:
            with transaction.atomic():
                services.coupon_redeem(
                    code="CODE",
                    order_reference="CMD-1",
                    email="lea@example.fr",
                    subtotal=Decimal("100"),
                    channel=ChannelFactory.create(),
                )
                redeemed.set()
                release.wait(TIMEOUT)
        finally:
            connections.close_all()

    def deleting() -> None:
        try:
            delete()
            outcome.append("ok")
        except DomainError as exc:
            outcome.append(exc.code)
        except BaseException as exc:
            outcome.append(repr(exc))
        finally:
            connections.close_all()

    first = threading.Thread(target=order)
    first.start()
    assert redeemed.wait(TIMEOUT)
    second = threading.Thread(target=deleting)
    second.start()
    deadline = time.monotonic() + TIMEOUT
    while not _waiting_for_a_lock():  # the delete is blocked on the coupon's row
        assert time.monotonic() < deadline, "the delete never waited for the lock"
        time.sleep(0.01)
    release.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)
    assert not first.is_alive()
    assert not second.is_alive()
    return outcome[0]


def test_deleting_a_coupon_an_order_is_redeeming(transactional_db: Any) -> None:
    coupon = CouponFactory.create(code="CODE")
    outcome = delete_during_redemption(lambda: services.coupon_delete(coupon=coupon))
    assert outcome == "COUPON_IN_USE"
    assert Coupon.objects.filter(code="CODE").exists()
    assert CouponRedemption.objects.count() == 1


def test_deleting_a_promotion_whose_coupon_an_order_is_redeeming(transactional_db: Any) -> None:
    coupon = CouponFactory.create(code="CODE")
    promotion = coupon.promotion
    outcome = delete_during_redemption(lambda: services.promotion_delete(promotion=promotion))
    assert outcome == "PROMOTION_IN_USE"
    assert Promotion.objects.filter(pk=promotion.pk).exists()
    assert CouponRedemption.objects.count() == 1
