"""Concurrent writes on PostgreSQL: two prices of one product set at the same time by two
transactions leave `price_from` at the true lowest price (the listing rows are locked, in
primary-key order, before a price is written)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from comptoir.catalog import services
from comptoir.catalog.models import ProductChannelListing, ProductVariant, VariantChannelPrice
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory

pytestmark = pytest.mark.postgres

ROUNDS = 8
TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def set_prices_together(
    channel: Channel, prices: list[tuple[ProductVariant, Decimal]]
) -> list[BaseException]:
    """Run one `variant_price_set` per (variant, amount) in its own thread, each with its
    own database connection, all released at the same moment by a barrier."""
    barrier = threading.Barrier(len(prices), timeout=TIMEOUT)
    errors: list[BaseException] = []

    def run(variant: ProductVariant, amount: Decimal) -> None:
        try:
            barrier.wait()
            services.variant_price_set(variant=variant, channel=channel, amount=amount)
        except BaseException as exc:  # reported to the test, which fails on it
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=run, args=pair) for pair in prices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a price update never finished"
    return errors


def test_concurrent_price_updates_leave_the_true_lowest_price(transactional_db: Any) -> None:
    channel, other = ChannelFactory.create(), B2BChannelFactory.create()
    product = ProductFactory.create()
    first, second = (ProductVariantFactory.create(product=product) for _ in range(2))
    for variant in (first, second):
        services.variant_price_set(variant=variant, channel=other, amount=Decimal("5.00"))
    services.product_publish(product=product, channel=other)
    listing = services.product_publish(product=product, channel=channel)

    for round_ in range(ROUNDS):
        # Both old prices are below both new ones: a recomputation that misses the other
        # transaction's price keeps an old, lower price and is wrong whichever commits last.
        base = Decimal(10 * round_)
        services.variant_price_set(variant=first, channel=channel, amount=base + 1)
        services.variant_price_set(variant=second, channel=channel, amount=base + 2)
        new_first, new_second = base + 7, base + 6

        errors = set_prices_together(channel, [(first, new_first), (second, new_second)])

        assert errors == []
        listing.refresh_from_db()
        amounts = dict(
            VariantChannelPrice.objects.filter(channel=channel).values_list("variant_id", "amount")
        )
        assert amounts == {first.pk: new_first, second.pk: new_second}
        assert listing.price_from == min(new_first, new_second), f"round {round_}"

    assert ProductChannelListing.objects.get(channel=other).price_from == Decimal("5.00")
