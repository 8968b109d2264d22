"""Fixtures shared by the payments tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.checkout import services as checkout_services
from comptoir.core.testing import Api, api_for
from comptoir.payments.models import Payment
from comptoir.payments.testing import FakeStripe


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    """The local Stripe server, with the settings pointing the provider at it."""
    with FakeStripe() as fake:
        settings.COMPTOIR_STRIPE_SECRET_KEY = fake.api_key
        settings.COMPTOIR_STRIPE_API_BASE = fake.url
        settings.COMPTOIR_STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        yield fake


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> list[Payment]:
    """checkout_payment_settled replaced by a recorder: the payments it was handed."""
    calls: list[Payment] = []

    def record(*, payment: Payment) -> None:
        calls.append(payment)

    monkeypatch.setattr(checkout_services, "checkout_payment_settled", record)
    return calls


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())
