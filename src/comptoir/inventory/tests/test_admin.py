"""Inventory back-office: pages load; warehouses, receipts, counts and CSV imports go through
the services with the staff member recorded (a refusal is shown on the page, never a 500,
and saves nothing); the ledger and reservations are read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.inventory import services
from comptoir.inventory.models import Stock, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def chef() -> Any:
    return StaffFactory.create()


@pytest.fixture
def staff(client: Client, chef: Any) -> Client:
    client.force_login(chef)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def stock(lyon: Warehouse, variant: ProductVariant, channel: Channel) -> Stock:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    services.stock_reserve(
        token="co-1",
        lines=[(variant.pk, 4)],
        channel=channel,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    return stock


def stock_form(**changes: Any) -> dict[str, Any]:
    data = {
        "low_stock_threshold": "",
        "received": "",
        "counted": "",
        "delta": "",
        "reference": "",
        "note": "",
    }
    return data | changes


@pytest.mark.parametrize(
    ("url", "filters"),
    [
        ("admin:inventory_warehouse_changelist", {"is_active__exact": "1"}),
        ("admin:inventory_warehouse_add", {}),
        ("admin:inventory_stock_changelist", {"low": "yes"}),
        ("admin:inventory_stock_changelist", {"low": "no"}),
        ("admin:inventory_stock_add", {}),
        ("admin:inventory_stock_import", {}),
        ("admin:inventory_stockmovement_changelist", {"kind__exact": "receipt"}),
        ("admin:inventory_reservation_changelist", {"expired": "yes"}),
        ("admin:inventory_reservation_changelist", {"expired": "no"}),
        ("admin:inventory_reservationhold_changelist", {"expired": "no"}),
    ],
)
def test_pages_load(staff: Client, stock: Stock, url: str, filters: dict[str, str]) -> None:
    assert staff.get(reverse(url)).status_code == 200
    assert staff.get(reverse(url), filters).status_code == 200


def test_change_pages_load(staff: Client, stock: Stock) -> None:
    assert staff.get(reverse("admin:inventory_stock_change", args=[stock.pk])).status_code == 200
    assert (
        staff.get(
            reverse("admin:inventory_warehouse_change", args=[stock.warehouse_id])
        ).status_code
        == 200
    )
    movement = StockMovement.objects.first()
    assert movement is not None
    page = staff.get(reverse("admin:inventory_stockmovement_change", args=[movement.pk]))
    assert page.status_code == 200  # view only


def test_warehouse_saved_through_the_service(staff: Client, chef: Any, channel: Channel) -> None:
    data = {
        "code": "nord",
        "name": "Nord",
        "priority": "2",
        "is_active": "on",
        "channels": [channel.pk],
        "street_address": "",
        "postal_code": "",
        "city": "Lille",
        "country": "FR",
        "external_ref": "",
        "metadata": "{}",
    }
    response = staff.post(reverse("admin:inventory_warehouse_add"), data)
    assert response.status_code == 302, response.content
    warehouse = Warehouse.objects.get(code="nord")
    assert list(warehouse.channels.all()) == [channel]
    # One history line, written by the service (the admin's own is turned off).
    assert list(LogEntry.objects.values_list("user_id", "action_flag")) == [(chef.pk, ADDITION)]

    response = staff.post(reverse("admin:inventory_warehouse_add"), data | {"name": "Autre"})
    assert response.status_code == 200  # the code is taken: shown on the form
    assert Warehouse.objects.count() == 1


def test_receive_from_the_add_page(
    staff: Client, chef: Any, lyon: Warehouse, variant: ProductVariant
) -> None:
    data = {
        "warehouse": lyon.pk,
        "variant": variant.pk,
        "quantity": "6",
        "reference": "BL-9",
        "note": "",
    }
    assert staff.post(reverse("admin:inventory_stock_add"), data).status_code == 302
    assert staff.post(reverse("admin:inventory_stock_add"), data).status_code == 302  # adds
    stock = Stock.objects.get()
    assert stock.quantity == 12
    assert set(StockMovement.objects.values_list("kind", "reference", "actor")) == {
        ("receipt", "BL-9", chef.pk)
    }
    response = staff.post(reverse("admin:inventory_stock_add"), data | {"quantity": "2000000"})
    assert response.status_code == 200
    assert Stock.objects.get().quantity == 12


def test_count_and_threshold_from_the_change_page(staff: Client, chef: Any, stock: Stock) -> None:
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    response = staff.post(url, stock_form(counted="3", note="casse"))
    assert response.status_code == 200  # 4 units are reserved: refused on the page
    assert b"allocated" in response.content
    stock.refresh_from_db()
    assert stock.quantity == 10

    assert (
        staff.post(url, stock_form(counted="8", low_stock_threshold="5", note="casse")).status_code
        == 302
    )
    stock.refresh_from_db()
    assert (stock.quantity, stock.low_stock_threshold) == (8, 5)
    assert StockMovement.objects.filter(kind="adjustment").values_list(
        "quantity", "note", "actor"
    ).get() == (
        -2,
        "casse",
        chef.pk,
    )
    assert staff.post(url, stock_form(received="5", low_stock_threshold="5")).status_code == 302
    stock.refresh_from_db()
    assert stock.quantity == 13
    response = staff.post(url, stock_form(received="5", delta="1", low_stock_threshold="5"))
    assert response.status_code == 200  # one thing at a time
    stock.refresh_from_db()
    assert stock.quantity == 13


def test_import_page(staff: Client, lyon: Warehouse, variant: ProductVariant) -> None:
    url = reverse("admin:inventory_stock_import")
    good = SimpleUploadedFile("s.csv", b"sku,warehouse,quantity,mode\nPERC-18V,lyon,9,add\n")
    response = staff.post(url, {"file": good})
    assert response.status_code == 302
    assert Stock.objects.get().quantity == 9
    bad = SimpleUploadedFile("s.csv", b"sku,warehouse,quantity,mode\nPERC-18V,lyon,x,add\n")
    response = staff.post(url, {"file": bad})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="line-errors"' in page
    assert "<li>row 2: The quantity is not a whole number: “x”.</li>" in page
    assert Stock.objects.get().quantity == 9
    # Over 2 MB: refused before it is read, on the page, nothing imported.
    big = SimpleUploadedFile("s.csv", b"sku,warehouse,quantity,mode\n" + b"x" * (2 << 20))
    response = staff.post(url, {"file": big})
    assert response.status_code == 200
    assert "The file is larger than 2 MB." in response.content.decode()
    assert Stock.objects.get().quantity == 9
    assert staff.get(url).status_code == 200


def test_ledger_and_reservations_are_read_only(staff: Client, stock: Stock) -> None:
    assert staff.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    assert staff.get(reverse("admin:inventory_reservation_add")).status_code == 403
    movement = StockMovement.objects.get()
    delete = reverse("admin:inventory_stockmovement_delete", args=[movement.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert (
        staff.post(
            reverse("admin:inventory_stock_delete", args=[stock.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert StockMovement.objects.count() == 1


def test_product_admin_sets_allow_backorders(staff: Client, variant: ProductVariant) -> None:
    product = variant.product
    page = staff.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert b'name="allow_backorders"' in page.content
