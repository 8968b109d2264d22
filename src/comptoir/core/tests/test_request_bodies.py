"""Bodies Django cannot parse, or that an endpoint does not expect, and errors Django answers
itself (handler400/403/404/500): under /api/ they are 4xx/5xx problem+json, never an HTML
page or a 500 for a client's mistake. Pages outside /api/ keep their HTML answers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.client import BOUNDARY, encode_multipart

from comptoir.accounts import selectors, services
from comptoir.accounts.models import Address, User
from comptoir.accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
MULTIPART = f"multipart/form-data;boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


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


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code


# --- bodies -------------------------------------------------------------------------------


def test_multipart_patch_with_a_garbage_body_is_a_400_problem(
    bearer: dict[str, str], address: Address
) -> None:
    response = Client().patch(
        f"/api/v1/account/addresses/{address.pk}",
        b"garbage, no boundary anywhere",
        content_type=MULTIPART,
        headers=bearer,
    )

    assert_problem(response, 400, "BAD_REQUEST")
    address.refresh_from_db()
    assert address.city == "Lyon"


def test_multipart_patch_to_a_json_endpoint_is_a_400_problem(
    bearer: dict[str, str], address: Address
) -> None:
    body = encode_multipart(BOUNDARY, {"city": "Paris"})

    response = Client().patch(
        f"/api/v1/account/addresses/{address.pk}", body, content_type=MULTIPART, headers=bearer
    )

    assert_problem(response, 400, "BAD_REQUEST")
    address.refresh_from_db()
    assert address.city == "Lyon"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_urlencoded_patch_over_the_upload_limit_is_a_413_problem(
    bearer: dict[str, str], address: Address
) -> None:
    response = Client().patch(
        f"/api/v1/account/addresses/{address.pk}",
        "city=" + "x" * 2000,
        content_type=URLENCODED,
        headers=bearer,
    )

    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    address.refresh_from_db()
    assert address.city == "Lyon"


def test_delete_with_many_form_fields_ignores_the_body(
    bearer: dict[str, str], address: Address
) -> None:
    body = "&".join(f"field{i}=1" for i in range(1200))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS

    response = Client().delete(
        f"/api/v1/account/addresses/{address.pk}", body, content_type=URLENCODED, headers=bearer
    )

    assert response.status_code == 204
    assert not Address.objects.filter(pk=address.pk).exists()


def test_form_post_read_by_the_csrf_check_is_a_400_problem_not_a_500(user: User) -> None:
    """A session form POST: the CSRF check parses the form, then the JSON endpoint cannot
    read the raw body any more (RawPostDataException)."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    client.cookies["csrftoken"] = "A" * 32

    response = client.post(
        "/api/v1/account/addresses", {"csrfmiddlewaretoken": "A" * 32, "city": "Paris"}
    )

    assert_problem(response, 400, "BAD_REQUEST")
    assert Address.objects.count() == 0


# --- Django's own error answers -----------------------------------------------------------


def test_disallowed_host_under_the_api_is_a_400_problem() -> None:
    response = Client().get("/api/v1/channels", HTTP_HOST="evil.example")

    assert_problem(response, 400, "BAD_REQUEST")


def test_disallowed_host_outside_the_api_is_an_html_page() -> None:
    response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def raising(exc: Exception) -> Callable[[Callable[[HttpRequest], HttpResponse]], Any]:
    def middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
        def handle(request: HttpRequest) -> HttpResponse:
            raise exc

        return handle

    return middleware


broken_middleware = raising(RuntimeError("middleware bug"))
denying_middleware = raising(PermissionDenied("no"))


@pytest.mark.parametrize(
    ("middleware", "status", "code"),
    [
        ("broken_middleware", 500, "INTERNAL_ERROR"),
        ("denying_middleware", 403, "PERMISSION_DENIED"),
    ],
)
def test_middleware_errors_under_the_api_are_problems(
    settings: Any, middleware: str, status: int, code: str
) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.{middleware}"]

    response = Client(raise_request_exception=False).get("/api/v1/channels")

    assert_problem(response, status, code)


def test_middleware_error_outside_the_api_is_the_html_500_page(settings: Any) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.broken_middleware"]

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"<html" in response.content.lower()


def test_unknown_page_outside_the_api_is_the_html_404_page() -> None:
    response = Client().get("/no-such-page-anywhere/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- logging ------------------------------------------------------------------------------


def test_an_unexpected_500_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, bearer: dict[str, str]
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "address_list", broken)

    with caplog.at_level(logging.ERROR):
        response = Client(raise_request_exception=False).get(
            "/api/v1/account/addresses", headers=bearer
        )

    assert response.status_code == 500
    assert [(r.name, r.levelname) for r in caplog.records] == [("comptoir.api", "ERROR")]
