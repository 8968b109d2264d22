"""Concurrent additions to one requisition list, on PostgreSQL: each call in its own
thread, held by a barrier past its input checks so that they race for the list's row
lock. Quantities add up exactly; the line limit holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from comptoir.cart.tests.conftest import Shop
from comptoir.core.testing import race
from comptoir.requisitions import services
from comptoir.requisitions.models import RequisitionListLine

pytestmark = pytest.mark.postgres


def test_concurrent_additions_of_one_sku_add_up(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier", shared=True)
    calls = [
        lambda: services.requisition_line_add(
            user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=2
        )
        for _ in range(3)
    ]
    assert race(monkeypatch, services, "_note", calls) == ["ok"] * 3
    assert RequisitionListLine.objects.get().quantity == 6


def test_the_line_limit_holds_under_concurrent_additions(
    transactional_db: Any, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_LINES", 1)
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier")

    def adding(sku: str) -> Callable[[], Any]:
        return lambda: services.requisition_line_add(
            user=shop.buyer, list_id=rlist.pk, sku=sku, quantity=1
        )

    calls = [adding("DRILL"), adding("DRILL-XL")]
    outcomes = race(monkeypatch, services, "_note", calls)
    assert Counter(outcomes) == {"ok": 1, "REQUISITION_LIST_FULL": 1}
    assert RequisitionListLine.objects.count() == 1
