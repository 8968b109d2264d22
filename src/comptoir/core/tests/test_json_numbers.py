"""JSON bodies hold strict JSON only: NaN, Infinity, -Infinity (which Python's json module
reads) and numbers too large for a float (read as infinity) are a 400 BAD_REQUEST, like any
body that is not JSON, and change nothing; no database could store them in a JSON column."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client

from comptoir.accounts import services
from comptoir.accounts.models import Address, User
from comptoir.accounts.tests.factories import AddressFactory, UserFactory
from comptoir.api import StrictJSONParser

pytestmark = pytest.mark.django_db

NOT_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1.5e999"]


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="lea@example.fr")


@pytest.fixture
def bearer(user: User) -> dict[str, str]:
    raw, _token = services.api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def address(user: User) -> Address:
    return AddressFactory.create(user=user, city="Lyon")


def parse(body: bytes) -> Any:
    request = HttpRequest()
    request._body = body
    return StrictJSONParser().parse_body(request)


@pytest.mark.parametrize("number", NOT_JSON_NUMBERS)
def test_a_number_json_does_not_allow_is_a_400_and_changes_nothing(
    bearer: dict[str, str], address: Address, number: str
) -> None:
    response = Client().patch(
        f"/api/v1/account/addresses/{address.pk}",
        '{"city": "Paris", "extra": {"k": [' + number + "]}}",
        content_type="application/json",
        headers=bearer,
    )

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "BAD_REQUEST"
    address.refresh_from_db()
    assert address.city == "Lyon"


@pytest.mark.parametrize("number", NOT_JSON_NUMBERS)
def test_the_parser_refuses_what_json_does_not_allow(number: str) -> None:
    with pytest.raises(ValueError, match=r"not JSON|out of range"):
        parse(b'{"k": %s}' % number.encode())


def test_the_parser_reads_ordinary_numbers_as_json_does() -> None:
    body = b'{"a": 1.5, "b": -0.0, "c": 1e308, "d": 1e-400, "e": 12345678901234567890}'

    assert parse(body) == {"a": 1.5, "b": -0.0, "c": 1e308, "d": 0.0, "e": 12345678901234567890}


def test_a_string_nan_is_still_a_string() -> None:
    assert parse(b'{"k": "NaN", "l": "Infinity"}') == {"k": "NaN", "l": "Infinity"}
