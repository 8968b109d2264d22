"""Regressions found by fuzzing the staff inventory API: each was a 500 before its fix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.testing import Api, api_for, problem
from comptoir.inventory import services
from comptoir.inventory.models import StockMovement, Warehouse

pytestmark = pytest.mark.django_db


def _api() -> Api:
    return api_for(StaffFactory.create())


@pytest.mark.parametrize("page", [2**63, 922337203685477580, 10**30])
@pytest.mark.parametrize("path", ["warehouses", "stock", "stock/movements", "stock/reservations"])
def test_a_page_past_the_int64_range_is_empty(
    lyon: Warehouse, variant: ProductVariant, channel: Channel, path: str, page: int
) -> None:
    """The offset (page - 1) * page_size reached SQL: IntegrityError "datatype mismatch"
    on SQLite, DataError on PostgreSQL: a 500."""
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    services.stock_reserve(
        token="co-1",
        lines=[(variant.pk, 1)],
        channel=channel,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    response = _api().get(path, {"page": page})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["results"], body["next"]) == (1, [], None)  # one of each
    assert body["previous"] == f"/api/v1/admin/{path}?page={page - 1}&page_size=24"


# NUL in text: PostgreSQL refuses it in a query ("A string literal cannot contain NUL"), a
# 500 there (SQLite simply found nothing).


@pytest.mark.parametrize("path", ["stock", "stock/movements", "stock/reservations"])
@pytest.mark.parametrize("field", ["warehouse", "sku"])
@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_a_list_filter_that_no_column_can_hold_is_invalid_text(
    lyon: Warehouse, path: str, field: str, value: str
) -> None:
    body = problem(_api().get(path, {field: value}), 400, "INVALID_TEXT")

    assert list(body["errors"]) == [field]


def test_a_reservation_token_with_a_nul_is_invalid_text() -> None:
    problem(_api().get("stock/reservations", {"token": "co\x00"}), 400, "INVALID_TEXT")


UNKNOWN_WAREHOUSE = "WAREHOUSE_NOT_FOUND"


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        (
            "stock/receive",
            {"warehouse": "ly\x00on", "sku": "PERC-18V"},
            (UNKNOWN_WAREHOUSE, "warehouse"),
        ),
        ("stock/receive", {"warehouse": "lyon", "sku": "PERC\x00"}, ("VARIANT_NOT_FOUND", "sku")),
        (
            "stock/adjust",
            {"warehouse": "\x00", "sku": "PERC-18V"},
            (UNKNOWN_WAREHOUSE, "warehouse"),
        ),
        (
            "stock/transfer",
            {"sku": "PERC-18V", "source": "lyon", "destination": "\x00"},
            (UNKNOWN_WAREHOUSE, "destination"),
        ),
    ],
)
def test_a_reference_with_a_nul_is_an_unknown_reference(
    lyon: Warehouse,
    variant: ProductVariant,
    path: str,
    body: dict[str, Any],
    error: tuple[str, str],
) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    before = list(StockMovement.objects.values_list("pk", flat=True))

    response = _api().post(path, {"quantity": 1, "delta": 1, **body})

    code, field = error
    assert list(problem(response, 400, code)["errors"]) == [field]
    assert list(StockMovement.objects.values_list("pk", flat=True)) == before


def test_a_warehouse_code_with_a_nul_in_the_path_is_not_found(lyon: Warehouse) -> None:
    api = _api()
    problem(api.get("warehouses/ly%00on"), 404, "WAREHOUSE_NOT_FOUND")
    problem(api.patch("warehouses/%00", {"name": "X"}), 404, "WAREHOUSE_NOT_FOUND")
    assert Warehouse.objects.get().name == "Lyon"


def test_a_channel_code_with_a_nul_is_an_unknown_channel(channel: Channel) -> None:
    response = _api().post("warehouses", {"code": "nord", "name": "Nord", "channels": ["a\x00"]})

    problem(response, 400, "CHANNEL_NOT_FOUND")
    assert not Warehouse.objects.filter(code="nord").exists()
