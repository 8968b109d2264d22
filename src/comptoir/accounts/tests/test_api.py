"""The accounts API end to end through Django's test client: /auth/... and /account/..."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services
from comptoir.accounts.models import Address, ApiToken, User
from comptoir.accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tournevis-cruciforme-42"
PROBLEM = "application/problem+json"


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="lea@example.fr")


@pytest.fixture
def token(user: User) -> str:
    raw, _t = services.api_token_create(user=user)
    return raw


# --- /auth/token ---------------------------------------------------------------------------


@override_settings(API_TOKEN_TTL=86400)
def test_token_ok(client: Client, user: User) -> None:
    response = post(
        client, "/auth/token", {"email": "LEA@example.fr", "password": "correct-horse-battery"}
    )

    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access_token", "expires_in", "token_type"]
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 86400)
    me = client.get("/api/v1/account/me", headers=bearer(body["access_token"]))
    assert me.json()["email"] == "lea@example.fr"


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "lea@example.fr", "password": "wrong"},
        {"email": "nobody@example.fr", "password": "correct-horse-battery"},
    ],
)
def test_token_bad_credentials(client: Client, user: User, credentials: dict[str, str]) -> None:
    response = post(client, "/auth/token", credentials)

    assert_problem(response, 401, "INVALID_CREDENTIALS")
    assert not ApiToken.objects.exists()


@override_settings(LOGIN_THROTTLE_ATTEMPTS=2, LOGIN_THROTTLE_WINDOW=300)
def test_token_throttled(client: Client, user: User) -> None:
    for _ in range(2):
        assert (
            post(client, "/auth/token", {"email": "lea@example.fr", "password": "bad"}).status_code
            == 401
        )

    response = post(
        client, "/auth/token", {"email": "lea@example.fr", "password": "correct-horse-battery"}
    )

    assert_problem(response, 429, "LOGIN_THROTTLED")
    assert 290 <= int(response["Retry-After"]) <= 300
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code", "errors"),
    [
        ('{"email": ', 400, "BAD_REQUEST", None),
        ("[]", 422, "VALIDATION_ERROR", {"email", "password"}),
        ('"x"', 422, "VALIDATION_ERROR", {"email", "password"}),
        ('{"email": 1, "password": []}', 422, "VALIDATION_ERROR", {"email", "password"}),
        ("", 422, "VALIDATION_ERROR", {"__all__"}),
    ],
)
def test_token_malformed_json(
    client: Client, body: str, status: int, code: str, errors: set[str] | None
) -> None:
    response = client.post("/api/v1/auth/token", body, content_type="application/json")

    problem = assert_problem(response, status, code)
    assert (set(problem["errors"]) if "errors" in problem else None) == errors
    assert not ApiToken.objects.exists()


# --- /auth/register, /auth/logout ----------------------------------------------------------


def test_register_ok(client: Client) -> None:
    response = post(
        client,
        "/auth/register",
        {"email": "Marc@Example.fr", "password": GOOD_PASSWORD, "first_name": "Marc"},
        **{"Accept-Language": "en"},
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("email", "first_name", "last_name", "language")} == {
        "email": "marc@example.fr",
        "first_name": "Marc",
        "last_name": "",
        "language": "en",
    }
    assert "password" not in body
    assert User.objects.get(email="marc@example.fr").check_password(GOOD_PASSWORD)


def test_register_duplicate_and_weak(client: Client, user: User) -> None:
    taken = post(client, "/auth/register", {"email": "lea@EXAMPLE.fr", "password": GOOD_PASSWORD})
    weak = post(client, "/auth/register", {"email": "new@example.fr", "password": "123"})

    assert assert_problem(taken, 400, "EMAIL_TAKEN")["errors"].keys() == {"email"}
    assert assert_problem(weak, 400, "PASSWORD_INVALID")["errors"].keys() == {"password"}
    assert User.objects.count() == 1


def test_logout_revokes_only_that_token(client: Client, user: User, token: str) -> None:
    other, _t = services.api_token_create(user=user)

    response = post(client, "/auth/logout", {}, **bearer(token))

    assert response.status_code == 204
    assert_problem(client.get("/api/v1/account/me", headers=bearer(token)), 401, "UNAUTHORIZED")
    assert client.get("/api/v1/account/me", headers=bearer(other)).status_code == 200


def test_logout_without_token(client: Client) -> None:
    assert_problem(post(client, "/auth/logout", {}), 401, "UNAUTHORIZED")


# --- /auth/password-reset ------------------------------------------------------------------


@override_settings(SITE_URL="https://shop.example.test")
def test_password_reset_same_answer_for_known_and_unknown(
    client: Client, user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = post(client, "/auth/password-reset", {"email": "lea@example.fr"})
        unknown = post(client, "/auth/password-reset", {"email": "nobody@example.fr"})

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert len(mail.outbox) == 1
    assert "https://shop.example.test/accounts/password-reset/" in mail.outbox[0].body


@override_settings(SITE_URL="https://shop.example.test", ALLOWED_HOSTS=["*"])
def test_password_reset_confirm_flow(
    client: Client,
    user: User,
    token: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "/auth/password-reset", {"email": "lea@example.fr"}, HOST="evil.example.com")
    match = re.search(
        r"https://shop\.example\.test/accounts/password-reset/([^/]+)/([^/]+)/",
        str(mail.outbox[0].body),
    )
    assert match
    uid, reset_token = match.groups()

    response = post(
        client,
        "/auth/password-reset/confirm",
        {"uid": uid, "token": reset_token, "new_password": GOOD_PASSWORD},
    )
    again = post(
        client,
        "/auth/password-reset/confirm",
        {"uid": uid, "token": reset_token, "new_password": "Autre-Mot-De-Passe-77"},
    )

    assert response.status_code == 200
    assert_problem(again, 400, "RESET_TOKEN_INVALID")
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert_problem(client.get("/api/v1/account/me", headers=bearer(token)), 401, "UNAUTHORIZED")


def test_password_reset_confirm_bad_token(client: Client, user: User) -> None:
    response = post(
        client,
        "/auth/password-reset/confirm",
        {"uid": "MQ", "token": "abc-def", "new_password": GOOD_PASSWORD},
    )

    assert_problem(response, 400, "RESET_TOKEN_INVALID")
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


# --- /account/me ---------------------------------------------------------------------------


def test_me_with_token(client: Client, user: User, token: str) -> None:
    response = client.get("/api/v1/account/me", headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["email"], body["first_name"], body["last_name"]) == (
        user.pk,
        "lea@example.fr",
        "Léa",
        "Durand",
    )


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic bGVhOng="}]
)
def test_me_without_valid_token(client: Client, headers: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/account/me", headers=headers), 401, "UNAUTHORIZED")


def test_me_with_session(client: Client, user: User) -> None:
    client.force_login(user)

    assert client.get("/api/v1/account/me").json()["email"] == "lea@example.fr"


def test_session_write_needs_csrf(user: User) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)

    response = post(
        csrf_client,
        "/account/addresses",
        {
            "first_name": "Léa",
            "last_name": "Durand",
            "street_address_1": "1 rue X",
            "postal_code": "75011",
            "city": "Paris",
            "country": "FR",
        },
    )

    problem = assert_problem(response, 403, "PERMISSION_DENIED")
    assert problem["detail"] == "CSRF check Failed"
    assert not Address.objects.exists()


# --- /account/addresses --------------------------------------------------------------------

ADDRESS = {
    "first_name": "Léa",
    "last_name": "Durand",
    "street_address_1": "12 rue des Lilas",
    "postal_code": "75011",
    "city": "Paris",
    "country": "fr",
    "phone": "06 12 34 56 78",
}


def test_addresses_crud(client: Client, user: User, token: str) -> None:
    created = post(client, "/account/addresses", ADDRESS, **bearer(token))
    assert created.status_code == 201
    body = created.json()
    address_id = body["id"]
    assert body == {
        "id": address_id,
        "first_name": "Léa",
        "last_name": "Durand",
        "company_name": "",
        "street_address_1": "12 rue des Lilas",
        "street_address_2": "",
        "postal_code": "75011",
        "city": "Paris",
        "country": "FR",
        "phone": "+33612345678",
        "is_default_shipping": True,
        "is_default_billing": True,
    }

    listed = client.get("/api/v1/account/addresses", headers=bearer(token))
    assert [a["id"] for a in listed.json()] == [address_id]
    assert (
        client.get(f"/api/v1/account/addresses/{address_id}", headers=bearer(token)).json() == body
    )

    patched = client.patch(
        f"/api/v1/account/addresses/{address_id}",
        json.dumps({"city": "Bruxelles", "postal_code": "1000", "country": "BE"}),
        content_type="application/json",
        headers=bearer(token),
    )
    assert patched.status_code == 200
    assert (
        patched.json()["city"],
        patched.json()["country"],
        patched.json()["street_address_1"],
    ) == ("Bruxelles", "BE", "12 rue des Lilas")

    deleted = client.delete(f"/api/v1/account/addresses/{address_id}", headers=bearer(token))
    assert deleted.status_code == 204
    assert not Address.objects.exists()


def test_address_create_invalid(client: Client, user: User, token: str) -> None:
    response = post(
        client,
        "/account/addresses",
        {**ADDRESS, "postal_code": "7501", "phone": "12"},
        **bearer(token),
    )

    body = assert_problem(response, 400, "ADDRESS_INVALID")
    assert sorted(body["errors"]) == ["phone", "postal_code"]
    assert not Address.objects.exists()


def test_address_create_schema_errors(client: Client, token: str) -> None:
    response = post(
        client, "/account/addresses", {"first_name": "Léa", "country": "FRA"}, **bearer(token)
    )

    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert {"last_name", "street_address_1", "postal_code", "city", "country"} <= set(
        body["errors"]
    )


def test_address_patch_null_is_rejected(client: Client, user: User, token: str) -> None:
    address = AddressFactory.create(user=user)

    response = client.patch(
        f"/api/v1/account/addresses/{address.pk}",
        json.dumps({"city": None}),
        content_type="application/json",
        headers=bearer(token),
    )

    assert_problem(response, 422, "VALIDATION_ERROR")
    address.refresh_from_db()
    assert address.city == "Paris"


def test_another_users_address_is_404(client: Client, token: str) -> None:
    theirs = AddressFactory.create(user=UserFactory.create(), city="Nantes")
    url = f"/api/v1/account/addresses/{theirs.pk}"

    assert_problem(client.get(url, headers=bearer(token)), 404, "ADDRESS_NOT_FOUND")
    assert_problem(
        client.patch(
            url,
            json.dumps({"city": "Nice"}),
            content_type="application/json",
            headers=bearer(token),
        ),
        404,
        "ADDRESS_NOT_FOUND",
    )
    assert_problem(client.delete(url, headers=bearer(token)), 404, "ADDRESS_NOT_FOUND")
    assert client.get("/api/v1/account/addresses", headers=bearer(token)).json() == []
    theirs.refresh_from_db()
    assert theirs.city == "Nantes"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/account/addresses"),
        ("post", "/api/v1/account/addresses"),
        ("get", "/api/v1/account/addresses/1"),
        ("delete", "/api/v1/account/addresses/1"),
    ],
)
def test_addresses_need_auth(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(path, content_type="application/json")

    assert_problem(response, 401, "UNAUTHORIZED")


def test_expired_token_is_401(client: Client, token: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_problem(client.get("/api/v1/account/me", headers=bearer(token)), 401, "UNAUTHORIZED")


# --- text no database can store: 4xx, never a 500 (PostgreSQL rejects NUL) -----------------

NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_unstorable_text_is_bad_input(client: Client, user: User, token: str, bad: str) -> None:
    # json.dumps escapes both (\\u0000, \\ud800), as a hostile client would send them;
    # pydantic refuses lone surrogates itself (422), the services refuse NUL.
    calls = [
        ("/auth/token", {"email": bad, "password": "x"}, {401, 422}),
        ("/auth/token", {"email": "lea@example.fr", "password": bad}, {401, 422}),
        (
            "/auth/register",
            {"email": "n@example.fr", "password": GOOD_PASSWORD, "first_name": bad},
            {400, 422},
        ),
        ("/auth/register", {"email": "n@example.fr", "password": bad + GOOD_PASSWORD}, {400, 422}),
        ("/auth/password-reset", {"email": bad}, {202, 422}),
        (
            "/auth/password-reset/confirm",
            {"uid": bad, "token": bad, "new_password": bad},
            {400, 422},
        ),
        ("/account/addresses", {**ADDRESS, "city": bad}, {400, 422}),
    ]
    for path, body, allowed in calls:
        response = post(client, path, body, **bearer(token))
        assert response.status_code in allowed, (path, body, response.content)
    assert client.get("/api/v1/account/me", headers=bearer(bad)).status_code == 401
    assert User.objects.count() == 1
    assert not Address.objects.exists()


def test_nul_in_address_is_address_invalid(client: Client, token: str) -> None:
    response = post(client, "/account/addresses", {**ADDRESS, "city": NUL}, **bearer(token))

    assert assert_problem(response, 400, "ADDRESS_INVALID")["errors"].keys() == {"city"}
