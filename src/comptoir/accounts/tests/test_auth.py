"""The auth helpers other routers use: bearer, session, optional caller."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.test import RequestFactory
from ninja.errors import AuthenticationError

from comptoir.accounts import services
from comptoir.accounts.auth import bearer_auth, bearer_token, client_ip, optional_user
from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(authorization: str | None = None, user: User | None = None) -> HttpRequest:
    headers = {"Authorization": authorization} if authorization else {}
    request = RequestFactory().get("/api/v1/products", headers=headers, REMOTE_ADDR="192.0.2.9")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def test_optional_user_anonymous() -> None:
    assert optional_user(_request()) is None


def test_optional_user_from_bearer_token() -> None:
    user = UserFactory.create()
    raw, _t = services.api_token_create(user=user)

    assert optional_user(_request(f"Bearer {raw}")) == user


def test_optional_user_from_session() -> None:
    user = UserFactory.create()

    assert optional_user(_request(user=user)) == user


def test_optional_user_bearer_wins_over_session() -> None:
    session_user, token_user = UserFactory.create(), UserFactory.create()
    raw, _t = services.api_token_create(user=token_user)

    assert optional_user(_request(f"Bearer {raw}", user=session_user)) == token_user


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer " + "x" * 300])
def test_optional_user_bad_bearer_is_401(header: str) -> None:
    with pytest.raises(AuthenticationError):
        optional_user(_request(header))


def test_optional_user_ignores_other_schemes() -> None:
    assert optional_user(_request("Basic bGVhOng=")) is None


def test_bearer_auth_sets_request_user() -> None:
    user = UserFactory.create()
    raw, _t = services.api_token_create(user=user)
    request = _request(f"Bearer {raw}")

    assert bearer_auth(request) == user
    assert request.user == user


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("", None),
    ],
)
def test_bearer_token_parsing(header: str, expected: str | None) -> None:
    assert bearer_token(_request(header or None)) == expected


def test_client_ip_is_remote_addr() -> None:
    assert client_ip(_request()) == "192.0.2.9"
