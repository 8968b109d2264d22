"""Shipping services: zones, methods, brackets; every refusal has its code and changes
nothing; writes are recorded in the history when an actor is given."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.utils import translation

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import DomainError
from comptoir.inventory.models import Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.shipping import services
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone, WeightBracket
from comptoir.shipping.tests.conftest import France

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[Any], ...]:
    return (
        list(ShippingZone.objects.order_by("pk").values_list()),
        list(ShippingMethod.objects.order_by("pk").values_list()),
        list(WeightBracket.objects.order_by("pk").values_list()),
    )


def refused(expected: str, call: Any, /, **kwargs: Any) -> DomainError:
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == expected, caught.value.errors
    assert snapshot() == before
    return caught.value


def brackets(method: ShippingMethod) -> list[tuple[int, Decimal]]:
    return list(method.brackets.order_by("up_to_grams").values_list("up_to_grams", "price"))


@pytest.fixture
def actor() -> User:
    return StaffFactory.create()


# --- zones -----------------------------------------------------------------------------------


def test_zone_create_normalises_countries(b2c: Channel, actor: User) -> None:
    zone = services.shipping_zone_create(
        channel=b2c, name="Europe", countries=["be", " DE", "BE", "lu"], actor=actor
    )

    zone.refresh_from_db()
    assert zone.countries == ["BE", "DE", "LU"]
    entry = LogEntry.objects.get(object_id=str(zone.pk))
    assert (entry.user_id, entry.action_flag) == (actor.pk, ADDITION)


@pytest.mark.parametrize(
    "countries",
    [["XX"], ["FRA"], ["250"], ["EU"], [""], [5], [None], [], "FR", None, ["F\x00"]],
)
def test_zone_countries_must_be_iso_codes(b2c: Channel, countries: Any) -> None:
    refused(
        "INVALID_COUNTRY",
        services.shipping_zone_create,
        channel=b2c,
        name="Zone",
        countries=countries,
    )


def test_a_country_is_in_one_active_zone_per_channel(b2c: Channel, b2b: Channel) -> None:
    services.shipping_zone_create(channel=b2c, name="France", countries=["FR", "MC"])

    error = refused(
        "COUNTRY_IN_ANOTHER_ZONE",
        services.shipping_zone_create,
        channel=b2c,
        name="Monaco",
        countries=["mc", "IT"],
    )
    assert error.status == 409
    assert "MC (France)" in error.detail
    # Inactive zones and other channels may hold it.
    services.shipping_zone_create(channel=b2c, name="Draft", countries=["MC"], is_active=False)
    services.shipping_zone_create(channel=b2b, name="Pro", countries=["FR"])


def test_zone_update_checks_countries_and_activation(b2c: Channel) -> None:
    services.shipping_zone_create(channel=b2c, name="France", countries=["FR"])
    other = services.shipping_zone_create(channel=b2c, name="Belgique", countries=["BE"])
    draft = services.shipping_zone_create(
        channel=b2c, name="Draft", countries=["FR"], is_active=False
    )

    refused(
        "COUNTRY_IN_ANOTHER_ZONE",
        services.shipping_zone_update,
        zone=other,
        countries=["BE", "FR"],
    )
    assert other.countries == ["BE"]  # left as it was
    refused("COUNTRY_IN_ANOTHER_ZONE", services.shipping_zone_update, zone=draft, is_active=True)
    assert draft.is_active is False
    services.shipping_zone_update(zone=other, countries=["BE", "LU"], name="Benelux")
    other.refresh_from_db()
    assert (other.name, other.countries) == ("Benelux", ["BE", "LU"])


def test_zone_text_and_external_ref(b2c: Channel) -> None:
    services.shipping_zone_create(channel=b2c, name="A", countries=["FR"], external_ref="z-1")

    refused(
        "EXTERNAL_REF_TAKEN",
        services.shipping_zone_create,
        channel=b2c,
        name="B",
        countries=["BE"],
        external_ref="z-1",
    )
    refused(
        "INVALID_TEXT", services.shipping_zone_create, channel=b2c, name="B\x00", countries=["BE"]
    )
    refused("INVALID_INPUT", services.shipping_zone_create, channel=b2c, name="", countries=["BE"])
    refused(
        "INVALID_INPUT",
        services.shipping_zone_create,
        channel=b2c,
        name="B",
        countries=["BE"],
        metadata=[1],
    )


def test_zone_update_without_change_writes_nothing(b2c: Channel, actor: User) -> None:
    zone = services.shipping_zone_create(channel=b2c, name="France", countries=["FR"])

    services.shipping_zone_update(zone=zone, name="France", countries=["fr"], actor=actor)

    assert not LogEntry.objects.exists()


def test_zone_delete_removes_its_methods(france: France, actor: User) -> None:
    services.shipping_zone_delete(zone=france.zone, actor=actor)

    assert snapshot() == ([], [], [])
    flags = sorted(LogEntry.objects.values_list("action_flag", flat=True))
    assert flags == [DELETION] * 4  # the zone and its three methods


# --- methods ---------------------------------------------------------------------------------


def test_method_create_with_defaults(france: France, actor: User) -> None:
    method = services.shipping_method_create(
        zone=france.zone, code="coursier", name="Coursier", kind="flat", price=19, actor=actor
    )

    method.refresh_from_db()
    assert method.price == Decimal("19.00")
    assert method.position == 3  # after the others
    assert (method.delivery_days_min, method.delivery_days_max) == (1, 3)
    assert LogEntry.objects.filter(object_id=str(method.pk), action_flag=ADDITION).exists()


def test_weight_method_brackets_are_sorted(france: France) -> None:
    assert brackets(france.chrono) == [
        (1000, Decimal("9.90")),
        (5000, Decimal("14.90")),
        (30000, Decimal("29.90")),
    ]
    assert france.chrono.price == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "pickup"}, "PICKUP_WAREHOUSE_REQUIRED"),
        ({"kind": "weight"}, "WEIGHT_BRACKETS_REQUIRED"),
        ({"kind": "weight", "brackets": [(1000, "1")], "price": "2.00"}, "INVALID_PRICE"),
        ({"brackets": [(1000, "1.00")]}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": [(1000, "1"), (1000, "2")]}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": [(0, "1")]}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": [("1kg", "1")]}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": [(1000,)]}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": "1000:1"}, "INVALID_BRACKETS"),
        ({"kind": "weight", "brackets": [(1000, "-1")]}, "INVALID_PRICE"),
        ({"kind": "weight", "brackets": [(w, "1") for w in range(1, 102)]}, "INVALID_BRACKETS"),
        ({"kind": "express"}, "INVALID_INPUT"),
        ({"price": "-0.01"}, "INVALID_PRICE"),
        ({"price": "4.999"}, "INVALID_PRICE"),
        ({"price": "abc"}, "INVALID_PRICE"),
        ({"price": "NaN"}, "INVALID_PRICE"),
        ({"price": "Infinity"}, "INVALID_PRICE"),
        ({"price": "١٢"}, "INVALID_PRICE"),
        ({"price": True}, "INVALID_PRICE"),
        ({"price": 4.9}, "INVALID_PRICE"),
        ({"price": "10000000000.00"}, "INVALID_PRICE"),
        ({"free_over": "-1"}, "INVALID_PRICE"),
        ({"min_weight_grams": 500, "max_weight_grams": 100}, "INVALID_WEIGHT_RANGE"),
        ({"min_weight_grams": -1}, "INVALID_INPUT"),
        ({"max_weight_grams": 2**31}, "INVALID_INPUT"),
        ({"delivery_days_min": 5, "delivery_days_max": 2}, "INVALID_DELIVERY_DAYS"),
        ({"delivery_days_max": 366}, "INVALID_INPUT"),
        ({"position": -1}, "INVALID_INPUT"),
        ({"code": "not a slug"}, "INVALID_INPUT"),
        ({"code": "x" * 51}, "INVALID_INPUT"),
        ({"name": ""}, "INVALID_INPUT"),
        ({"name": "x" * 101}, "INVALID_INPUT"),
        ({"name": "\ud800"}, "INVALID_TEXT"),
        ({"metadata": {"k": "\x00"}}, "INVALID_TEXT"),
        ({"is_active": "yes"}, "INVALID_INPUT"),
        ({"code": "colissimo"}, "METHOD_CODE_TAKEN"),
    ],
)
def test_method_create_refusals(france: France, fields: dict[str, Any], code: str) -> None:
    data: dict[str, Any] = {"code": "nouvelle", "name": "Nouvelle", "kind": "flat", "price": "1"}
    data.update(fields)

    refused(code, services.shipping_method_create, zone=france.zone, **data)


def test_pickup_warehouse_rules(france: France, b2c: Channel, warehouse: Warehouse) -> None:
    closed = WarehouseFactory.create(is_active=False)
    elsewhere = WarehouseFactory.create()
    elsewhere.channels.add(ChannelFactory.create(code="autre"))
    for target in (closed, elsewhere):
        refused(
            "INVALID_PICKUP_WAREHOUSE",
            services.shipping_method_create,
            zone=france.zone,
            code="retrait-2",
            name="Retrait",
            kind=ShippingKind.PICKUP,
            pickup_warehouse=target,
        )
    refused(
        "INVALID_INPUT",
        services.shipping_method_create,
        zone=france.zone,
        code="plat",
        name="Plat",
        kind=ShippingKind.FLAT,
        pickup_warehouse=warehouse,
    )
    served = WarehouseFactory.create()
    served.channels.add(b2c)
    services.shipping_method_create(
        zone=france.zone,
        code="retrait-2",
        name="Retrait",
        kind=ShippingKind.PICKUP,
        pickup_warehouse=served,
        price="1.50",
    )


def test_same_code_in_another_zone_is_fine(france: France, b2c: Channel) -> None:
    zone = services.shipping_zone_create(channel=b2c, name="Belgique", countries=["BE"])

    services.shipping_method_create(zone=zone, code="colissimo", name="Colissimo", kind="flat")

    assert ShippingMethod.objects.filter(code="colissimo").count() == 2


def test_external_ref_is_unique(france: France) -> None:
    services.shipping_method_update(method=france.colissimo, external_ref="erp-1")

    refused(
        "EXTERNAL_REF_TAKEN",
        services.shipping_method_create,
        zone=france.zone,
        code="autre",
        name="Autre",
        kind="flat",
        external_ref="erp-1",
    )


def test_amount_decimals_follow_the_currency() -> None:
    yen = ChannelFactory.create(code="japon", currency="JPY", default_country="JP")
    zone = services.shipping_zone_create(channel=yen, name="Japon", countries=["JP"])

    refused(
        "INVALID_PRICE",
        services.shipping_method_create,
        zone=zone,
        code="yubin",
        name="Yubin",
        kind="flat",
        price="500.50",
    )
    method = services.shipping_method_create(
        zone=zone, code="yubin", name="Yubin", kind="flat", price="500"
    )
    assert method.price == Decimal("500.00")


# --- method updates ----------------------------------------------------------------------------


def test_update_changes_given_fields_and_records_them(france: France, actor: User) -> None:
    services.shipping_method_update(
        method=france.colissimo, price="5.50", free_over=None, actor=actor
    )

    france.colissimo.refresh_from_db()
    assert (france.colissimo.price, france.colissimo.free_over) == (Decimal("5.50"), None)
    entry = LogEntry.objects.get(object_id=str(france.colissimo.pk))
    assert entry.action_flag == CHANGE
    with translation.override("en"):
        assert entry.get_change_message() == "Changed price and free over."


def test_update_refusal_leaves_the_method_as_it_was(france: France) -> None:
    refused(
        "INVALID_DELIVERY_DAYS",
        services.shipping_method_update,
        method=france.colissimo,
        delivery_days_min=9,
    )
    assert france.colissimo.delivery_days_min == 2
    refused(
        "METHOD_CODE_TAKEN", services.shipping_method_update, method=france.pickup, code="colissimo"
    )
    assert france.pickup.code == "retrait"
    refused("INVALID_INPUT", services.shipping_method_update, method=france.pickup, position=None)


def test_weight_to_flat_drops_the_brackets(france: France) -> None:
    services.shipping_method_update(method=france.chrono, kind="flat", price="12.00")

    assert brackets(france.chrono) == []


def test_flat_to_weight_needs_brackets_and_resets_the_price(france: France) -> None:
    refused(
        "WEIGHT_BRACKETS_REQUIRED",
        services.shipping_method_update,
        method=france.colissimo,
        kind="weight",
    )

    services.shipping_method_update(
        method=france.colissimo, kind="weight", brackets=[{"up_to_grams": 2000, "price": "6.90"}]
    )

    france.colissimo.refresh_from_db()
    assert france.colissimo.price == 0
    assert brackets(france.colissimo) == [(2000, Decimal("6.90"))]


def test_pickup_to_flat_drops_the_warehouse(france: France) -> None:
    services.shipping_method_update(method=france.pickup, kind="flat", price="3")

    france.pickup.refresh_from_db()
    assert france.pickup.pickup_warehouse_id is None


def test_update_without_change_writes_nothing(france: France, actor: User) -> None:
    services.shipping_method_update(
        method=france.chrono,
        name="Chronopost",
        brackets=[(1000, "9.9"), (5000, "14.90"), (30000, "29.90")],
        actor=actor,
    )

    assert not LogEntry.objects.exists()


# --- brackets ------------------------------------------------------------------------------------


def test_brackets_set_replaces_them(france: France, actor: User) -> None:
    result = services.weight_brackets_set(
        method=france.chrono, brackets=[(2000, "11.00"), (500, "7.00")], actor=actor
    )

    assert [(b.up_to_grams, b.price) for b in result] == [
        (500, Decimal("7.00")),
        (2000, Decimal("11.00")),
    ]
    entry = LogEntry.objects.get(object_id=str(france.chrono.pk))
    assert "<= 500 g: 7.00 EUR" in entry.get_change_message()


def test_brackets_set_refusals(france: France) -> None:
    refused(
        "WEIGHT_BRACKETS_REQUIRED", services.weight_brackets_set, method=france.chrono, brackets=[]
    )
    refused(
        "INVALID_BRACKETS",
        services.weight_brackets_set,
        method=france.colissimo,
        brackets=[(1000, "1")],
    )
    refused(
        "INVALID_PRICE", services.weight_brackets_set, method=france.chrono, brackets=[(1, "x")]
    )


def test_method_delete(france: France, actor: User) -> None:
    services.shipping_method_delete(method=france.chrono, actor=actor)

    assert not ShippingMethod.objects.filter(code="chronopost").exists()
    assert not WeightBracket.objects.exists()
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 1
