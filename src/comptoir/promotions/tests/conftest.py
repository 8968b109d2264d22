"""Fixtures shared by the promotions tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory

ADMIN = "/api/v1/admin"


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


class Api:
    """A client that sends JSON with a bearer token (none: anonymous)."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{ADMIN}/{path}", params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        data = body if isinstance(body, str) else json.dumps(body)
        return call(
            f"{ADMIN}/{path}", data=data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{ADMIN}/{path}", headers=self.headers)


def api_for(user: Any) -> Api:
    raw, _token = api_token_create(user=user)
    return Api(Client(), raw)


@pytest.fixture
def api() -> Api:
    return api_for(StaffFactory.create())


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body
