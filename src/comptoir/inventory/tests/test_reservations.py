"""Reservations of open checkouts: held like allocations, replaced when the same token
reserves again, committed to an order, released, expired by the worker; backorders for
the products that allow them; every refusal changes nothing; the ledger stays balanced."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound
from comptoir.inventory import services, tasks
from comptoir.inventory.models import Reservation, ReservationHold, Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import Allocation, backordered, ledger_mismatches
from comptoir.inventory.services import Reserved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def later(minutes: int = 15) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def stocked(warehouse: Warehouse, variant: ProductVariant, quantity: int) -> Stock:
    return services.stock_receive(warehouse=warehouse, variant=variant, quantity=quantity)


def backorderable(sku: str) -> ProductVariant:
    return ProductVariantFactory.create(sku=sku, product__allow_backorders=True)


def state() -> dict[int, tuple[int, int]]:
    return {s.pk: (s.quantity, s.quantity_allocated) for s in Stock.objects.order_by("pk")}


def held() -> list[tuple[str, int, int]]:
    return list(
        Reservation.objects.order_by("token", "stock_id").values_list(
            "token", "stock_id", "quantity"
        )
    )


def snapshot() -> tuple[Any, ...]:
    return (
        state(),
        held(),
        list(
            ReservationHold.objects.order_by("pk").values_list("token", "expires_at", "backordered")
        ),
        StockMovement.objects.count(),
    )


def refused(code: str, call: Any, **kwargs: Any) -> DomainError:
    before = snapshot()
    with pytest.raises(DomainError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value
    assert snapshot() == before
    return info.value


# --- reserve -------------------------------------------------------------------------------


def test_reserve_splits_by_priority_and_holds(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_paris, s_lyon = stocked(paris, variant, 5), stocked(lyon, variant, 2)
    expires = later()

    reserved = services.stock_reserve(
        token="co-1", lines=[(variant.pk, 3), (variant.pk, 1)], channel=channel, expires_at=expires
    )

    assert reserved == Reserved(
        reservations=[
            Allocation(s_lyon.pk, lyon.pk, variant.pk, 2),
            Allocation(s_paris.pk, paris.pk, variant.pk, 2),
        ],
        backordered={},
    )
    assert state() == {s_paris.pk: (5, 2), s_lyon.pk: (2, 2)}
    assert held() == [("co-1", s_paris.pk, 2), ("co-1", s_lyon.pk, 2)]
    assert set(Reservation.objects.values_list("expires_at", flat=True)) == {expires}
    assert ReservationHold.objects.get().expires_at == expires
    assert StockMovement.objects.exclude(kind="receipt").count() == 0  # not a movement
    assert ledger_mismatches() == []


def test_reserve_same_token_replaces_the_previous_reservation(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_lyon, s_paris = stocked(lyon, variant, 3), stocked(paris, variant, 3)
    saw = ProductVariantFactory.create(sku="SCIE-1")
    s_saw = stocked(paris, saw, 2)
    services.stock_reserve(
        token="co-1", lines=[(variant.pk, 4), (saw.pk, 2)], channel=channel, expires_at=later()
    )
    assert state() == {s_lyon.pk: (3, 3), s_paris.pk: (3, 1), s_saw.pk: (2, 2)}
    expires = later(30)

    # The cart changed: 5 drills (its own 4 count as free), no saw any more.
    reserved = services.stock_reserve(
        token="co-1", lines=[(variant.pk, 5)], channel=channel, expires_at=expires
    )

    assert [a.quantity for a in reserved.reservations] == [3, 2]
    assert state() == {s_lyon.pk: (3, 3), s_paris.pk: (3, 2), s_saw.pk: (2, 0)}
    assert held() == [("co-1", s_lyon.pk, 3), ("co-1", s_paris.pk, 2)]
    assert ReservationHold.objects.get().expires_at == expires

    # Another checkout sees only what is left.
    refused(
        "INSUFFICIENT_STOCK",
        services.stock_reserve,
        token="co-2",
        lines=[(variant.pk, 2)],
        channel=channel,
        expires_at=later(),
    )


def test_reserve_again_when_short_keeps_the_previous_reservation(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stocked(lyon, variant, 3)
    services.stock_reserve(
        token="co-1", lines=[(variant.pk, 2)], channel=channel, expires_at=later()
    )
    error = refused(
        "INSUFFICIENT_STOCK",
        services.stock_reserve,
        token="co-1",
        lines=[(variant.pk, 4)],
        channel=channel,
        expires_at=later(),
    )
    assert error.errors == {"PERC-18V": ["4 requested, 3 available."]}


def test_insufficient_lists_every_short_sku_and_changes_nothing(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    saw = ProductVariantFactory.create(sku="SCIE-1")
    glue = ProductVariantFactory.create(sku="COLLE-1")
    stocked(lyon, variant, 5)
    stocked(lyon, saw, 1)
    error = refused(
        "INSUFFICIENT_STOCK",
        services.stock_reserve,
        token="co-1",
        lines=[(variant.pk, 2), (saw.pk, 2), (glue.pk, 1)],
        channel=channel,
        expires_at=later(),
    )
    assert error.status == 409
    assert error.errors == {
        "SCIE-1": ["2 requested, 1 available."],
        "COLLE-1": ["1 requested, 0 available."],
    }
    assert not ReservationHold.objects.exists()


def test_reserve_only_from_warehouses_serving_the_channel(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    b2b = B2BChannelFactory.create()
    paris.channels.set([b2b])
    stocked(lyon, variant, 1)
    stocked(paris, variant, 5)
    refused(
        "INSUFFICIENT_STOCK",
        services.stock_reserve,
        token="co-1",
        lines=[(variant.pk, 2)],
        channel=channel,
        expires_at=later(),
    )
    reserved = services.stock_reserve(
        token="co-1", lines=[(variant.pk, 6)], channel=b2b, expires_at=later()
    )
    assert sum(a.quantity for a in reserved.reservations) == 6


# --- backorders ----------------------------------------------------------------------------


def test_backorders_reserve_what_is_free_and_report_the_rest(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    bench = backorderable("ETABLI-1")
    nothing = backorderable("ETAU-1")  # no stock row at all
    s_bench, s_drill = stocked(lyon, bench, 2), stocked(lyon, variant, 1)

    reserved = services.stock_reserve(
        token="co-1",
        lines=[(bench.pk, 5), (variant.pk, 1), (nothing.pk, 3)],
        channel=channel,
        expires_at=later(),
    )

    assert reserved.reservations == [
        Allocation(s_bench.pk, lyon.pk, bench.pk, 2),
        Allocation(s_drill.pk, lyon.pk, variant.pk, 1),
    ]
    assert reserved.backordered == {bench.pk: 3, nothing.pk: 3}
    assert state() == {s_bench.pk: (2, 2), s_drill.pk: (1, 1)}
    assert ReservationHold.objects.get().backordered == {str(bench.pk): 3, str(nothing.pk): 3}
    # On hand never goes below zero: backorders are promises, not stock.
    assert Stock.objects.filter(quantity__lt=0).count() == 0


def test_backorders_do_not_excuse_other_products(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    bench = backorderable("ETABLI-1")
    error = refused(
        "INSUFFICIENT_STOCK",
        services.stock_reserve,
        token="co-1",
        lines=[(bench.pk, 5), (variant.pk, 1)],
        channel=channel,
        expires_at=later(),
    )
    assert list(error.errors) == ["PERC-18V"]


def test_fully_backordered_checkout_commits_with_nothing_held(channel: Channel) -> None:
    bench = backorderable("ETABLI-1")
    reserved = services.stock_reserve(
        token="co-1", lines=[(bench.pk, 2)], channel=channel, expires_at=later()
    )
    assert reserved == Reserved(reservations=[], backordered={bench.pk: 2})
    assert services.reservation_commit(token="co-1") == []
    refused("RESERVATION_EXPIRED", services.reservation_commit, token="co-1")


def test_allocate_with_backorders(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    bench = backorderable("ETABLI-1")
    s_bench = stocked(lyon, bench, 2)
    lines = [(bench.pk, 5)]
    with pytest.raises(Conflict):
        services.stock_allocate(lines=lines, channel=channel)  # strict by default
    allocations = services.stock_allocate(lines=lines, channel=channel, backorders=True)
    assert allocations == [Allocation(s_bench.pk, lyon.pk, bench.pk, 2)]
    assert backordered(lines=lines, allocations=allocations) == {bench.pk: 3}

    # The backordered units ship later: received, then allocated (strictly) and shipped.
    stocked(lyon, bench, 3)
    later_allocations = services.stock_allocate(lines=[(bench.pk, 3)], channel=channel)
    services.stock_ship(allocations=[*allocations, *later_allocations], reference="CMD-1")
    assert state() == {s_bench.pk: (0, 0)}
    assert ledger_mismatches() == []


def test_product_backorders_set(variant: ProductVariant, actor: Any) -> None:
    product = services.product_backorders_set(product=variant.product, allow=True, actor=actor)
    assert product.allow_backorders
    variant.product.refresh_from_db()
    assert variant.product.allow_backorders
    with pytest.raises(InvalidInput):
        services.product_backorders_set(product=variant.product, allow="yes")  # type: ignore[arg-type]


# --- commit, release, expire ---------------------------------------------------------------


def test_commit_keeps_the_allocation_and_returns_it(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_lyon = stocked(lyon, variant, 5)
    services.stock_reserve(
        token="co-1", lines=[(variant.pk, 2)], channel=channel, expires_at=later()
    )

    allocations = services.reservation_commit(token="co-1")

    assert allocations == [Allocation(s_lyon.pk, lyon.pk, variant.pk, 2)]
    assert state() == {s_lyon.pk: (5, 2)}  # now allocated to the order
    assert held() == []
    assert not ReservationHold.objects.exists()
    # Committed twice, released or expired later: nothing held any more.
    error = refused("RESERVATION_EXPIRED", services.reservation_commit, token="co-1")
    assert error.status == 409
    assert services.reservation_release(token="co-1") == 0
    assert services.reservations_expire(now=later(60)) == 0
    assert state() == {s_lyon.pk: (5, 2)}
    # The order ships what was committed.
    services.stock_ship(allocations=allocations, reference="CMD-1")
    assert state() == {s_lyon.pk: (3, 0)}
    assert ledger_mismatches() == []


def test_release_deallocates(
    lyon: Warehouse, paris: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_lyon, s_paris = stocked(lyon, variant, 1), stocked(paris, variant, 5)
    services.stock_reserve(
        token="co-1", lines=[(variant.pk, 4)], channel=channel, expires_at=later()
    )
    services.stock_reserve(
        token="co-2", lines=[(variant.pk, 1)], channel=channel, expires_at=later()
    )

    assert services.reservation_release(token="co-1") == 4

    assert state() == {s_lyon.pk: (1, 0), s_paris.pk: (5, 1)}
    assert held() == [("co-2", s_paris.pk, 1)]
    assert services.reservation_release(token="co-1") == 0  # twice is harmless
    refused("RESERVATION_EXPIRED", services.reservation_commit, token="co-1")


def test_expire_releases_only_expired_holds(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    s_lyon = stocked(lyon, variant, 10)
    now = timezone.now()
    services.stock_reserve(
        token="old", lines=[(variant.pk, 3)], channel=channel, expires_at=now - timedelta(seconds=1)
    )
    services.stock_reserve(
        token="new", lines=[(variant.pk, 2)], channel=channel, expires_at=now + timedelta(minutes=5)
    )
    bench = backorderable("ETABLI-1")
    services.stock_reserve(
        token="backorder", lines=[(bench.pk, 1)], channel=channel, expires_at=now
    )

    assert services.reservations_expire(now=now) == 3

    assert state() == {s_lyon.pk: (10, 2)}
    assert held() == [("new", s_lyon.pk, 2)]
    assert list(ReservationHold.objects.values_list("token", flat=True)) == ["new"]
    refused("RESERVATION_EXPIRED", services.reservation_commit, token="old")
    # Past its expiry but not released yet: still held, so it commits.
    assert services.reservation_commit(token="new")[0].quantity == 2
    assert ledger_mismatches() == []


def test_expire_in_batches(
    monkeypatch: pytest.MonkeyPatch, lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    monkeypatch.setattr(services.reservations, "EXPIRE_BATCH", 2)
    stocked(lyon, variant, 5)
    past = timezone.now() - timedelta(minutes=1)
    for n in range(5):
        services.stock_reserve(
            token=f"co-{n}", lines=[(variant.pk, 1)], channel=channel, expires_at=past
        )
    assert services.reservations_expire() == 5
    assert not ReservationHold.objects.exists()
    assert Stock.objects.get().quantity_allocated == 0


def test_celery_task_expires(lyon: Warehouse, variant: ProductVariant, channel: Channel) -> None:
    stocked(lyon, variant, 5)
    services.stock_reserve(
        token="co-1",
        lines=[(variant.pk, 2)],
        channel=channel,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert tasks.reservations_expire.apply().get() == 2
    assert tasks.reservations_expire.name == "inventory.reservations_expire"
    assert tasks.ledger_check.apply().get() == 0


def test_expired_reservation_does_not_block_adjustment_after_release(
    lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stock = stocked(lyon, variant, 5)
    services.stock_reserve(
        token="co-1", lines=[(variant.pk, 5)], channel=channel, expires_at=later()
    )
    refused("STOCK_ALLOCATED", services.stock_adjust, stock=stock, counted=4)
    services.reservations_expire(now=later(60))
    assert services.stock_adjust(stock=stock, counted=4).quantity == 4


# --- bad input -----------------------------------------------------------------------------

BAD_TOKENS = ["", "x" * 121, "a\x00b", 12, None]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_bad_tokens(token: Any, lyon: Warehouse, variant: ProductVariant, channel: Channel) -> None:
    stocked(lyon, variant, 5)
    refused(
        "INVALID_INPUT",
        services.stock_reserve,
        token=token,
        lines=[(variant.pk, 1)],
        channel=channel,
        expires_at=later(),
    )
    refused("INVALID_INPUT", services.reservation_commit, token=token)
    refused("INVALID_INPUT", services.reservation_release, token=token)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "INVALID_QUANTITY"),
        ("abc", "INVALID_INPUT"),
        ([(1, 2, 3)], "INVALID_INPUT"),
        ([("x", 1)], "VARIANT_NOT_FOUND"),
        ([(999_999, 1)], "VARIANT_NOT_FOUND"),
        ([(None, 1)], "VARIANT_NOT_FOUND"),
        ("VARIANT", "INVALID_INPUT"),
    ],
)
def test_bad_lines(lines: Any, code: str, variant: ProductVariant, channel: Channel) -> None:
    refused(
        code, services.stock_reserve, token="co-1", lines=lines, channel=channel, expires_at=later()
    )


@pytest.mark.parametrize("quantity", [0, -1, 1_000_001, 2**63, 1.5, "2", True, None])
def test_bad_quantities(
    quantity: Any, lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stocked(lyon, variant, 5)
    refused(
        "INVALID_QUANTITY",
        services.stock_reserve,
        token="co-1",
        lines=[(variant.pk, quantity)],
        channel=channel,
        expires_at=later(),
    )


NAIVE = timezone.make_naive(timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("expires_at", [None, "2030-01-01T00:00:00Z", NAIVE, 0])
def test_bad_expiry(
    expires_at: Any, lyon: Warehouse, variant: ProductVariant, channel: Channel
) -> None:
    stocked(lyon, variant, 5)
    refused(
        "INVALID_INPUT",
        services.stock_reserve,
        token="co-1",
        lines=[(variant.pk, 1)],
        channel=channel,
        expires_at=expires_at,
    )
    with pytest.raises(InvalidInput):
        services.reservations_expire(now=NAIVE)


def test_unknown_variant_lists_its_id(channel: Channel) -> None:
    with pytest.raises(NotFound) as info:
        services.stock_reserve(token="t", lines=[(424242, 1)], channel=channel, expires_at=later())
    assert info.value.errors == {"lines": ["424242"]}
