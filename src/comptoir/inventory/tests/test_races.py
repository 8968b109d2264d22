"""Two requests creating or renaming warehouses with the same code or external reference at
once, on PostgreSQL: each in its own thread with its own connection, both held by a barrier
until both have passed the uniqueness checks (`validate` runs after them). One wins; the
other gets the 409 the checks give (never an IntegrityError, a 500), and changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from comptoir.core.testing import race
from comptoir.inventory import services
from comptoir.inventory.models import Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.postgres


def racing(monkeypatch: pytest.MonkeyPatch, calls: list[Callable[[], Any]]) -> list[str]:
    return race(monkeypatch, services.warehouses, "validate", calls)


def create(code: str, external_ref: str | None = None) -> Callable[[], Any]:
    return lambda: services.warehouse_create(
        code=code, name=code.title(), external_ref=external_ref
    )


def test_two_creates_with_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = racing(monkeypatch, [create("lyon"), create("lyon")])

    assert Counter(outcomes) == {"ok": 1, "WAREHOUSE_CODE_TAKEN": 1}
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["lyon"]


def test_two_creates_with_the_same_external_ref(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = racing(monkeypatch, [create("un", "ERP-1"), create("deux", "ERP-1")])

    assert Counter(outcomes) == {"ok": 1, "EXTERNAL_REF_TAKEN": 1}
    assert Warehouse.objects.get().external_ref == "ERP-1"


def test_two_warehouses_renamed_to_the_same_code(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = WarehouseFactory.create(code="un", name="Un")
    second = WarehouseFactory.create(code="deux", name="Deux")

    outcomes = racing(
        monkeypatch,
        [
            lambda: services.warehouse_update(warehouse=first, code="nouveau", name="A"),
            lambda: services.warehouse_update(warehouse=second, code="nouveau", name="B"),
        ],
    )

    assert Counter(outcomes) == {"ok": 1, "WAREHOUSE_CODE_TAKEN": 1}
    assert sorted(Warehouse.objects.values_list("code", "name")) in (
        [("deux", "Deux"), ("nouveau", "A")],
        [("nouveau", "B"), ("un", "Un")],
    )
