"""Allocation across warehouses by priority (the pure plan and the service), release,
shipping, and the read selectors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.inventory import services
from comptoir.inventory.models import Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import (
    Allocation,
    Shortfall,
    StockInfo,
    allocation_plan,
    available_quantities,
    available_quantity,
    ledger_mismatches,
    low_stock,
)
from comptoir.inventory.tests.factories import WarehouseFactory

# --- The pure plan -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English (the shop's default language is French)."""
    with translation.override("en"):
        yield


def info(stock_id: int, warehouse_id: int, priority: int, quantity: int, allocated: int = 0) -> Any:
    return StockInfo(stock_id, warehouse_id, 1, priority, quantity, allocated)


def test_plan_takes_by_priority_then_warehouse_id() -> None:
    stocks = [info(10, 3, 2, 5), info(11, 2, 1, 3, allocated=1), info(12, 1, 2, 4)]
    plan = allocation_plan(lines=[(1, 7)], stocks=stocks)
    assert plan.ok
    assert plan.allocations == (
        Allocation(11, 2, 1, 2),
        Allocation(12, 1, 1, 4),
        Allocation(10, 3, 1, 1),
    )


def test_plan_merges_lines_and_reports_shortfalls() -> None:
    stocks = [info(10, 1, 0, 5), StockInfo(20, 1, 2, 0, 1, 0)]
    plan = allocation_plan(lines=[(1, 2), (2, 2), (1, 3), (3, 1)], stocks=stocks)
    assert not plan.ok
    assert plan.allocations == (Allocation(10, 1, 1, 5),)
    assert plan.shortfalls == (Shortfall(2, 2, 1), Shortfall(3, 1, 0))


def test_plan_skips_rows_without_free_stock() -> None:
    plan = allocation_plan(lines=[(1, 2)], stocks=[info(10, 1, 0, 3, 3), info(11, 2, 1, 2)])
    assert plan.allocations == (Allocation(11, 2, 1, 2),)


# --- The service ---------------------------------------------------------------------------


def stocked(warehouse: Warehouse, variant: ProductVariant, quantity: int) -> Stock:
    return services.stock_receive(warehouse=warehouse, variant=variant, quantity=quantity)


def state() -> dict[int, tuple[int, int]]:
    return {s.pk: (s.quantity, s.quantity_allocated) for s in Stock.objects.all()}


