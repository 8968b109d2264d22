"""CSV export and import of price lists: exact text, round trip, upsert and replace, every
bad row listed by line with nothing imported, limits, encodings and delimiters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import translation

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.core.errors import InvalidInput
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.services import csv_io
from comptoir.pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db

D = Decimal
HEADER = "sku,unit_price,min_quantity,max_quantity,increment,tier_quantities,tier_prices"


@pytest.fixture
def price_list() -> PriceList:
    return PriceListFactory.create(code="pro")


@pytest.fixture
def skus() -> list[str]:
    names = ["A-1", "B-2", "C-3", "D-4"]
    for sku in names:
        ProductVariantFactory.create(sku=sku)
    return names


def state(price_list: PriceList) -> list[tuple[Any, ...]]:
    return [
        (
            e.variant.sku,
            e.unit_price,
            e.min_quantity,
            e.max_quantity,
            e.increment,
            [(t.min_quantity, t.unit_price) for t in e.tiers.order_by("min_quantity")],
        )
        for e in PriceListEntry.objects.filter(price_list=price_list).order_by("variant__sku")
    ]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def import_errors(price_list: PriceList, data: bytes | str, **kwargs: Any) -> InvalidInput:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.price_list_import_csv(price_list=price_list, data=data, **kwargs)
    return caught.value


def test_export_writes_the_documented_format(price_list: PriceList, skus: list[str]) -> None:
    services.price_list_entry_set(
        price_list=price_list,
        sku="B-2",
        unit_price="4.2",
        min_quantity=6,
        max_quantity=600,
        increment=6,
    )
    services.price_list_entry_set(
        price_list=price_list, sku="A-1", unit_price="12.50", tiers=[(50, "10.80"), (10, "11.9")]
    )
    assert services.price_list_export_csv(price_list=price_list) == csv_text(
        "A-1,12.50,1,,1,10|50,11.90|10.80",
        "B-2,4.20,6,600,6,,",
    )


def test_export_of_an_empty_list_is_the_header(price_list: PriceList) -> None:
    assert services.price_list_export_csv(price_list=price_list) == csv_text()


def test_round_trip(price_list: PriceList, skus: list[str]) -> None:
    services.price_list_entry_set(
        price_list=price_list, sku="A-1", unit_price="12.50", tiers=[(10, "11.90"), (50, "10.80")]
    )
    services.price_list_entry_set(
        price_list=price_list, sku="C-3", unit_price="3", min_quantity=12, increment=12
    )
    text = services.price_list_export_csv(price_list=price_list)
    copy = PriceListFactory.create(code="copie")
    result = services.price_list_import_csv(price_list=copy, data=text.encode())
    assert result == services.ImportResult(created=2, updated=0, deleted=0, unchanged=0)
    assert services.price_list_export_csv(price_list=copy) == text
    assert state(copy) == state(price_list)


def test_import_upserts_by_sku_and_replaces_tiers(price_list: PriceList, skus: list[str]) -> None:
    services.price_list_entry_set(
        price_list=price_list, sku="A-1", unit_price="10", tiers=[(10, "9"), (20, "8")]
    )
    services.price_list_entry_set(price_list=price_list, sku="B-2", unit_price="5")
    services.price_list_entry_set(price_list=price_list, sku="D-4", unit_price="7")
    result = services.price_list_import_csv(
        price_list=price_list,
        data=csv_text("A-1,9.50,,,,30,9.00", "B-2,5.00,1,,1,,", "C-3,2,2,,2,4|8,1.90|1.80"),
    )
    assert result == services.ImportResult(created=1, updated=1, deleted=0, unchanged=1)
    assert state(price_list) == [
        ("A-1", D("9.50"), 1, None, 1, [(30, D("9.00"))]),
        ("B-2", D("5.00"), 1, None, 1, []),
        ("C-3", D("2.00"), 2, None, 2, [(4, D("1.90")), (8, D("1.80"))]),
        ("D-4", D("7.00"), 1, None, 1, []),
    ]


def test_import_with_replace_deletes_entries_absent_from_the_file(
    price_list: PriceList, skus: list[str]
) -> None:
    for sku in ("A-1", "B-2", "C-3"):
        services.price_list_entry_set(
            price_list=price_list, sku=sku, unit_price="10", tiers=[(10, "9")]
        )
    other = PriceListFactory.create()
    services.price_list_entry_set(price_list=other, sku="A-1", unit_price="10")
    user = StaffFactory.create()
    result = services.price_list_import_csv(
        price_list=price_list, data=csv_text("B-2,8,,,,,"), replace=True, actor=user
    )
    assert result == services.ImportResult(created=0, updated=1, deleted=2, unchanged=0)
    assert state(price_list) == [("B-2", D("8.00"), 1, None, 1, [])]
    assert PriceTier.objects.filter(entry__price_list=price_list).count() == 0
    assert len(state(other)) == 1
    log = LogEntry.objects.get()
    assert (log.user, log.object_id) == (user, str(price_list.pk))
    # Stored in the shop's base language, whatever the language of the request.
    with translation.override("en"):
        assert log.get_change_message() == (
            "Import CSV : 0 entrée créée; 1 entrée modifiée (B-2); 2 entrées supprimées (A-1, C-3)."
        )


def test_import_of_the_same_file_twice_changes_nothing(
    price_list: PriceList, skus: list[str]
) -> None:
    text = csv_text("A-1,9.50,,,,30,9.00", "B-2,5,,,,,")
    services.price_list_import_csv(price_list=price_list, data=text, actor=StaffFactory.create())
    tier_ids = list(PriceTier.objects.values_list("pk", flat=True))
    result = services.price_list_import_csv(
        price_list=price_list, data=text, actor=StaffFactory.create()
    )
    assert result == services.ImportResult(created=0, updated=0, deleted=0, unchanged=2)
    assert list(PriceTier.objects.values_list("pk", flat=True)) == tier_ids
    assert LogEntry.objects.count() == 1


def test_import_reads_bom_semicolons_and_decimal_commas(
    price_list: PriceList, skus: list[str]
) -> None:
    text = (
        "SKU;Unit_Price;tier_quantities;tier_prices\r\n"
        "A-1;12,50;10|50;11,90|10,80\r\n"
        "\r\n"
        '"B-2";"4,20";;\r\n'
    )
    result = services.price_list_import_csv(price_list=price_list, data=text.encode("utf-8-sig"))
    assert result.created == 2
    assert state(price_list) == [
        ("A-1", D("12.50"), 1, None, 1, [(10, D("11.90")), (50, D("10.80"))]),
        ("B-2", D("4.20"), 1, None, 1, []),
    ]


def test_import_accepts_only_the_required_columns_and_trailing_empty_cells(
    price_list: PriceList, skus: list[str]
) -> None:
    result = services.price_list_import_csv(
        price_list=price_list, data="sku,unit_price\nA-1,3\nB-2,4,,\n"
    )
    assert result.created == 2


def test_every_bad_row_is_listed_by_line_and_nothing_is_imported(
    price_list: PriceList, skus: list[str]
) -> None:
    services.price_list_entry_set(price_list=price_list, sku="D-4", unit_price="7")
    before = state(price_list)
    text = csv_text(
        "A-1,10.00,,,,,",  # line 2: fine
        "NOPE,10.00,,,,,",  # 3
        "B-2,0,,,,,",  # 4
        "C-3,10,,,,10|10,9|8",  # 5
        "A-1,11,,,,,",  # 6
        "D-4,10,4,,6,,",  # 7
        "D-4,10,,,,10|20,9",  # 8
        ",10,,,,,",  # 9
        "B-2,,,,,,",  # 10
        "C-3,10,,,,10,10.50",  # 11
        "C-3,10,x,,,,",  # 12
        "C-3,10,,,,,,extra",  # 13
        "C-3,9.999,,,,,",  # 14
    )
    error = import_errors(price_list, text, replace=True)
    assert error.code == "INVALID_CSV"
    assert error.status == 400
    assert error.errors == {
        "line 3": ["Unknown SKU: NOPE."],
        "line 4": ["A price must be more than zero (got 0)."],
        "line 5": ["Several tiers start at the same quantity: 10."],
        "line 6": ["The SKU A-1 is already on line 2."],
        "line 7": [
            "The minimum quantity (4) must be a multiple of “sold by” (6): buyers order by 6."
        ],
        "line 8": ["2 tier quantities but 1 tier prices: give one price per quantity."],
        "line 9": ["The SKU is missing."],
        "line 10": ["The unit price is missing."],
        "line 11": [
            "The tier from 10 costs 10.50, not less than the unit price 10.00: a volume tier "
            "must lower the price."
        ],
        "line 12": ["The minimum quantity is not a whole number: “x”."],
        "line 13": ["8 cells where the header has 7."],
        "line 14": ["Too many decimals in 9.999: EUR prices have 2."],
    }
    assert error.detail.startswith("12 bad lines; nothing was imported. First, line 3:")
    assert state(price_list) == before
    assert LogEntry.objects.count() == 0


def test_line_numbers_count_physical_lines(price_list: PriceList, skus: list[str]) -> None:
    text = 'sku,unit_price\n"A-1",1\n\n"B\n-2",3\nC-3,-1\n'
    error = import_errors(price_list, text)
    assert set(error.errors) == {"line 5", "line 6"}


@pytest.mark.parametrize(
    ("data", "key", "text"),
    [
        (b"", "file", "The file is empty"),
        (b"\r\n\r\n", "file", "The file is empty"),
        ("sku,price\nA-1,1\n", "line 1", "Unknown columns: price"),
        ("sku\nA-1\n", "line 1", "Missing columns: unit_price"),
        ("sku,unit_price,sku\n", "line 1", "Repeated columns: sku"),
        ("sku,unit_price\nA-1,\xe9".encode("latin-1"), "file", "not UTF-8 text (line 2)"),
        (b"sku,unit_price\nA-1,1\x00\n", "file", "NUL characters"),
        ('sku,unit_price\n"A-1,1\n', "line 2", "Unreadable CSV"),
        ("sku,unit_price\nA\ud800,1\n", "file", "cannot be stored"),
    ],
)
def test_unreadable_files_are_invalid_csv(
    price_list: PriceList, skus: list[str], data: bytes | str, key: str, text: str
) -> None:
    error = import_errors(price_list, data)
    assert error.code == "INVALID_CSV"
    assert text in " ".join(error.errors[key])
    assert PriceListEntry.objects.count() == 0


def test_a_file_over_5_mb_is_too_large(price_list: PriceList) -> None:
    data = (HEADER + "\n").encode() + b"x" * (5 * 1024 * 1024)
    error = import_errors(price_list, data)
    assert (error.code, error.status) == ("CSV_TOO_LARGE", 413)


def test_too_many_rows(price_list: PriceList, skus: list[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(csv_io, "MAX_ROWS", 3)
    error = import_errors(price_list, csv_text("A-1,1", "B-2,1", "C-3,1", "D-4,1"))
    assert (error.code, error.status) == ("CSV_TOO_LARGE", 413)
    assert "more than 3 rows" in error.detail


def test_errors_beyond_the_limit_are_counted(
    price_list: PriceList, skus: list[str], monkeypatch: Any
) -> None:
    monkeypatch.setattr(csv_io, "MAX_LINE_ERRORS", 2)
    error = import_errors(price_list, csv_text("X1,1", "X2,1", "X3,1", "X4,1"))
    assert error.errors == {
        "line 2": ["Unknown SKU: X1."],
        "line 3": ["Unknown SKU: X2."],
        "more": ["2 more bad lines not listed."],
    }


def test_ten_thousand_rows_import_in_bulk(
    price_list: PriceList, django_assert_max_num_queries: Any
) -> None:
    product = ProductFactory.create()
    ProductVariant.objects.bulk_create(
        ProductVariant(product=product, sku=f"REF-{i:05d}", name="") for i in range(10_000)
    )
    rows = [
        f"REF-{i:05d},{10 + i % 7}.50,1,,1,10|100,{9 + i % 7}.90|{9 + i % 7}.00"
        for i in range(10_000)
    ]
    # Lookups, existing rows, then a few bulk statements per thousand rows.
    with django_assert_max_num_queries(60):
        result = services.price_list_import_csv(price_list=price_list, data=csv_text(*rows))
    assert result == services.ImportResult(created=10_000, updated=0, deleted=0, unchanged=0)
    assert PriceListEntry.objects.filter(price_list=price_list).count() == 10_000
    assert PriceTier.objects.filter(entry__price_list=price_list).count() == 20_000

    changed = [row.replace(",1,,1,", ",2,,1,", 1) if i % 2 else row for i, row in enumerate(rows)]
    with django_assert_max_num_queries(80):
        result = services.price_list_import_csv(
            price_list=price_list, data=csv_text(*changed[:9_000]), replace=True
        )
    assert result == services.ImportResult(created=0, updated=4_500, deleted=1_000, unchanged=4_500)
    assert PriceListEntry.objects.filter(price_list=price_list, min_quantity=2).count() == 4_500
    assert PriceTier.objects.filter(entry__price_list=price_list).count() == 18_000
    exported = services.price_list_export_csv(price_list=price_list)
    assert exported.count("\r\n") == 9_001
