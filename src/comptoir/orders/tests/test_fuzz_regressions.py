"""Regressions found by fuzzing the orders API: each was a 500 before its fix."""

from __future__ import annotations

import pytest

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.core.testing import Api, api_for, problem
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # Midnight of year 1 in Paris is still year 0 in UTC.
        ("placed_from", "0001-01-01"),
        ("placed_from", "0001-01-01T00:00:00+14:00"),
        ("placed_to", "0001-01-01T05:00:00+09:00"),
        # The last second of year 9999 at UTC-12 is in year 10000 in UTC.
        ("placed_to", "9999-12-31T23:59:59-12:00"),
    ],
)
def test_a_date_with_no_utc_equivalent_is_a_400(api: Api, field: str, value: str) -> None:
    """Converted to UTC only when the query was compiled: OverflowError, a 500."""
    body = problem(api.get("orders", {field: value}), 400, "INVALID_INPUT")

    assert list(body["errors"]) == [field]


def test_the_extreme_dates_that_exist_in_utc_still_filter(api: Api, channel: Channel) -> None:
    order = make_order(channel=channel)

    response = api.get(
        "orders", {"placed_from": "0001-01-02", "placed_to": "9999-12-31T23:59:59+01:00"}
    )

    assert response.status_code == 200, response.content
    assert [row["number"] for row in response.json()["results"]] == [order.number]
    assert api.get("orders", {"placed_to": "0001-01-02T00:00:00Z"}).json()["count"] == 0