@pytest.mark.django_db
def test_allocate_splits_across_warehouses_by_priority(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    backup = WarehouseFactory.create(code="marseille", priority=2)  # same priority as Paris
    s_paris, s_lyon, s_backup = (stocked(w, variant, 3) for w in (paris, lyon, backup))
    allocations = services.stock_allocate(lines=[(variant.pk, 7)], channel=channel)
    assert allocations == [
        Allocation(s_lyon.pk, lyon.pk, variant.pk, 3),
        Allocation(s_paris.pk, paris.pk, variant.pk, 3),
        Allocation(s_backup.pk, backup.pk, variant.pk, 1),
    ]
    assert state() == {s_paris.pk: (3, 3), s_lyon.pk: (3, 3), s_backup.pk: (3, 1)}
    assert StockMovement.objects.exclude(kind="receipt").count() == 0  # not a movement
    assert available_quantity(variant_id=variant.pk, channel=channel) == 2


@pytest.mark.django_db
def test_allocate_only_from_active_warehouses_serving_the_channel(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    b2b = B2BChannelFactory.create()
    pro_only = WarehouseFactory.create(code="pro", priority=0)
    pro_only.channels.set([b2b])
    both = WarehouseFactory.create(code="both", priority=0)
    both.channels.set([b2b, channel])
    for warehouse in (lyon, paris, pro_only, both):
        stocked(warehouse, variant, 2)
    services.warehouse_update(warehouse=paris, is_active=False)

    assert available_quantity(variant_id=variant.pk, channel=channel) == 4  # both + lyon
    assert available_quantity(variant_id=variant.pk, channel=b2b) == 6  # pro + both + lyon
    before = state()
    with pytest.raises(Conflict) as exc:
        services.stock_allocate(lines=[(variant.pk, 5)], channel=channel)
    assert exc.value.code == "INSUFFICIENT_STOCK"
    assert exc.value.errors == {"PERC-18V": ["5 requested, 4 available."]}
    assert state() == before

    allocations = services.stock_allocate(lines=[(variant.pk, 4)], channel=channel)
    assert [a.warehouse_id for a in allocations] == [both.pk, lyon.pk]


@pytest.mark.django_db
def test_allocate_all_or_nothing_with_errors_per_sku(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    saw = ProductVariantFactory.create(sku="SCIE-1")
    glue = ProductVariantFactory.create(sku="COLLE-1")
    stocked(lyon, variant, 5)
    stocked(lyon, saw, 1)
    before = state()
    with pytest.raises(Conflict) as exc:
        services.stock_allocate(lines=[(variant.pk, 2), (saw.pk, 2), (glue.pk, 1)], channel=channel)
    assert exc.value.code == "INSUFFICIENT_STOCK"
    assert exc.value.errors == {
        "SCIE-1": ["2 requested, 1 available."],
        "COLLE-1": ["1 requested, 0 available."],
    }
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -1, 1_000_001, 2**40, 1.5, "1", True, None])
def test_allocate_bad_quantity(
    lyon: Warehouse, variant: ProductVariant, channel: Channel, quantity: Any
) -> None:
    stocked(lyon, variant, 5)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.stock_allocate(lines=[(variant.pk, quantity)], channel=channel)
    assert exc.value.code == "INVALID_QUANTITY"
    assert state() == before


@pytest.mark.django_db
def test_allocate_bad_lines(lyon: Warehouse, variant: ProductVariant, channel: Channel) -> None:
    stocked(lyon, variant, 5)
    before = state()
    with pytest.raises(InvalidInput) as bad:
        services.stock_allocate(lines=[], channel=channel)
    assert (bad.value.code, bad.value.errors) == ("INVALID_QUANTITY", {"lines": ["EMPTY"]})
    for variant_id in (987_654, "1", None):
        with pytest.raises(NotFound) as exc:
            services.stock_allocate(lines=[(variant.pk, 1), (variant_id, 1)], channel=channel)  # type: ignore[list-item]
        assert exc.value.code == "VARIANT_NOT_FOUND"
    # Not a list of (variant id, quantity) pairs: a 400, never a raw ValueError or TypeError.
    for line in ((variant.pk,), (variant.pk, 1, 2), (), variant.pk, "ab", None, {variant.pk: 1}):
        with pytest.raises(InvalidInput) as bad:
            services.stock_allocate(lines=[(variant.pk, 1), line], channel=channel)  # type: ignore[list-item]
        assert (bad.value.code, bad.value.errors) == ("INVALID_INPUT", {"lines": ["INVALID_INPUT"]})
    for lines in (None, 5, "ab", b"ab", {(variant.pk, 1)}):
        with pytest.raises(InvalidInput) as bad:
            services.stock_allocate(lines=lines, channel=channel)  # type: ignore[arg-type]
        assert (bad.value.code, bad.value.errors) == ("INVALID_INPUT", {"lines": ["INVALID_INPUT"]})
    assert state() == before


@pytest.mark.django_db
def test_deallocate_and_ship(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_lyon, s_paris = stocked(lyon, variant, 3), stocked(paris, variant, 5)
    allocations = services.stock_allocate(lines=[(variant.pk, 5)], channel=channel)
    assert state() == {s_lyon.pk: (3, 3), s_paris.pk: (5, 2)}

    services.stock_deallocate(allocations=[allocations[1]])
    assert state() == {s_lyon.pk: (3, 3), s_paris.pk: (5, 0)}

    moves = services.stock_ship(allocations=[allocations[0]], reference="CMD-42")
    assert [(m.stock_id, m.kind, m.quantity, m.reference) for m in moves] == [
        (s_lyon.pk, "sale", -3, "CMD-42")
    ]
    assert state() == {s_lyon.pk: (0, 0), s_paris.pk: (5, 0)}
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_deallocate_and_ship_refuse_more_than_allocated(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stocked(lyon, variant, 3)
    stocked(paris, variant, 3)
    allocations = services.stock_allocate(lines=[(variant.pk, 4)], channel=channel)
    first, second = allocations
    too_much = Allocation(second.stock_id, second.warehouse_id, variant.pk, 2)
    before = (state(), StockMovement.objects.count())
    for call in (services.stock_deallocate, services.stock_ship):
        kwargs: dict[str, Any] = {"allocations": [first, too_much]}
        if call is services.stock_ship:
            kwargs["reference"] = "CMD-1"
        with pytest.raises(Conflict) as exc:
            call(**kwargs)
        assert exc.value.code == "ALLOCATION_MISMATCH"
        assert (state(), StockMovement.objects.count()) == before
        with pytest.raises(InvalidInput) as bad:
            call(**{**kwargs, "allocations": []})
        assert bad.value.code == "INVALID_QUANTITY"
        zero = Allocation(first.stock_id, first.warehouse_id, variant.pk, 0)
        with pytest.raises(InvalidInput):
            call(**{**kwargs, "allocations": [zero]})
        assert (state(), StockMovement.objects.count()) == before


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 2, 12])
def test_writes_take_the_same_queries_whatever_the_number_of_rows(
    lyon: Warehouse, paris: Warehouse, channel: Channel, n: int
) -> None:
    """Allocating, reserving, releasing and shipping n variants split over two warehouses
    (2n stock rows) cost the same statements for 1 row as for 24: one UPDATE per batch of
    rows, not one per row."""
    variants = [ProductVariantFactory.create() for _ in range(n)]
    for variant in variants:
        stocked(lyon, variant, 2)
        stocked(paris, variant, 10)
    lines = [(v.pk, 3) for v in variants]
    expires = timezone.now() + timedelta(minutes=5)
    counts: dict[str, int] = {}
    allocations: list[Allocation] = []

    def allocate() -> None:
        allocations.extend(services.stock_allocate(lines=lines, channel=channel))

    counts["allocate"] = _queries(allocate)
    counts["deallocate"] = _queries(lambda: services.stock_deallocate(allocations=allocations))
    counts["reserve"] = _queries(
        lambda: services.stock_reserve(
            token="co-1", lines=lines, channel=channel, expires_at=expires
        )
    )
    counts["reserve again"] = _queries(
        lambda: services.stock_reserve(
            token="co-1", lines=[(v.pk, 4) for v in variants], channel=channel, expires_at=expires
        )
    )
    counts["release"] = _queries(lambda: services.reservation_release(token="co-1"))
    allocations.clear()
    allocate()
    counts["ship"] = _queries(
        lambda: services.stock_ship(allocations=allocations, reference="CMD-1")
    )
    assert len(allocations) == 2 * n
    # Savepoints (SAVEPOINT / RELEASE) on top of the statements.
    assert counts == {
        "allocate": 5,
        "deallocate": 4,
        "reserve": 11,
        "reserve again": 10,
        "release": 8,
        "ship": 5,
    }
    assert state() == {
        s.pk: (0 if s.warehouse_id == lyon.pk else 9, 0) for s in Stock.objects.all()
    }
    assert ledger_mismatches() == []


# --- Selectors -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_available_quantities_in_one_query(
    lyon: Warehouse, paris: Warehouse, channel: Channel
) -> None:
    variants = [ProductVariantFactory.create() for _ in range(4)]
    for n, variant in enumerate(variants[:3]):
        stocked(lyon, variant, n + 1)
        stocked(paris, variant, 10)
    services.stock_allocate(lines=[(variants[0].pk, 5)], channel=channel)
    with CaptureQueriesContext(connection) as queries:
        result = available_quantities(variant_ids=[v.pk for v in variants], channel=channel)
    assert len(queries) == 1
    assert result == {variants[0].pk: 6, variants[1].pk: 12, variants[2].pk: 13, variants[3].pk: 0}
    assert available_quantities(variant_ids=[], channel=channel) == {}


@pytest.mark.django_db
def test_low_stock(lyon: Warehouse, paris: Warehouse, channel: Channel) -> None:
    a = ProductVariantFactory.create(sku="A-1")
    b = ProductVariantFactory.create(sku="B-1")
    c = ProductVariantFactory.create(sku="C-1")
    s_a, s_b, s_c = stocked(lyon, a, 5), stocked(lyon, b, 5), stocked(lyon, c, 1)
    stocked(paris, a, 1)
    Stock.objects.filter(pk__in=[s_a.pk, s_b.pk]).update(low_stock_threshold=3)
    Stock.objects.filter(warehouse=paris).update(low_stock_threshold=3)
    assert low_stock(warehouse=lyon) == []
    services.stock_allocate(lines=[(b.pk, 2)], channel=channel)  # Lyon first: free 3
    assert low_stock(warehouse=lyon) == [s_b]
    assert [s.variant.sku for s in low_stock(warehouse=paris)] == ["A-1"]
    assert s_c.low_stock_threshold is None
