"""Warehouses, receipts, returns, adjustments and transfers: exact values, every bad input
(changing nothing), and the ledger invariant (on hand == sum of movements)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound
from comptoir.inventory import services
from comptoir.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.inventory.services import warehouses
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db

BAD_QUANTITIES = [0, -1, -5, 1_000_001, 2**40, 1.5, "3", True, None]


def movements(stock: Stock) -> list[tuple[str, int, str]]:
    return list(
        StockMovement.objects.filter(stock=stock)
        .order_by("pk")
        .values_list("kind", "quantity", "reference")
    )


def snapshot() -> tuple[list[Any], list[Any]]:
    stocks = list(Stock.objects.order_by("pk").values_list("pk", "quantity", "quantity_allocated"))
    ledger = list(StockMovement.objects.order_by("pk").values_list("pk", "quantity"))
    return stocks, ledger


def raises(exc: type[DomainError], code: str, call: Any, **kwargs: Any) -> DomainError:
    """Call a service that must fail with `code` and change nothing."""
    before = snapshot()
    with pytest.raises(exc) as info:
        call(**kwargs)
    assert info.value.code == code
    assert snapshot() == before
    return info.value


# --- Warehouses ----------------------------------------------------------------------------


def test_warehouse_create_and_update(channel: Channel) -> None:
    warehouse = services.warehouse_create(
        code="lyon-sud",
        name="Lyon Sud",
        street_address="3 quai Perrache",
        postal_code="69002",
        city="Lyon",
        country="FR",
        priority=5,
        channels=[channel],
        external_ref="ERP-WH-1",
        metadata={"dock": 3},
    )
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.priority, warehouse.is_active) == ("lyon-sud", 5, True)
    assert str(warehouse.country) == "FR"
    assert list(warehouse.channels.all()) == [channel]
    assert warehouse.metadata == {"dock": 3}

    updated = services.warehouse_update(
        warehouse=warehouse, name="Lyon Gerland", priority=1, channels=[], is_active=False
    )
    updated.refresh_from_db()
    assert (updated.name, updated.priority, updated.is_active) == ("Lyon Gerland", 1, False)
    assert updated.code == "lyon-sud"
    assert list(updated.channels.all()) == []
    assert updated.external_ref == "ERP-WH-1"


def test_warehouse_code_taken(lyon: Warehouse, paris: Warehouse) -> None:
    with pytest.raises(Conflict) as info:
        services.warehouse_create(code="lyon", name="Autre")
    assert info.value.code == "WAREHOUSE_CODE_TAKEN"
    assert info.value.errors == {"code": ["WAREHOUSE_CODE_TAKEN"]}
    assert Warehouse.objects.count() == 2

    with pytest.raises(Conflict) as info:
        services.warehouse_update(warehouse=paris, code="lyon")
    assert info.value.code == "WAREHOUSE_CODE_TAKEN"
    paris.refresh_from_db()
    assert paris.code == "paris"
    # Keeping one's own code is fine.
    assert services.warehouse_update(warehouse=paris, code="paris").code == "paris"


def test_warehouse_external_ref_taken() -> None:
    services.warehouse_create(code="a", name="A", external_ref="X1")
    with pytest.raises(Conflict) as info:
        services.warehouse_create(code="b", name="B", external_ref="X1")
    assert info.value.code == "EXTERNAL_REF_TAKEN"
    assert Warehouse.objects.count() == 1


@pytest.mark.parametrize(
    ("taken", "fields", "code"),
    [
        ({"code": "lyon"}, {"code": "lyon"}, "WAREHOUSE_CODE_TAKEN"),
        ({"external_ref": "X1"}, {"external_ref": "X1"}, "EXTERNAL_REF_TAKEN"),
    ],
)
def test_warehouse_taken_between_check_and_save(
    monkeypatch: pytest.MonkeyPatch, taken: dict[str, str], fields: dict[str, Any], code: str
) -> None:
    """Another request takes the code (or reference) after the checks: the unique violation
    at save time is the same 409 as the check, for a create and an update alike."""
    other = WarehouseFactory.create()
    original = warehouses.validate

    def validate_then_taken(instance: Any, **kwargs: Any) -> None:
        original(instance, **kwargs)
        Warehouse.objects.filter(pk=other.pk).update(**taken)  # committed by "another request"

    monkeypatch.setattr(warehouses, "validate", validate_then_taken)
    with pytest.raises(Conflict) as info:
        services.warehouse_create(**{"code": "neuf", "name": "Neuf", **fields})
    assert (info.value.code, info.value.errors) == (code, {next(iter(fields)): [code]})

    Warehouse.objects.filter(pk=other.pk).update(code="autre", external_ref=None)
    mine = WarehouseFactory.create(code="mien")
    with pytest.raises(Conflict) as info:
        services.warehouse_update(warehouse=mine, **fields)
    assert (info.value.code, info.value.errors) == (code, {next(iter(fields)): [code]})
    mine.refresh_from_db()
    assert (mine.code, mine.external_ref) == ("mien", None)


def test_warehouse_save_other_integrity_error_is_not_disguised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_save(self: Warehouse, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(Warehouse, "save", failing_save)
    with pytest.raises(IntegrityError):
        services.warehouse_create(code="neuf", name="Neuf")


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "pas un slug"},
        {"code": ""},
        {"name": ""},
        {"name": "x" * 121},
        {"country": "ZZ"},
        {"name": "nul\x00"},
        {"metadata": {"k": "\ud800"}},
    ],
)
def test_warehouse_create_bad_input(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        services.warehouse_create(**{"code": "ok", "name": "Ok", **fields})
    assert Warehouse.objects.count() == 0


def test_warehouse_update_unknown() -> None:
    with pytest.raises(NotFound) as info:
        services.warehouse_update(warehouse=Warehouse(code="ghost", name="Ghost"), name="X")
    assert info.value.code == "WAREHOUSE_NOT_FOUND"


# --- Receipts and returns ------------------------------------------------------------------


def test_receive_creates_stock_and_receipt(
    lyon: Warehouse, variant: ProductVariant, actor: User
) -> None:
    stock = services.stock_receive(
        warehouse=lyon, variant=variant, quantity=12, reference="PO-1", actor=actor
    )
    assert (stock.quantity, stock.quantity_allocated) == (12, 0)
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=3, reference="PO-2")
    assert stock.quantity == 15
    assert Stock.objects.count() == 1
    assert movements(stock) == [("receipt", 12, "PO-1"), ("receipt", 3, "PO-2")]
    assert StockMovement.objects.get(reference="PO-1").actor == actor
    assert ledger_mismatches() == []


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_receive_bad_quantity(lyon: Warehouse, variant: ProductVariant, quantity: Any) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    raises(
        InvalidInput,
        "INVALID_QUANTITY",
        services.stock_receive,
        warehouse=lyon,
        variant=variant,
        quantity=quantity,
    )


def test_receive_beyond_on_hand_limit(lyon: Warehouse, variant: ProductVariant) -> None:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=1_000_000)
    Stock.objects.filter(pk=stock.pk).update(quantity=services.MAX_ON_HAND)  # test shortcut
    StockMovement.objects.create(
        stock=stock, kind=MovementKind.RECEIPT, quantity=services.MAX_ON_HAND - 1_000_000
    )
    raises(
        InvalidInput,
        "INVALID_QUANTITY",
        services.stock_receive,
        warehouse=lyon,
        variant=variant,
        quantity=1,
    )


def test_receive_unknown_or_inactive_warehouse_or_variant(
    lyon: Warehouse, variant: ProductVariant
) -> None:
    inactive = WarehouseFactory.create(is_active=False)
    raises(
        Conflict,
        "WAREHOUSE_INACTIVE",
        services.stock_receive,
        warehouse=inactive,
        variant=variant,
        quantity=1,
    )
    raises(
        NotFound,
        "WAREHOUSE_NOT_FOUND",
        services.stock_receive,
        warehouse=Warehouse(code="ghost"),
        variant=variant,
        quantity=1,
    )
    ghost = Warehouse(pk=987_654, code="ghost")
    raises(
        NotFound,
        "WAREHOUSE_NOT_FOUND",
        services.stock_receive,
        warehouse=ghost,
        variant=variant,
        quantity=1,
    )
    raises(
        NotFound,
        "VARIANT_NOT_FOUND",
        services.stock_receive,
        warehouse=lyon,
        variant=ProductVariant(pk=987_654, sku="GHOST"),
        quantity=1,
    )
    assert Stock.objects.count() == 0


def test_receive_bad_reference(lyon: Warehouse, variant: ProductVariant) -> None:
    raises(
        InvalidInput,
        "INVALID_INPUT",
        services.stock_receive,
        warehouse=lyon,
        variant=variant,
        quantity=1,
        reference="x" * 101,
    )
    raises(
        InvalidInput,
        "INVALID_TEXT",
        services.stock_receive,
        warehouse=lyon,
        variant=variant,
        quantity=1,
        reference="PO\x00",
    )


def test_return(lyon: Warehouse, variant: ProductVariant) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=4)
    stock = services.stock_return(warehouse=lyon, variant=variant, quantity=2, reference="CMD-9")
    assert stock.quantity == 6
    assert movements(stock) == [("receipt", 4, ""), ("return", 2, "CMD-9")]
    raises(
        InvalidInput,
        "INVALID_QUANTITY",
        services.stock_return,
        warehouse=lyon,
        variant=variant,
        quantity=0,
    )


# --- Adjustments ---------------------------------------------------------------------------


def test_adjust_counted_and_delta(lyon: Warehouse, variant: ProductVariant, actor: User) -> None:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    stock = services.stock_adjust(stock=stock, counted=7, note="inventaire", actor=actor)
    assert stock.quantity == 7
    stock = services.stock_adjust(stock=stock, delta=5)
    assert stock.quantity == 12
    stock = services.stock_adjust(stock=stock, delta=-2)
    assert stock.quantity == 10
    # A count that matches writes nothing (a movement is never 0).
    stock = services.stock_adjust(stock=stock, counted=10)
    assert stock.quantity == 10
    stock = services.stock_adjust(stock=stock, counted=0)
    assert stock.quantity == 0
    assert movements(stock) == [
        ("receipt", 10, ""),
        ("adjustment", -3, ""),
        ("adjustment", 5, ""),
        ("adjustment", -2, ""),
        ("adjustment", -10, ""),
    ]
    assert StockMovement.objects.filter(note="inventaire", actor=actor).count() == 1
    assert ledger_mismatches() == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "INVALID_ADJUSTMENT"),
        ({"counted": 3, "delta": 1}, "INVALID_ADJUSTMENT"),
        ({"counted": -1}, "INVALID_QUANTITY"),
        ({"counted": 2**40}, "INVALID_QUANTITY"),
        ({"counted": 2.0}, "INVALID_QUANTITY"),
        ({"counted": True}, "INVALID_QUANTITY"),
        ({"delta": 0}, "INVALID_QUANTITY"),
        ({"delta": 1_000_001}, "INVALID_QUANTITY"),
        ({"delta": -(2**40)}, "INVALID_QUANTITY"),
        ({"delta": "1"}, "INVALID_QUANTITY"),
    ],
)
def test_adjust_bad_input(
    lyon: Warehouse, variant: ProductVariant, kwargs: dict[str, Any], code: str
) -> None:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    raises(InvalidInput, code, services.stock_adjust, stock=stock, **kwargs)


def test_adjust_refuses_below_allocated_or_zero(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    services.stock_allocate(lines=[(variant.pk, 4)], channel=channel)
    error = raises(Conflict, "STOCK_ALLOCATED", services.stock_adjust, stock=stock, counted=3)
    assert error.errors == {"counted": ["STOCK_ALLOCATED"]}
    raises(Conflict, "STOCK_ALLOCATED", services.stock_adjust, stock=stock, delta=-7)
    raises(Conflict, "INSUFFICIENT_STOCK", services.stock_adjust, stock=stock, delta=-11)
    assert services.stock_adjust(stock=stock, counted=4).quantity == 4


def test_allocated_never_exceeds_on_hand(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    """The database refuses more allocated than on hand, whatever writes the row."""
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=3)
    services.stock_allocate(lines=[(variant.pk, 3)], channel=channel)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(quantity_allocated=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(quantity=2)
    stock.refresh_from_db()
    assert (stock.quantity, stock.quantity_allocated) == (3, 3)


def test_adjust_unknown_stock() -> None:
    raises(NotFound, "STOCK_NOT_FOUND", services.stock_adjust, stock=Stock(pk=98_765), delta=1)
    raises(NotFound, "STOCK_NOT_FOUND", services.stock_adjust, stock=Stock(), delta=1)


# --- Transfers -----------------------------------------------------------------------------


def test_transfer(lyon: Warehouse, paris: Warehouse, variant: ProductVariant, actor: User) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=10)
    out, into = services.stock_transfer(
        variant=variant, source=lyon, destination=paris, quantity=4, actor=actor
    )
    assert (out.warehouse_id, out.quantity) == (lyon.pk, 6)
    assert (into.warehouse_id, into.quantity) == (paris.pk, 4)
    out_moves, in_moves = movements(out), movements(into)
    assert [m[:2] for m in out_moves] == [("receipt", 10), ("transfer_out", -4)]
    assert [m[:2] for m in in_moves] == [("transfer_in", 4)]
    assert out_moves[1][2] == in_moves[0][2]
    assert out_moves[1][2].startswith("transfer-")
    # And back again, with an explicit reference.
    out, into = services.stock_transfer(
        variant=variant, source=paris, destination=lyon, quantity=4, reference="TR-2"
    )
    assert (out.quantity, into.quantity) == (0, 10)
    assert ledger_mismatches() == []


def test_transfer_bad_input(lyon: Warehouse, paris: Warehouse, variant: ProductVariant) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    other = ProductVariantFactory.create()
    inactive = WarehouseFactory.create(is_active=False)
    base = {"variant": variant, "source": lyon, "destination": paris, "quantity": 2}
    for quantity in BAD_QUANTITIES:
        raises(
            InvalidInput,
            "INVALID_QUANTITY",
            services.stock_transfer,
            **{**base, "quantity": quantity},
        )
    raises(InvalidInput, "SAME_WAREHOUSE", services.stock_transfer, **{**base, "destination": lyon})
    raises(
        Conflict, "WAREHOUSE_INACTIVE", services.stock_transfer, **{**base, "destination": inactive}
    )
    raises(
        NotFound,
        "WAREHOUSE_NOT_FOUND",
        services.stock_transfer,
        **{**base, "source": Warehouse(pk=98_765)},
    )
    raises(Conflict, "INSUFFICIENT_STOCK", services.stock_transfer, **{**base, "quantity": 6})
    raises(Conflict, "INSUFFICIENT_STOCK", services.stock_transfer, **{**base, "variant": other})
    raises(
        Conflict,
        "INSUFFICIENT_STOCK",
        services.stock_transfer,
        **{**base, "source": paris, "destination": lyon},
    )
    assert Stock.objects.count() == 1


def test_transfer_moves_free_stock_only(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    services.stock_allocate(lines=[(variant.pk, 3)], channel=channel)
    base: dict[str, Any] = {"variant": variant, "source": lyon, "destination": paris}
    raises(Conflict, "INSUFFICIENT_STOCK", services.stock_transfer, **base, quantity=3)
    out, into = services.stock_transfer(**base, quantity=2)
    assert (out.quantity, out.quantity_allocated, into.quantity) == (3, 3, 2)


def test_inactive_source_can_still_send(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant
) -> None:
    services.stock_receive(warehouse=lyon, variant=variant, quantity=5)
    services.warehouse_update(warehouse=lyon, is_active=False)
    out, into = services.stock_transfer(variant=variant, source=lyon, destination=paris, quantity=5)
    assert (out.quantity, into.quantity) == (0, 5)


# --- The ledger ----------------------------------------------------------------------------


def test_ledger_balances_after_a_sequence(
    lyon: Warehouse, paris: Warehouse, channel: Channel
) -> None:
    b2b = B2BChannelFactory.create()
    drill, saw = ProductVariantFactory.create(), ProductVariantFactory.create()
    services.stock_receive(warehouse=lyon, variant=drill, quantity=20, reference="PO-1")
    services.stock_receive(warehouse=paris, variant=drill, quantity=5)
    services.stock_receive(warehouse=paris, variant=saw, quantity=8)
    services.stock_transfer(variant=drill, source=lyon, destination=paris, quantity=7)
    allocations = services.stock_allocate(lines=[(drill.pk, 15), (saw.pk, 2)], channel=channel)
    services.stock_ship(allocations=allocations, reference="CMD-1")
    services.stock_return(warehouse=lyon, variant=drill, quantity=1, reference="CMD-1")
    lyon_drill = Stock.objects.get(warehouse=lyon, variant=drill)
    services.stock_adjust(stock=lyon_drill, counted=0)
    held = services.stock_allocate(lines=[(drill.pk, 2)], channel=b2b)
    services.stock_deallocate(allocations=held)

    assert ledger_mismatches() == []
    quantities = {
        (s.warehouse_id, s.variant_id): (s.quantity, s.quantity_allocated)
        for s in Stock.objects.all()
    }
    # Lyon (priority 1): 20 - 7 = 13, 13 shipped, 1 returned, counted 0.
    # Paris: 5 + 7 = 12, 2 shipped; saw 8 - 2.
    assert quantities == {
        (lyon.pk, drill.pk): (0, 0),
        (paris.pk, drill.pk): (10, 0),
        (paris.pk, saw.pk): (6, 0),
    }


def test_ledger_mismatches_reports_a_tampered_stock(
    lyon: Warehouse, variant: ProductVariant
) -> None:
    stock = services.stock_receive(warehouse=lyon, variant=variant, quantity=3)
    empty = Stock.objects.create(warehouse=WarehouseFactory.create(), variant=variant)
    assert ledger_mismatches() == []
    Stock.objects.filter(pk=stock.pk).update(quantity=5)
    Stock.objects.filter(pk=empty.pk).update(quantity=1)
    result = [(m.stock_id, m.quantity, m.ledger) for m in ledger_mismatches()]
    assert result == [(stock.pk, 5, 3), (empty.pk, 1, 0)]
