"""Fixtures of the reviews tests: a published product, customers, a cold cache (the rate
limits count in it) and the orders tests' SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.cache import cache

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import Product
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.orders.tests.test_emails import smtp  # noqa: F401 - the SMTP server fixture


@pytest.fixture(autouse=True)
def _cold_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def channel(db: None) -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def product(channel: Channel) -> Product:
    return published_product(
        channel=channel, price=Decimal("19.90"), slug="perceuse", name="Perceuse"
    )


@pytest.fixture
def lea(db: None) -> User:
    return UserFactory.create(email="lea@example.fr", first_name="Léa", last_name="Durand")


@pytest.fixture
def marc(db: None) -> User:
    return UserFactory.create(email="marc@example.fr", first_name="Marc", last_name="Petit")


@pytest.fixture
def staff(db: None) -> User:
    return StaffFactory.create(email="staff@example.fr", first_name="Anne", last_name="Martin")
