"""Two requests creating or renaming promotions with the same code or external reference at
once, on PostgreSQL: each in its own thread with its own connection, both held by a barrier
until both have passed the uniqueness checks. One wins; the other gets the 409 the checks
give (never an IntegrityError, a 500), and changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from comptoir.core.testing import race
from comptoir.promotions import services
from comptoir.promotions.models import Promotion
from comptoir.promotions.services import promotions as promotion_services
from comptoir.promotions.tests.factories import PromotionFactory

pytestmark = pytest.mark.postgres


def racing(monkeypatch: pytest.MonkeyPatch, calls: list[Callable[[], Any]]) -> list[str]:
    """The calls in their own threads, held together once past the uniqueness checks
    (`validate` runs after them)."""
    return race(monkeypatch, promotion_services, "validate", calls)


def create(code: str, external_ref: str | None = None) -> Callable[[], Any]:
    return lambda: services.promotion_create(
        code=code,
        name=code.title(),
        kind="catalog",
        reward_type="percentage",
        reward_value=Decimal(10),
        external_ref=external_ref,
    )


def test_two_creates_with_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = racing(monkeypatch, [create("ete"), create("ete")])

    assert Counter(outcomes) == {"ok": 1, "PROMOTION_CODE_TAKEN": 1}
    assert list(Promotion.objects.values_list("code", flat=True)) == ["ete"]


def test_two_creates_with_the_same_external_ref(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = racing(monkeypatch, [create("ete", "ERP-1"), create("hiver", "ERP-1")])

    assert Counter(outcomes) == {"ok": 1, "EXTERNAL_REF_TAKEN": 1}
    assert Promotion.objects.get().external_ref == "ERP-1"


def test_two_promotions_renamed_to_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = PromotionFactory.create(code="un", name="Un")
    second = PromotionFactory.create(code="deux", name="Deux")

    outcomes = racing(
        monkeypatch,
        [
            lambda: services.promotion_update(promotion=first, code="nouveau", name="A"),
            lambda: services.promotion_update(promotion=second, code="nouveau", name="B"),
        ],
    )

    assert Counter(outcomes) == {"ok": 1, "PROMOTION_CODE_TAKEN": 1}
    rows = sorted(Promotion.objects.values_list("code", "name"))
    assert rows in ([("deux", "Deux"), ("nouveau", "A")], [("nouveau", "B"), ("un", "Un")])
