"""The OpenAPI document describes the routes as they are served: every path under
/api/v1/, and no two schemas of the same name (ninja keeps the last one silently)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from comptoir.api import api

pytestmark = pytest.mark.django_db


def test_every_path_is_under_the_api_prefix() -> None:
    paths = list(api.get_openapi_schema()["paths"])
    malformed = [p for p in paths if not re.match(r"^/api/v1/[a-z{]", p) or "//" in p]
    assert malformed == []


def test_the_documented_cart_routes_answer(client: Client) -> None:
    # A path misjoined in the document (say "/api/v1carts") would still route: ask both.
    assert "/api/v1/carts/{token}/lines/bulk" in api.get_openapi_schema()["paths"]
    response = client.post("/api/v1/carts/x/lines/bulk", content_type="application/json")
    assert response.json()["code"] != "NOT_FOUND"  # the route exists (the cart does not)
