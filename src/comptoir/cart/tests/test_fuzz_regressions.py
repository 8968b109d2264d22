"""Regressions found by fuzzing the cart API: each was a 500 before its fix."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.cart import services
from comptoir.cart.tests.conftest import Shop
from comptoir.core.testing import clerk_api, problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", [2**63, 922337203685477580, 10**30])
def test_staff_list_page_past_the_int64_range_is_empty(
    client: Client, shop: Shop, page: int
) -> None:
    """The offset (page - 1) * page_size reached SQL: IntegrityError "datatype mismatch"
    on SQLite, DataError on PostgreSQL: a 500."""
    services.cart_create(channel=shop.b2c, language="fr")
    api = clerk_api(client, "view_cart")

    response = api.get("carts", {"page": page})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["results"], body["next"]) == (1, [], None)


def test_staff_list_channel_filter_with_a_nul_is_invalid_text(client: Client, shop: Shop) -> None:
    """PostgreSQL refuses NUL in a query: a 500 there (SQLite simply found nothing)."""
    api = clerk_api(client, "view_cart")

    body = problem(api.get("carts", {"channel": "boutique\x00"}), 400, "INVALID_TEXT")

    assert list(body["errors"]) == ["channel"]
