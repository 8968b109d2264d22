"""Quick order through the API: `POST carts/{token}/lines/bulk` (JSON) and `POST
carts/{token}/lines/import` (CSV body, multipart file, pasted text). Per-line rejections
in the answer; refusals of the whole request are problem+json and change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart import services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.tests.conftest import API, Caller, Shop
from comptoir.core.models import IdempotencyRecord
from comptoir.core.testing import problem

pytestmark = pytest.mark.django_db


def quantities(token: str) -> dict[str, int]:
    return dict(CartLine.objects.filter(cart__token=token).values_list("variant__sku", "quantity"))


@pytest.fixture
def lea(client: Client, shop: Shop) -> Caller:
    return Caller(client, shop.shopper)


@pytest.fixture
def token(shop: Shop) -> str:
    return services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr").token


def post_csv(caller: Caller, token: str, data: bytes | str, content_type: str = "text/csv") -> Any:
    return caller.client.post(
        f"{API}/carts/{token}/lines/import",
        data=data,
        content_type=content_type,
        headers=caller.headers,
    )


def test_bulk_adds_and_reports(lea: Caller, token: str) -> None:
    response = lea.post(
        f"carts/{token}/lines/bulk",
        {
            "lines": [
                {"sku": "DRILL", "quantity": 2},
                {"sku": "NOPE", "quantity": 1},
                {"sku": "DRILL-XL", "quantity": "3"},
                {"sku": "DRILL", "quantity": 1},
                {"sku": 42, "quantity": 1},
                {"sku": "DRILL-XL", "quantity": 2.0},
            ]
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == [
        {
            "lines": [1, 4],
            "sku": "DRILL",
            "quantity": 3,
            "line_id": CartLine.objects.get().pk,
            "line_quantity": 3,
        }
    ]
    assert [
        (r["line"], r["lines"], r["sku"], r["quantity"], r["code"]) for r in body["rejected"]
    ] == [
        (2, [2], "NOPE", 1, "UNKNOWN_SKU"),
        (3, [3], "DRILL-XL", None, "INVALID_QUANTITY"),
        (5, [5], "", 1, "UNKNOWN_SKU"),
        (6, [6], "DRILL-XL", None, "INVALID_QUANTITY"),
    ]
    assert body["rejected"][0]["value"] == "NOPE 1"
    assert [(line["sku"], line["quantity"]) for line in body["cart"]["lines"]] == [("DRILL", 3)]
    assert body["cart"]["subtotal"]["gross"] == "72.00"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"lines": [{"sku": "DRILL", "quantity": 1}] * 501}, 400, "TOO_MANY_LINES"),
        ({"lines": "DRILL 1"}, 422, "VALIDATION_ERROR"),
        ({}, 422, "VALIDATION_ERROR"),
        ("not json", 400, "BAD_REQUEST"),
    ],
)
def test_bulk_refused_as_a_whole(
    lea: Caller, token: str, payload: Any, status: int, code: str
) -> None:
    problem(lea.post(f"carts/{token}/lines/bulk", payload), status, code)
    assert quantities(token) == {}


def test_another_customers_cart_is_a_404(client: Client, shop: Shop, token: str) -> None:
    other = Caller(client, UserFactory.create())
    body = {"lines": [{"sku": "DRILL", "quantity": 1}]}
    problem(other.post(f"carts/{token}/lines/bulk", body), 404, "CART_NOT_FOUND")
    problem(post_csv(other, token, "sku,quantity\nDRILL,1\n"), 404, "CART_NOT_FOUND")
    problem(Caller(Client()).post(f"carts/{token}/lines/bulk", body), 404, "CART_NOT_FOUND")
    assert quantities(token) == {}


def test_a_cart_being_checked_out_is_locked(lea: Caller, token: str) -> None:
    Cart.objects.filter(token=token).update(status=CartStatus.CHECKING_OUT)
    body = {"lines": [{"sku": "DRILL", "quantity": 1}]}
    problem(lea.post(f"carts/{token}/lines/bulk", body), 409, "CART_LOCKED")


def test_import_csv_body_with_bom_and_semicolons(lea: Caller, token: str) -> None:
    data = "\ufeffsku;quantity\nDRILL;2\nDRILL-XL;x\n\nNOPE;1\n".encode()
    response = post_csv(lea, token, data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(a["lines"], a["sku"], a["quantity"]) for a in body["added"]] == [([2], "DRILL", 2)]
    assert [(r["line"], r["value"], r["code"]) for r in body["rejected"]] == [
        (3, "DRILL-XL;x", "INVALID_QUANTITY"),
        (5, "NOPE;1", "UNKNOWN_SKU"),
    ]
    assert quantities(token) == {"DRILL": 2}


def test_import_multipart_file(lea: Caller, token: str) -> None:
    upload = SimpleUploadedFile("commande.csv", b"sku,quantity\nDRILL-XL,4\n", "text/csv")
    response = lea.client.post(
        f"{API}/carts/{token}/lines/import", {"file": upload}, headers=lea.headers
    )
    assert response.status_code == 200, response.content
    assert quantities(token) == {"DRILL-XL": 4}


def test_import_pasted_text(lea: Caller, token: str) -> None:
    response = post_csv(lea, token, "DRILL 2\nDRILL-XL\t1\nDRILL,1", "text/plain")
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == []
    assert quantities(token) == {"DRILL": 3, "DRILL-XL": 1}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b'sku,quantity\nDRILL,1\n"DRILL-XL,2\n', 400, "INVALID_CSV"),
        (b"sku,qty\nDRILL,1\n", 400, "INVALID_CSV"),
        (b"", 400, "INVALID_CSV"),
        (b"sku,quantity\nPERCEUSE-\xe9,1\n", 400, "INVALID_CSV"),
        (b"sku,quantity\n" + b"DRILL,1\n" * 501, 400, "TOO_MANY_LINES"),
        (b"sku,quantity\n" + b"x" * (1024 * 1024), 413, "CSV_TOO_LARGE"),
    ],
)
def test_import_refused_as_a_whole(
    lea: Caller, token: str, data: bytes, status: int, code: str
) -> None:
    problem(post_csv(lea, token, data), status, code)
    assert quantities(token) == {}


def test_import_large_multipart_file_refused(lea: Caller, token: str) -> None:
    upload = SimpleUploadedFile("big.csv", b"sku,quantity\n" + b"x" * (1024 * 1024), "text/csv")
    response = lea.client.post(
        f"{API}/carts/{token}/lines/import", {"file": upload}, headers=lea.headers
    )
    problem(response, 413, "CSV_TOO_LARGE")
    response = lea.client.post(
        f"{API}/carts/{token}/lines/import", {"other": "x"}, headers=lea.headers
    )
    problem(response, 400, "INVALID_CSV")


def test_idempotency_key_replays(lea: Caller, token: str) -> None:
    body = json.dumps({"lines": [{"sku": "DRILL", "quantity": 2}]})
    headers = {**lea.headers, "Idempotency-Key": "qo-1"}

    def send(data: str) -> Any:
        return lea.client.post(
            f"{API}/carts/{token}/lines/bulk",
            data=data,
            content_type="application/json",
            headers=headers,
        )

    first = send(body)
    assert first.status_code == 200, first.content
    again = send(body)
    assert again.status_code == 200
    assert again.json()["added"] == first.json()["added"]
    assert quantities(token) == {"DRILL": 2}
    problem(send(json.dumps({"lines": []})), 409, "IDEMPOTENCY_KEY_REUSED")
    assert IdempotencyRecord.objects.count() == 1


def test_bulk_query_count_is_constant(
    lea: Caller, token: str, shop: Shop, django_assert_num_queries: Any
) -> None:
    # Warms the process's copies (channels, rates, catalog promotions).
    lea.post(f"carts/{token}/lines/bulk", {"lines": [{"sku": "DRILL", "quantity": 1}]})
    lines = [{"sku": "DRILL", "quantity": 1}, {"sku": "DRILL-XL", "quantity": 1}]
    # token, cart; savepoint, lock, lines, engine rows, free stock, upsert, release; the
    # answer's cart view: lines, engine rows, free stock
    with django_assert_num_queries(12):
        response = lea.post(f"carts/{token}/lines/bulk", {"lines": lines})
    assert response.status_code == 200
    lines = [*lines, *({"sku": f"NOPE-{i}", "quantity": 1} for i in range(40))]
    with django_assert_num_queries(12):
        response = lea.post(f"carts/{token}/lines/bulk", {"lines": lines})
    assert len(response.json()["rejected"]) == 40
