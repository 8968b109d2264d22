"""Fixtures shared by the companies tests: a staff client and a local fake VIES."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.taxes.tests.test_vat import FakeVies


@pytest.fixture
def staff(client: Client) -> Client:
    """A client logged in to the admin as a superuser."""
    client.force_login(StaffFactory.create())
    return client


@pytest.fixture
def vies(settings: Any) -> Iterator[FakeVies]:
    """A local VIES the settings point at, with the checks on."""
    fake = FakeVies().start()
    settings.COMPTOIR_VIES_URL = fake.base_url
    settings.COMPTOIR_VIES_TIMEOUT = 2.0
    settings.COMPTOIR_VIES_CHECK = True
    yield fake
    fake.stop()
