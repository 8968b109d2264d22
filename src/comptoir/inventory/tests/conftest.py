"""Fixtures shared by the inventory tests."""

from __future__ import annotations

import pytest

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory.models import Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def variant() -> ProductVariant:
    return ProductVariantFactory.create(sku="PERC-18V")


@pytest.fixture
def lyon() -> Warehouse:
    return WarehouseFactory.create(code="lyon", name="Lyon", priority=1)


@pytest.fixture
def paris() -> Warehouse:
    return WarehouseFactory.create(code="paris", name="Paris", priority=2)


@pytest.fixture
def actor() -> User:
    return StaffFactory.create()
