"""Two requests creating or renaming price lists with the same code or external reference at
once, on PostgreSQL: each in its own thread with its own connection, both held by a barrier
until both have passed the uniqueness checks. One wins; the other gets the 409 the checks
give (never an IntegrityError, a 500), and changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.testing import race
from comptoir.pricing import services
from comptoir.pricing.models import PriceList
from comptoir.pricing.services import price_lists
from comptoir.pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.postgres


def racing(monkeypatch: pytest.MonkeyPatch, calls: list[Callable[[], Any]]) -> list[str]:
    """The calls in their own threads, held together once past the uniqueness checks
    (`price_list_check` runs after them)."""
    return race(monkeypatch, price_lists, "price_list_check", calls)


def create(channel: Channel, code: str, external_ref: str | None = None) -> Callable[[], Any]:
    return lambda: services.price_list_create(
        code=code, name=code.title(), channel=channel, external_ref=external_ref
    )


def test_two_creates_with_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = ChannelFactory.create()

    outcomes = racing(monkeypatch, [create(channel, "contrat"), create(channel, "contrat")])

    assert Counter(outcomes) == {"ok": 1, "PRICE_LIST_CODE_TAKEN": 1}
    assert list(PriceList.objects.values_list("code", flat=True)) == ["contrat"]


def test_two_creates_with_the_same_external_ref(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = ChannelFactory.create()

    outcomes = racing(
        monkeypatch, [create(channel, "un", external_ref="ERP-1"), create(channel, "deux", "ERP-1")]
    )

    assert Counter(outcomes) == {"ok": 1, "EXTERNAL_REF_TAKEN": 1}
    assert PriceList.objects.get().external_ref == "ERP-1"


def test_two_lists_renamed_to_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = PriceListFactory.create(code="un", name="Un")
    second = PriceListFactory.create(code="deux", name="Deux")

    outcomes = racing(
        monkeypatch,
        [
            lambda: services.price_list_update(price_list=first, code="nouveau", name="A"),
            lambda: services.price_list_update(price_list=second, code="nouveau", name="B"),
        ],
    )

    assert Counter(outcomes) == {"ok": 1, "PRICE_LIST_CODE_TAKEN": 1}
    rows = sorted(PriceList.objects.values_list("code", "name"))
    assert rows in (
        [("deux", "Deux"), ("nouveau", "A")],
        [("nouveau", "B"), ("un", "Un")],
    )
