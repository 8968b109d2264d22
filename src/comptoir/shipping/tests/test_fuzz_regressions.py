"""Regressions found by fuzzing the staff shipping API: each was a 500 before its fix."""

from __future__ import annotations

import pytest

from comptoir.core.testing import Api, problem
from comptoir.shipping.models import WeightBracket
from comptoir.shipping.tests.conftest import France

pytestmark = pytest.mark.django_db


def _brackets(method_id: int) -> list[tuple[int, str]]:
    return [
        (weight, f"{price:.2f}")
        for weight, price in WeightBracket.objects.filter(method_id=method_id)
        .order_by("up_to_grams")
        .values_list("up_to_grams", "price")
    ]


def test_patch_with_brackets_replaces_them(api: Api, france: France) -> None:
    """PATCH with `brackets` read them as dicts: TypeError, 500."""
    response = api.patch(
        f"shipping-methods/{france.chrono.pk}",
        {"brackets": [{"up_to_grams": 2000, "price": "8.90"}, {"up_to_grams": 500, "price": 5}]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["brackets"] == [
        {"up_to_grams": 500, "price": "5.00"},
        {"up_to_grams": 2000, "price": "8.90"},
    ]
    assert _brackets(france.chrono.pk) == [(500, "5.00"), (2000, "8.90")]


def test_patch_turning_a_flat_method_weight_based_with_brackets(api: Api, france: France) -> None:
    response = api.patch(
        f"shipping-methods/{france.colissimo.pk}",
        {"kind": "weight", "brackets": [{"up_to_grams": 1000, "price": "6.50"}]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["brackets"]) == (
        "weight",
        [{"up_to_grams": 1000, "price": "6.50"}],
    )


@pytest.mark.parametrize(
    ("bracket", "code"),
    [
        ({"up_to_grams": -4360, "price": "1"}, "INVALID_BRACKETS"),
        ({"up_to_grams": 2**63, "price": "1"}, "INVALID_BRACKETS"),
        ({"up_to_grams": 1000, "price": "-1"}, "INVALID_PRICE"),
        ({"up_to_grams": 1000, "price": "NaN"}, "INVALID_PRICE"),
        ({"up_to_grams": 1000, "price": 6.4e16}, "INVALID_PRICE"),
    ],
)
def test_patch_with_bad_brackets_is_a_400_that_changes_nothing(
    api: Api, france: France, bracket: dict[str, object], code: str
) -> None:
    before = _brackets(france.chrono.pk)

    response = api.patch(f"shipping-methods/{france.chrono.pk}", {"brackets": [bracket]})

    problem(response, 400, code)
    assert _brackets(france.chrono.pk) == before


@pytest.mark.parametrize("page", [2**63, 922337203685477580, 10**30])
@pytest.mark.parametrize("path", ["shipping-zones", "shipping-methods"])
def test_a_page_past_the_int64_range_is_empty(
    api: Api, france: France, path: str, page: int
) -> None:
    """The offset reached SQL: IntegrityError (SQLite) / DataError (PostgreSQL), 500."""
    response = api.get(path, {"page": page})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["results"], body["next"]) == (1 if "zones" in path else 3, [], None)
