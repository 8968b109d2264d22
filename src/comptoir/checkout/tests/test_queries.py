"""The checkout call's SQL statements are pinned: a new query (or savepoint) per line, per
coupon or per service is a regression the bench would only show as time."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout.tests.conftest import APPROVED

pytestmark = pytest.mark.django_db(transaction=True)

CARD = {"payment_method": "test_card", "payment_source": APPROVED}

# A 5-line guest cart, paid by the test card, after-commit work (the outbox's emails) run
# in the request as the tests run tasks: idempotency claim and completion; the cart (read,
# then locked in both transactions); its view (lines, engine rows, free stock; the
# automatic cart promotions come from the process's copy); the reservation (one stock
# update for every row, its variants, warehouses and stock rows read at once); the
# payment (created, charged by the test gateway, settled, attached); the order placed paid (variants and stocks checked, number, row, lines,
# allocations, events, outbox; the channel from the process's copy) and the cart marked
# twice (the first time with the checkout holding it), with the savepoints of the
# reservation and the placement (SQLite counts its `BEGIN IMMEDIATE`, PostgreSQL as many
# other statements).
CHECKOUT_QUERIES = 86
# Statements per extra line: none (stock rows change in one UPDATE per batch of rows).
PER_LINE = 0


def _checkout(client: Client, cart: Cart, key: str) -> Any:
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps(CARD),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_checkout_statements_are_pinned(
    client: Client, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    warm, *carts = [
        make_cart(lines)
        for lines in ([(variants[0], 1)], [(variants[0], 1)], [(v, 2) for v in variants])
    ]
    # Then warm the process's copies (rates, shipping, promotions, channels), which the
    # carts' fixtures may have made stale: read outside a transaction (a copy loaded
    # inside one is not kept), and a first checkout.
    assert client.get(f"/api/v1/carts/{warm.token}").status_code == 200
    assert _checkout(client, warm, "warm").status_code == 201
    counts = []
    for n, cart in enumerate(carts):
        with CaptureQueriesContext(connection) as queries:
            response = _checkout(client, cart, f"key-{n}")
        assert response.status_code == 201, response.content
        counts.append(len(queries))
    statements = [q["sql"][:120] for q in queries.captured_queries]
    assert counts[1] - counts[0] == 4 * PER_LINE, statements
    assert counts[1] == CHECKOUT_QUERIES, "\n".join(statements)
