"""Concurrent coupon redemptions on PostgreSQL: each call runs in its own thread with its
own database connection, all released together by a barrier. However they interleave, a
coupon is never used more often than its limits allow."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from comptoir.accounts.tests.factories import UserFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import DomainError
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption
from comptoir.promotions.tests.factories import CouponFactory

pytestmark = pytest.mark.postgres

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def together(calls: list[Callable[[], Any]]) -> list[str]:
    """Run each call in its own thread (own connection), all started at once; returns
    "ok" or the error code of each call."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.code
        except BaseException as exc:  # reported to the test, which fails on it
            outcome = repr(exc)
        finally:
            connections.close_all()  # this thread's connections only
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a redemption never finished"
    return outcomes


def redeem(channel: Channel, order: str, **kwargs: Any) -> Callable[[], Any]:
    fields: dict[str, Any] = {"email": f"{order.lower()}@example.fr"} | kwargs
    return lambda: services.coupon_redeem(
        code="ETE2030",
        order_reference=order,
        subtotal=Decimal("100"),
        channel=channel,
        **fields,
    )


def test_twenty_orders_on_a_coupon_usable_five_times(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    CouponFactory.create(code="ETE2030", usage_limit=5)

    outcomes = together([redeem(channel, f"CMD-{n}") for n in range(20)])

    assert Counter(outcomes) == {"ok": 5, "COUPON_EXHAUSTED": 15}
    assert Coupon.objects.get().times_used == 5
    assert CouponRedemption.objects.count() == 5


def test_ten_orders_of_one_customer_on_a_once_per_customer_coupon(
    transactional_db: Any,
) -> None:
    channel = ChannelFactory.create()
    user = UserFactory.create(email="lea@example.fr")
    CouponFactory.create(code="ETE2030", per_customer_limit=1)

    outcomes = together(
        [redeem(channel, f"CMD-{n}", user=user, email=user.email) for n in range(10)]
    )

    assert Counter(outcomes) == {"ok": 1, "COUPON_CUSTOMER_LIMIT": 9}
    assert Coupon.objects.get().times_used == 1
    assert CouponRedemption.objects.filter(user=user).count() == 1


def test_one_order_redeemed_five_times_at_once_counts_once(transactional_db: Any) -> None:
    channel = ChannelFactory.create()
    CouponFactory.create(code="ETE2030", usage_limit=3)

    outcomes = together([redeem(channel, "CMD-1") for _ in range(5)])

    assert outcomes == ["ok"] * 5
    assert Coupon.objects.get().times_used == 1
    assert list(CouponRedemption.objects.values_list("order_reference", flat=True)) == ["CMD-1"]
