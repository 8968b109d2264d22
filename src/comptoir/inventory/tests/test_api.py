"""Staff inventory API: access (401/403), warehouses with their history, stock levels,
receipts, counts, transfers, the ledger and reservations, with exact values; bad input is
a 4xx problem+json with a stable code and changes nothing. Also the products'
`allow_backorders` in the catalog's staff API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.test import Client
from django.utils import timezone

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.testing import Api, api_for, clerk_api, problem
from comptoir.inventory import services
from comptoir.inventory.models import Reservation, Stock, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> Any:
    return StaffFactory.create(email="chef@comptoir.test")


@pytest.fixture
def api(client: Client, user: Any) -> Api:
    api = api_for(user, client)
    api.headers["Accept-Language"] = "en"
    return api


def snapshot() -> tuple[Any, ...]:
    return (
        list(Warehouse.objects.order_by("pk").values_list("code", "name", "priority", "is_active")),
        list(Stock.objects.order_by("pk").values_list("pk", "quantity", "quantity_allocated")),
        list(StockMovement.objects.order_by("pk").values_list("pk", "quantity")),
        LogEntry.objects.count(),
    )


# --- access -------------------------------------------------------------------------------

PATHS = [
    ("get", "warehouses", None, "view_warehouse"),
    ("post", "warehouses", {"code": "x", "name": "X"}, "add_warehouse"),
    ("get", "warehouses/lyon", None, "view_warehouse"),
    ("patch", "warehouses/lyon", {"name": "Y"}, "change_warehouse"),
    ("get", "stock", None, "view_stock"),
    ("get", "stock/1", None, "view_stock"),
    ("patch", "stock/1", {"low_stock_threshold": 1}, "change_stock"),
    (
        "post",
        "stock/receive",
        {"warehouse": "lyon", "sku": "PERC-18V", "quantity": 1},
        "change_stock",
    ),
    ("post", "stock/adjust", {"warehouse": "lyon", "sku": "PERC-18V", "delta": 1}, "change_stock"),
    (
        "post",
        "stock/transfer",
        {"sku": "PERC-18V", "source": "lyon", "destination": "paris", "quantity": 1},
        "change_stock",
    ),
    ("post", "stock/import", "sku,warehouse,quantity,mode\nPERC-18V,lyon,1,add\n", "change_stock"),
    ("get", "stock/movements", None, "view_stockmovement"),
    ("get", "stock/reservations", None, "view_reservation"),
]


def call(api: Api, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return api.get(path)
    if isinstance(body, str):
        return api.csv(path, body)
    return api.send(method, path, body)


@pytest.fixture
def world(lyon: Warehouse, paris: Warehouse, variant: ProductVariant) -> Stock:
    return services.stock_receive(warehouse=lyon, variant=variant, quantity=10)


@pytest.mark.parametrize("case", PATHS)
def test_anonymous_is_401(client: Client, world: Stock, case: tuple[str, str, Any, str]) -> None:
    method, path, body, _perm = case
    before = snapshot()
    problem(call(Api(client, None), method, path, body), 401, "UNAUTHORIZED")
    assert snapshot() == before


@pytest.mark.parametrize("case", PATHS)
def test_customer_is_403(client: Client, world: Stock, case: tuple[str, str, Any, str]) -> None:
    method, path, body, _perm = case
    raw, _token = api_token_create(user=UserFactory.create())
    before = snapshot()
    problem(call(Api(client, raw), method, path, body), 403, "PERMISSION_DENIED")
    assert snapshot() == before


@pytest.mark.parametrize("case", PATHS)
def test_staff_needs_the_model_permission(
    client: Client, world: Stock, case: tuple[str, str, Any, str]
) -> None:
    method, path, body, perm = case
    path = path.replace("stock/1", f"stock/{world.pk}")
    others = [p for _m, _p, _b, p in PATHS if p != perm]
    before = snapshot()
    problem(call(clerk_api(client, *others), method, path, body), 403, "PERMISSION_DENIED")
    assert snapshot() == before
    response = call(clerk_api(client, perm), method, path, body)
    assert response.status_code in (200, 201), response.content


def test_staff_session_works(client: Client, world: Stock) -> None:
    client.force_login(StaffFactory.create())
    assert Api(client, None).get("stock").status_code == 200


# --- warehouses ---------------------------------------------------------------------------


def test_warehouse_create_get_patch_with_history(api: Api, user: Any, channel: Channel) -> None:
    b2b = B2BChannelFactory.create()
    response = api.post(
        "warehouses",
        {
            "code": "lyon-sud",
            "name": "Lyon Sud",
            "city": "Lyon",
            "priority": 3,
            "channels": [b2b.code, channel.code],
            "external_ref": "ERP-7",
            "metadata": {"dock": 2},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "code": "lyon-sud",
        "name": "Lyon Sud",
        "street_address": "",
        "postal_code": "",
        "city": "Lyon",
        "country": "FR",
        "priority": 3,
        "is_active": True,
        "channels": sorted([b2b.code, channel.code]),
        "external_ref": "ERP-7",
        "metadata": {"dock": 2},
    }
    assert api.get("warehouses/lyon-sud").json() == body

    response = api.patch(
        "warehouses/lyon-sud",
        {"name": "Lyon", "is_active": False, "channels": [], "external_ref": None},
    )
    assert response.status_code == 200, response.content
    assert response.json() | {} == body | {
        "name": "Lyon",
        "is_active": False,
        "channels": [],
        "external_ref": None,
    }
    entries = list(
        LogEntry.objects.order_by("pk").values_list("user_id", "action_flag", "object_repr")
    )
    assert entries == [(user.pk, ADDITION, "Lyon Sud"), (user.pk, CHANGE, "Lyon")]
    change = LogEntry.objects.order_by("pk").last()
    assert change is not None
    message = change.get_change_message()
    assert "name" in message
    assert "channels" in message

    listed = api.get("warehouses", {"active": "false"}).json()
    assert [w["code"] for w in listed["results"]] == ["lyon-sud"]
    assert api.get("warehouses", {"active": "true"}).json()["count"] == 0


def test_warehouse_bad_input(api: Api, lyon: Warehouse) -> None:
    before = snapshot()
    problem(api.post("warehouses", {"code": "lyon", "name": "X"}), 409, "WAREHOUSE_CODE_TAKEN")
    problem(api.post("warehouses", {"code": "a b", "name": "X"}), 400, "INVALID_INPUT")
    problem(
        api.post("warehouses", {"code": "x", "name": "X", "country": "ZZ"}), 400, "INVALID_INPUT"
    )
    problem(
        api.post("warehouses", {"code": "x", "name": "X", "channels": ["nope"]}),
        400,
        "CHANNEL_NOT_FOUND",
    )
    problem(api.post("warehouses", {"code": "x", "name": "X\x00"}), 400, "INVALID_TEXT")
    problem(
        api.post("warehouses", {"code": "x", "name": "X", "priority": 2**40}),
        422,
        "VALIDATION_ERROR",
    )
    problem(
        api.post("warehouses", {"code": "x", "name": "X", "priority": "1"}), 422, "VALIDATION_ERROR"
    )
    problem(api.post("warehouses", {"code": "x" * 51, "name": "X"}), 422, "VALIDATION_ERROR")
    problem(api.post("warehouses", "not json"), 400, "BAD_REQUEST")
    problem(api.patch("warehouses/lyon", {"name": None}), 400, "INVALID_INPUT")
    problem(api.patch("warehouses/nope", {"name": "X"}), 404, "WAREHOUSE_NOT_FOUND")
    problem(api.get("warehouses/nope"), 404, "WAREHOUSE_NOT_FOUND")
    problem(api.get("warehouses", {"page_size": 1000}), 400, "INVALID_PAGINATION")
    assert snapshot() == before


# --- stock --------------------------------------------------------------------------------


def test_receive_adjust_transfer_and_read(
    api: Api, user: Any, lyon: Warehouse, paris: Warehouse, variant: ProductVariant
) -> None:
    response = api.post(
        "stock/receive",
        {"warehouse": "lyon", "sku": "PERC-18V", "quantity": 12, "reference": "BL-1", "note": "ok"},
    )
    assert response.status_code == 200, response.content
    stock = Stock.objects.get()
    assert response.json() == {
        "id": stock.pk,
        "warehouse": "lyon",
        "sku": "PERC-18V",
        "variant_id": variant.pk,
        "quantity": 12,
        "allocated": 0,
        "free": 12,
        "low_stock_threshold": None,
        "low": False,
    }
    response = api.post(
        "stock/adjust", {"warehouse": "lyon", "sku": "PERC-18V", "counted": 10, "note": "casse"}
    )
    assert response.json()["quantity"] == 10
    assert (
        api.post("stock/adjust", {"warehouse": "lyon", "sku": "PERC-18V", "delta": -1}).json()[
            "quantity"
        ]
        == 9
    )
    response = api.post(
        "stock/transfer",
        {"sku": "PERC-18V", "source": "lyon", "destination": "paris", "quantity": 4},
    )
    assert response.status_code == 200, response.content
    moved = response.json()
    assert (moved["source"]["quantity"], moved["destination"]["quantity"]) == (5, 4)
    assert moved["reference"].startswith("transfer-")

    # A count where no row existed creates it; a count of 0 there creates nothing.
    saw = ProductVariantFactory.create(sku="SCIE-1")
    assert (
        api.post("stock/adjust", {"warehouse": "paris", "sku": "SCIE-1", "counted": 3}).json()[
            "quantity"
        ]
        == 3
    )
    zero = api.post("stock/adjust", {"warehouse": "lyon", "sku": "SCIE-1", "counted": 0}).json()
    assert (zero["id"], zero["quantity"]) == (None, 0)
    assert not Stock.objects.filter(warehouse=lyon, variant=saw).exists()

    ledger = api.get("stock/movements", {"sku": "PERC-18V"}).json()
    assert [(m["kind"], m["quantity"], m["warehouse"]) for m in ledger["results"]] == [
        ("transfer_in", 4, "paris"),
        ("transfer_out", -4, "lyon"),
        ("adjustment", -1, "lyon"),
        ("adjustment", -2, "lyon"),
        ("receipt", 12, "lyon"),
    ]
    assert {m["actor"] for m in ledger["results"]} == {"chef@comptoir.test"}
    assert ledger["results"][-1]["reference"] == "BL-1"
    kinds = api.get("stock/movements", {"kind": "adjustment", "warehouse": "paris"}).json()
    assert [m["sku"] for m in kinds["results"]] == ["SCIE-1"]

    rows = api.get("stock", {"warehouse": "paris"}).json()
    assert [(r["sku"], r["quantity"]) for r in rows["results"]] == [("PERC-18V", 4), ("SCIE-1", 3)]
    assert api.get("stock", {"sku": "PERC-18V"}).json()["count"] == 2
    assert api.get(f"stock/{stock.pk}").json()["quantity"] == 5


def test_low_stock_threshold_and_filter(api: Api, world: Stock, paris: Warehouse) -> None:
    response = api.patch(f"stock/{world.pk}", {"low_stock_threshold": 10})
    assert response.json()["low"] is True
    assert api.get("stock", {"low": "true"}).json()["count"] == 1
    assert api.get("stock", {"low": "false"}).json()["count"] == 0
    assert api.patch(f"stock/{world.pk}", {"low_stock_threshold": None}).json()["low"] is False
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2
    problem(api.patch(f"stock/{world.pk}", {"low_stock_threshold": -1}), 422, "VALIDATION_ERROR")
    problem(api.patch("stock/999999", {"low_stock_threshold": 1}), 404, "STOCK_NOT_FOUND")
    problem(api.get("stock/999999"), 404, "STOCK_NOT_FOUND")


BAD_RECEIPTS = [
    ({"quantity": 0}, 400, "INVALID_QUANTITY"),
    ({"quantity": -3}, 400, "INVALID_QUANTITY"),
    ({"quantity": 1_000_001}, 400, "INVALID_QUANTITY"),
    ({"quantity": 10**30}, 400, "INVALID_QUANTITY"),
    ({"quantity": "3"}, 422, "VALIDATION_ERROR"),
    ({"quantity": 1.5}, 422, "VALIDATION_ERROR"),
    ({"quantity": True}, 422, "VALIDATION_ERROR"),
    ({"quantity": None}, 422, "VALIDATION_ERROR"),
    ({"sku": "NOPE"}, 400, "VARIANT_NOT_FOUND"),
    ({"warehouse": "nope"}, 400, "WAREHOUSE_NOT_FOUND"),
    ({"reference": "x" * 101}, 422, "VALIDATION_ERROR"),
    ({"note": "a\x00b"}, 400, "INVALID_TEXT"),
    ({"note": "x" * 1001}, 422, "VALIDATION_ERROR"),
]


@pytest.mark.parametrize(("change", "status", "code"), BAD_RECEIPTS)
def test_receive_bad_input(
    api: Api, world: Stock, change: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot()
    body = {"warehouse": "lyon", "sku": "PERC-18V", "quantity": 1} | change
    problem(api.post("stock/receive", body), status, code)
    assert snapshot() == before


def test_stock_bad_input(api: Api, world: Stock, paris: Warehouse, channel: Channel) -> None:
    services.warehouse_update(warehouse=paris, is_active=False)
    services.stock_reserve(
        token="co-1",
        lines=[(world.variant_id, 4)],
        channel=channel,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    before = snapshot()
    base = {"warehouse": "lyon", "sku": "PERC-18V"}
    problem(
        api.post("stock/receive", {"warehouse": "paris", "sku": "PERC-18V", "quantity": 1}),
        409,
        "WAREHOUSE_INACTIVE",
    )
    problem(api.post("stock/adjust", base), 400, "INVALID_ADJUSTMENT")
    problem(api.post("stock/adjust", base | {"counted": 1, "delta": 1}), 400, "INVALID_ADJUSTMENT")
    problem(api.post("stock/adjust", base | {"counted": -1}), 400, "INVALID_QUANTITY")
    problem(api.post("stock/adjust", base | {"counted": 3}), 409, "STOCK_ALLOCATED")
    problem(api.post("stock/adjust", base | {"delta": -11}), 409, "INSUFFICIENT_STOCK")
    problem(api.post("stock/adjust", base | {"delta": 0}), 400, "INVALID_QUANTITY")
    problem(api.post("stock/adjust", base | {"counted": 2**33}), 400, "INVALID_QUANTITY")
    problem(
        api.post("stock/adjust", {"warehouse": "paris", "sku": "PERC-18V", "counted": 2}),
        409,
        "WAREHOUSE_INACTIVE",
    )
    transfer = {"sku": "PERC-18V", "source": "lyon", "destination": "paris", "quantity": 1}
    problem(api.post("stock/transfer", transfer), 409, "WAREHOUSE_INACTIVE")
    problem(api.post("stock/transfer", transfer | {"destination": "lyon"}), 400, "SAME_WAREHOUSE")
    problem(
        api.post("stock/transfer", transfer | {"destination": "nope"}), 400, "WAREHOUSE_NOT_FOUND"
    )
    services.warehouse_update(warehouse=paris, is_active=True)
    before = snapshot()
    problem(api.post("stock/transfer", transfer | {"quantity": 7}), 409, "INSUFFICIENT_STOCK")
    problem(api.get("stock/movements", {"kind": "theft"}), 400, "INVALID_INPUT")
    assert snapshot() == before


# --- reservations -------------------------------------------------------------------------


def test_reservations_list(
    api: Api, world: Stock, channel: Channel, variant: ProductVariant
) -> None:
    now = timezone.now()
    services.stock_reserve(
        token="co-old",
        lines=[(variant.pk, 1)],
        channel=channel,
        expires_at=now - timedelta(minutes=1),
    )
    services.stock_reserve(
        token="co-new",
        lines=[(variant.pk, 2)],
        channel=channel,
        expires_at=now + timedelta(minutes=9),
    )
    body = api.get("stock/reservations").json()
    assert [
        (r["token"], r["sku"], r["warehouse"], r["quantity"], r["expired"]) for r in body["results"]
    ] == [
        ("co-old", "PERC-18V", "lyon", 1, True),
        ("co-new", "PERC-18V", "lyon", 2, False),
    ]
    assert [
        r["token"] for r in api.get("stock/reservations", {"expired": "true"}).json()["results"]
    ] == ["co-old"]
    assert [
        r["token"] for r in api.get("stock/reservations", {"expired": "false"}).json()["results"]
    ] == ["co-new"]
    assert api.get("stock/reservations", {"token": "co-new"}).json()["count"] == 1
    assert api.get("stock", {"sku": "PERC-18V"}).json()["results"][0]["allocated"] == 3
    assert Reservation.objects.count() == 2


def test_lists_are_paginated_in_fixed_queries(
    api: Api, lyon: Warehouse, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        variant = ProductVariantFactory.create(sku=f"SKU-{n}")
        services.stock_receive(warehouse=lyon, variant=variant, quantity=n + 1)
    page = api.get("stock", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5
    assert [r["sku"] for r in page["results"]] == ["SKU-2", "SKU-3"]
    assert page["next"]
    assert page["previous"]
    # Auth (token lookup) + count + page, whatever the number of rows.
    with django_assert_max_num_queries(6):
        api.get("stock", {"page_size": 100})
    with django_assert_max_num_queries(6):
        api.get("stock/movements", {"page_size": 100})


# --- catalog: allow_backorders ------------------------------------------------------------


def test_products_expose_allow_backorders(api: Api, variant: ProductVariant) -> None:
    product = variant.product
    assert api.get(f"products/{product.pk}").json()["allow_backorders"] is False
    response = api.patch(f"products/{product.pk}", {"allow_backorders": True})
    assert response.status_code == 200, response.content
    assert response.json()["allow_backorders"] is True
    product.refresh_from_db()
    assert product.allow_backorders
    problem(api.patch(f"products/{product.pk}", {"allow_backorders": None}), 400, "INVALID_INPUT")
    created = api.post(
        "products",
        {
            "product_type": product.product_type.slug,
            "category": product.category.slug,
            "name": "Établi",
            "allow_backorders": True,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["allow_backorders"] is True
