"""Every error under /api/ is problem+json: unexpected exceptions (500) and methods a path
does not allow (405). Pages outside /api/ keep Django's own answers."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.test import Client, override_settings
from django.urls import reverse

from comptoir.accounts import selectors, services
from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
SECRET = "password=hunter2 at /srv/comptoir/secrets.py"


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="lea@example.fr")


@pytest.fixture
def bearer(user: User) -> dict[str, str]:
    raw, _token = services.api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_unexpected_exception_is_a_500_problem_without_internals(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, bearer: dict[str, str]
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(selectors, "address_list", broken)
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="comptoir.api"):
        response = client.get("/api/v1/account/addresses", headers=bearer)

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://comptoir.dev/problems/internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": "An unexpected error occurred. It has been logged.",
        "code": "INTERNAL_ERROR",
    }
    assert "hunter2" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "comptoir.api"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert record.exc_info[1] is not None
    assert str(record.exc_info[1]) == SECRET
    assert "GET /api/v1/account/addresses" in record.getMessage()


def test_domain_errors_still_map_to_their_own_problem(bearer: dict[str, str]) -> None:
    response = Client().get("/api/v1/account/addresses/999999", headers=bearer)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "ADDRESS_NOT_FOUND"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("get", "/api/v1/auth/token", "POST"),
        ("put", "/api/v1/auth/token", "POST"),
        ("post", "/api/v1/account/me", "GET"),
        ("put", "/api/v1/account/addresses/{address_id}", "DELETE, GET, PATCH"),
    ],
)
def test_method_not_allowed_is_a_405_problem(
    user: User, bearer: dict[str, str], method: str, path: str, allow: str
) -> None:
    address = AddressFactory.create(user=user)

    response = getattr(Client(), method)(path.format(address_id=address.pk), headers=bearer)

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert ", ".join(sorted(response["Allow"].split(", "))) == allow  # order is ninja's
    assert response.json() == {
        "type": "https://comptoir.dev/problems/method-not-allowed",
        "title": "Method not allowed",
        "status": 405,
        "detail": f"{method.upper()} is not allowed here. Allowed: {response['Allow']}.",
        "code": "METHOD_NOT_ALLOWED",
    }


def test_method_not_allowed_outside_the_api_is_left_alone(client: Client) -> None:
    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_body_over_the_upload_limit_is_a_413_problem() -> None:
    body = '{"email": "' + "x" * 2000 + '", "password": "y"}'

    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_djangos_permission_denied_is_a_403_problem(
    monkeypatch: pytest.MonkeyPatch, bearer: dict[str, str]
) -> None:
    def forbidden(**kwargs: object) -> None:
        raise DjangoPermissionDenied

    monkeypatch.setattr(selectors, "address_list", forbidden)

    response = Client(raise_request_exception=False).get(
        "/api/v1/account/addresses", headers=bearer
    )

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "PERMISSION_DENIED"


def test_unexpected_exception_still_reaches_the_test_client(
    monkeypatch: pytest.MonkeyPatch, bearer: dict[str, str]
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(selectors, "address_list", broken)

    with pytest.raises(RuntimeError, match="hunter2"):
        Client().get("/api/v1/account/addresses", headers=bearer)
