"""Test helpers shared by the API tests of every app: problem+json assertions and a client
of the staff API that sends JSON with a bearer token. Imported by tests only."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connections
from django.test import Client
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language_from_path

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.core.errors import DomainError

ADMIN = "/api/v1/admin"
BUYER = "/api/v1"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The problem+json body of `response`, asserting its status and error code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


class Api:
    """A client of the staff API (under /api/v1/admin/, or `base`: BUYER for the buyers'
    routes) that sends JSON with a bearer token (none: anonymous)."""

    def __init__(self, client: Client, token: str | None, *, base: str = ADMIN) -> None:
        self.client = client
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{self.base}/{path}", params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        data = body if isinstance(body, str) else json.dumps(body)
        return call(
            f"{self.base}/{path}", data=data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("put", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{self.base}/{path}", headers=self.headers)

    def csv(self, path: str, text: str | bytes) -> Any:
        return self.client.post(
            f"{self.base}/{path}", data=text, content_type="text/csv", headers=self.headers
        )


def api_for(user: Any, client: Client | None = None, *, base: str = ADMIN) -> Api:
    """An Api authenticated as `user` with a new API token (on a new client if none)."""
    raw, _token = api_token_create(user=user)
    return Api(client or Client(), raw, base=base)


def clerk_api(client: Client, *codenames: str) -> Api:
    """An Api of a new staff member (not a superuser) with the permissions `codenames`."""
    clerk = StaffFactory.create(is_superuser=False)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return api_for(clerk, client)


RACE_TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def race(monkeypatch: Any, module: object, name: str, calls: list[Callable[[], Any]]) -> list[str]:
    """Run each call in its own thread (so its own database connection), all held by a
    barrier right after `module.name` returns (a check that runs past the uniqueness
    pre-checks), so that they race for the same rows. Returns, per call in completion
    order, "ok", the DomainError code, or the repr of any other exception (which the
    caller's assertions then fail on)."""
    barrier = threading.Barrier(len(calls), timeout=RACE_TIMEOUT)
    original = getattr(module, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, held)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            call()
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.code
        except BaseException as exc:  # reported to the test, which fails on it
            outcome = repr(exc)
        finally:
            connections.close_all()  # this thread's connections only
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a call never finished"
    return outcomes


def in_language(path: str, language: str) -> str:
    """A localized page's path (and query) in `language`: `/p/x/?page=2` -> `/en/p/x/?page=2`
    (French, the default, has no prefix). Other paths come back unchanged."""
    with translation.override(get_language_from_path(path) or settings.LANGUAGE_CODE):
        return translate_url(path, language)


class LanguageClient(Client):
    """A test client that asks for localized pages in one language: `client.get("/cart/")`
    requests `/en/cart/` when the language is English (the path chooses a page's language)."""

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", language)
        super().__init__(*args, **kwargs)
        self.language = language

    def generic(self, method: str, path: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, str) and path.startswith("/"):
            path = in_language(path, self.language)
        return super().generic(method, path, *args, **kwargs)
