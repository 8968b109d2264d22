"""Regressions found by fuzzing the staff inventory API: each was a 500 before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.testing import Api, api_for
from comptoir.inventory import services
from comptoir.inventory.models import Warehouse

pytestmark = pytest.mark.django_db


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
    api: Api = api_for(StaffFactory.create())

    response = api.get(path, {"page": page})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["results"], body["next"]) == (1, [], None)  # one of each
    assert body["previous"] == f"/api/v1/admin/{path}?page={page - 1}&page_size=24"
