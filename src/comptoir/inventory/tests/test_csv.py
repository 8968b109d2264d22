"""CSV import of stock levels: counts and receipts with the importer as actor and one shared
reference; all or nothing, every bad row listed as "row <n>"; junk files refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.core.testing import ADMIN, Api, api_for, problem
from comptoir.inventory import services
from comptoir.inventory.models import Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.inventory.services import csv_import

pytestmark = pytest.mark.django_db

HEADER = "sku,warehouse,quantity,mode,note"


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def api(client: Client) -> Api:
    api = api_for(StaffFactory.create(), client)
    api.headers["Accept-Language"] = "en"
    return api


def levels() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (sku, code): (quantity, allocated)
        for sku, code, quantity, allocated in Stock.objects.values_list(
            "variant__sku", "warehouse__code", "quantity", "quantity_allocated"
        )
    }


def snapshot() -> tuple[Any, ...]:
    return (levels(), StockMovement.objects.count())


def refused(data: str | bytes, code: str = "INVALID_CSV") -> InvalidInput:
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        services.stock_import_csv(data=data)
    assert info.value.code == code
    assert snapshot() == before
    return info.value


def test_import_sets_and_adds(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, actor: Any
) -> None:
    saw = ProductVariantFactory.create(sku="SCIE-1")
    services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    services.stock_receive(warehouse=paris, variant=saw, quantity=4)
    text = (
        "\ufeffSKU;Warehouse;Quantity;Mode;Note\r\n"
        "PERC-18V;lyon;7;set;inventaire\r\n"
        "PERC-18V;paris;5;ADD;BL 22\r\n"
        "SCIE-1;paris;4;set;\r\n"
        "SCIE-1;lyon;0;set;\r\n"
        ";;;;\r\n"
    )

    result = services.stock_import_csv(data=text.encode(), actor=actor)

    assert (result.rows, result.received, result.adjusted, result.unchanged) == (4, 1, 1, 2)
    assert levels() == {
        ("PERC-18V", "lyon"): (7, 0),
        ("PERC-18V", "paris"): (5, 0),
        ("SCIE-1", "paris"): (4, 0),
    }
    imported = list(
        StockMovement.objects.filter(reference=result.reference)
        .order_by("pk")
        .values_list("kind", "quantity", "note", "actor")
    )
    assert imported == [
        ("adjustment", -3, "inventaire", actor.pk),
        ("receipt", 5, "BL 22", actor.pk),
    ]
    assert ledger_mismatches() == []


def test_every_bad_row_is_listed_and_nothing_changes(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    services.stock_reserve(
        token="co-1",
        lines=[(variant.pk, 6)],
        channel=channel,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    services.warehouse_update(warehouse=paris, is_active=False)
    text = "\n".join(
        [
            HEADER,
            "PERC-18V,lyon,12,add,fine",  # row 2: good, but nothing is imported
            "NOPE,lyon,1,add,",  # row 3
            "PERC-18V,mars,1,add,",  # row 4
            "PERC-18V,lyon,-1,set,",  # row 5
            "PERC-18V,lyon,1.5,set,",  # row 6
            "PERC-18V,lyon,abc,set,",  # row 7
            "PERC-18V,lyon,2000000001,set,",  # row 8
            "PERC-18V,lyon,1000001,add,",  # row 9
            "PERC-18V,lyon,0,add,",  # row 10
            "PERC-18V,lyon,1,remove,",  # row 11
            "PERC-18V,lyon,5,set,",  # row 12: repeated pair
            ",lyon,1,add,",  # row 13
            "PERC-18V,lyon,1,add,note,extra",  # row 14
            "PERC-18V,paris,1,add,",  # row 15: passes the checks of the file
            "",
        ]
    )
    error = refused(text)
    assert error.status == 400
    assert list(error.errors) == [f"row {n}" for n in range(3, 15)]
    assert error.errors["row 3"] == ["Unknown SKU: NOPE."]
    assert error.errors["row 4"] == ["Unknown warehouse: mars."]
    assert error.errors["row 12"] == ["PERC-18V in lyon is already on row 2."]
    assert error.detail.startswith("12 bad rows; nothing was imported. First, row 3")

    # Rows good on their own but not with the stock as it is: checked under the locks.
    text = f"{HEADER}\nPERC-18V,lyon,5,set,\nPERC-18V,paris,1,add,\n"
    error = refused(text)
    assert error.errors == {
        "row 2": ["6 units are allocated to orders; on hand cannot go below that."],
        "row 3": ["Warehouse paris is not active."],
    }
    assert not Stock.objects.filter(warehouse=paris).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (b"sku,quantity\n", "Missing columns: warehouse, mode."),
        (b"sku,warehouse,quantity,mode,price\n", "Unknown columns: price."),
        (b"sku,sku,warehouse,quantity,mode\n", "Repeated columns: sku."),
        (b"sku,warehouse,quantity,mode\n\xff\xfe\n", "The file is not UTF-8 text (line 2)."),
        (b"sku,warehouse,quantity,mode\nA,\x00,1,set\n", "NUL characters"),
        (b'sku,warehouse,quantity,mode\n"A,lyon,1,set\n', "Unreadable CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_junk_files(data: bytes, message: str) -> None:
    assert message in refused(data).detail


def test_too_big(monkeypatch: pytest.MonkeyPatch, lyon: Warehouse, variant: ProductVariant) -> None:
    big = (HEADER + "\n").encode() + b"x" * csv_import.MAX_BYTES
    error = refused(big, "CSV_TOO_LARGE")
    assert error.status == 413
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    rows = "".join(f"PERC-18V,w{n},1,add\n" for n in range(4))
    refused(f"sku,warehouse,quantity,mode\n{rows}", "CSV_TOO_LARGE")


def test_many_bad_rows_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_import, "MAX_ROW_ERRORS", 2)
    error = refused(HEADER + "\n" + "X,y,1,add\n" * 5)
    assert list(error.errors) == ["row 2", "row 3", "more"]
    assert error.errors["more"] == ["3 more bad rows not listed."]


def _import_queries(text: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.stock_import_csv(data=text)
    return len(queries)


def test_import_writes_in_bulk(
    monkeypatch: pytest.MonkeyPatch, lyon: Warehouse, paris: Warehouse
) -> None:
    """The statements do not grow with the rows (one UPDATE and one INSERT per batch of
    rows, not one per row); rows over several batches all land, with their movements."""
    variants = [ProductVariantFactory.create(sku=f"V-{n:02}") for n in range(30)]
    for variant in variants:
        services.stock_receive(warehouse=lyon, variant=variant, quantity=5)

    def rows(skus: list[ProductVariant], quantity: int) -> str:
        lines = [f"{v.sku},lyon,{quantity},set" for v in skus]
        lines += [f"{v.sku},paris,{quantity},add" for v in skus]
        return "\n".join([HEADER, *lines, ""])

    few = _import_queries(rows(variants[:2], 7))
    many = _import_queries(rows(variants[2:], 7))
    assert few == many
    monkeypatch.setattr(csv_import, "BATCH", 4)
    services.stock_import_csv(data=rows(variants, 9))
    assert levels() == {
        **{(v.sku, "lyon"): (9, 0) for v in variants},
        **{(v.sku, "paris"): (16, 0) for v in variants},
    }
    assert ledger_mismatches() == []


# --- API ----------------------------------------------------------------------------------


def test_api_import_body_and_multipart(api: Api, lyon: Warehouse, variant: ProductVariant) -> None:
    response = api.csv("stock/import", f"{HEADER}\nPERC-18V,lyon,8,add,BL\n")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "rows": 1,
        "received": 1,
        "adjusted": 0,
        "unchanged": 0,
        "reference": body["reference"],
    }
    assert body["reference"].startswith("import-")
    upload = SimpleUploadedFile("stock.csv", b"sku;warehouse;quantity;mode\nPERC-18V;lyon;3;set\n")
    response = api.client.post(f"{ADMIN}/stock/import", {"file": upload}, headers=api.headers)
    assert response.status_code == 200, response.content
    assert response.json()["adjusted"] == 1
    assert levels() == {("PERC-18V", "lyon"): (3, 0)}


def test_api_import_errors(api: Api, lyon: Warehouse, variant: ProductVariant) -> None:
    before = snapshot()
    body = problem(
        api.csv("stock/import", f"{HEADER}\nPERC-18V,lyon,-2,set,\n"), 400, "INVALID_CSV"
    )
    assert body["errors"] == {"row 2": ["The quantity is not a whole number: “-2”."]}
    problem(api.csv("stock/import", b"\xff\xfe\x00junk"), 400, "INVALID_CSV")
    problem(api.csv("stock/import", b""), 400, "INVALID_CSV")
    big = (HEADER + "\n").encode() + b"x" * csv_import.MAX_BYTES
    problem(api.csv("stock/import", big), 413, "CSV_TOO_LARGE")
    upload = SimpleUploadedFile("big.csv", big, "text/csv")
    problem(
        api.client.post(f"{ADMIN}/stock/import", {"file": upload}, headers=api.headers),
        413,
        "CSV_TOO_LARGE",
    )
    problem(
        api.client.post(f"{ADMIN}/stock/import", {"other": "x"}, headers=api.headers),
        400,
        "INVALID_CSV",
    )
    assert snapshot() == before


def test_import_is_documented() -> None:
    from comptoir.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/admin/stock/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    paths = [
        p
        for p in schema["paths"]
        if p.startswith(("/api/v1/admin/stock", "/api/v1/admin/warehouses"))
    ]
    for path in paths:
        for op in schema["paths"][path].values():
            assert op["summary"], path
            assert "403" in op["description"], path
