"""Fixtures shared by the orders tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.models import OutboxEvent


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def variant() -> ProductVariant:
    return ProductVariantFactory.create(sku="PERC-18V")


@pytest.fixture
def customer() -> User:
    return UserFactory.create(email="lea@example.fr")


@pytest.fixture
def actor() -> User:
    return StaffFactory.create()


@pytest.fixture
def topics() -> Callable[..., list[str]]:
    """The outbox topics written for an order, oldest first."""

    def read(order: Any) -> list[str]:
        return list(
            OutboxEvent.objects.filter(aggregate="order", aggregate_id=str(order.pk))
            .order_by("pk")
            .values_list("topic", flat=True)
        )

    return read
