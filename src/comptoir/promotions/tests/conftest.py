"""Fixtures shared by the promotions tests."""

from __future__ import annotations

import pytest

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.testing import ADMIN, Api, api_for, problem

__all__ = ["ADMIN", "Api", "api_for", "problem"]


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())
