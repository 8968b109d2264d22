"""Staff shipping API: access (anonymous 401, customer 403, model permissions), CRUD of
zones and methods (brackets inline) through the services, and bad input (a 4xx
problem+json with a stable code, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.channels.models import Channel
from comptoir.core.testing import Api, clerk_api, problem
from comptoir.inventory.models import Warehouse
from comptoir.shipping.models import ShippingMethod, ShippingZone, WeightBracket
from comptoir.shipping.tests.conftest import France

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[Any], ...]:
    return (
        list(ShippingZone.objects.order_by("pk").values_list()),
        list(ShippingMethod.objects.order_by("pk").values_list()),
        list(WeightBracket.objects.order_by("pk").values_list()),
    )


ENDPOINTS = [
    ("get", "shipping-zones"),
    ("post", "shipping-zones"),
    ("get", "shipping-zones/{zone}"),
    ("patch", "shipping-zones/{zone}"),
    ("delete", "shipping-zones/{zone}"),
    ("get", "shipping-methods"),
    ("post", "shipping-methods"),
    ("get", "shipping-methods/{method}"),
    ("patch", "shipping-methods/{method}"),
    ("put", "shipping-methods/{method}/brackets"),
    ("delete", "shipping-methods/{method}"),
]


def call(api: Api, method: str, path: str, france: France) -> Any:
    """The endpoint called with a body that validates (the permission is checked after)."""
    url = path.format(zone=france.zone.pk, method=france.chrono.pk)
    if method == "get":
        return api.get(url)
    if method == "delete":
        return api.delete(url)
    bodies = {
        "shipping-zones": {"channel": "boutique-france", "name": "X", "countries": ["BE"]},
        "shipping-methods": {"zone": france.zone.pk, "code": "x", "name": "X", "kind": "flat"},
        "shipping-methods/{method}/brackets": {"brackets": [{"up_to_grams": 1, "price": "1"}]},
    }
    return api.send(method, url, bodies.get(path, {"name": "X"}))


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_401(client: Client, france: France, method: str, path: str) -> None:
    before = snapshot()

    problem(call(Api(client, None), method, path, france), 401, "UNAUTHORIZED")

    assert snapshot() == before


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_customer_is_403(client: Client, france: France, method: str, path: str) -> None:
    raw, _token = api_token_create(user=UserFactory.create())
    before = snapshot()

    problem(call(Api(client, raw), method, path, france), 403, "PERMISSION_DENIED")

    assert snapshot() == before


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_staff_without_permission_is_403(
    client: Client, france: France, method: str, path: str
) -> None:
    api = clerk_api(client, "view_shippingzone", "view_shippingmethod")
    before = snapshot()

    response = call(api, method, path, france)

    if method == "get":
        assert response.status_code == 200
    else:
        problem(response, 403, "PERMISSION_DENIED")
    assert snapshot() == before


def test_permission_per_model(client: Client, france: France) -> None:
    zones_only = clerk_api(client, "view_shippingzone")

    assert zones_only.get("shipping-zones").status_code == 200
    problem(zones_only.get("shipping-methods"), 403, "PERMISSION_DENIED")


# --- zones -----------------------------------------------------------------------------------


def test_list_zones_with_their_methods(api: Api, france: France, b2b: Channel) -> None:
    api.post("shipping-zones", {"channel": "comptoir-pro", "name": "Pro", "countries": ["FR"]})

    body = api.get("shipping-zones", {"channel": "boutique-france"}).json()

    assert body["count"] == 1
    zone = body["results"][0]
    assert zone["name"] == "France métropolitaine"
    assert zone["countries"] == ["FR", "MC"]
    assert zone["currency"] == "EUR"
    assert [m["code"] for m in zone["methods"]] == ["colissimo", "chronopost", "retrait"]
    colissimo, chrono, pickup = zone["methods"]
    assert (colissimo["price"], colissimo["free_over"]) == ("4.90", "60.00")
    assert chrono["brackets"] == [
        {"up_to_grams": 1000, "price": "9.90"},
        {"up_to_grams": 5000, "price": "14.90"},
        {"up_to_grams": 30000, "price": "29.90"},
    ]
    assert pickup["pickup_warehouse"] == "lyon"
    assert api.get("shipping-zones").json()["count"] == 2
    assert api.get("shipping-zones", {"active": "false"}).json()["count"] == 0


def test_zone_list_is_paginated(api: Api, b2c: Channel) -> None:
    for country in ("FR", "BE", "DE"):
        api.post(
            "shipping-zones",
            {"channel": "boutique-france", "name": country, "countries": [country]},
        )

    first = api.get("shipping-zones", {"page_size": 2}).json()
    second = api.get("shipping-zones", {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3
    assert [z["name"] for z in first["results"]] == ["FR", "BE"]
    assert first["next"].endswith("page=2&page_size=2")
    assert [z["name"] for z in second["results"]] == ["DE"]
    assert second["next"] is None


def test_zone_list_costs_a_constant_number_of_queries(
    api: Api, france: France, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        assert api.get("shipping-zones").status_code == 200


def test_zone_crud(api: Api, b2c: Channel) -> None:
    created = api.post(
        "shipping-zones",
        {"channel": "boutique-france", "name": "Benelux", "countries": ["be", "NL"]},
    )
    assert created.status_code == 201, created.content
    zone_id = created.json()["id"]
    assert created.json()["countries"] == ["BE", "NL"]
    assert LogEntry.objects.filter(object_id=str(zone_id)).count() == 1

    changed = api.patch(f"shipping-zones/{zone_id}", {"countries": ["BE", "NL", "LU"]})
    assert changed.status_code == 200
    assert changed.json()["countries"] == ["BE", "NL", "LU"]
    assert api.get(f"shipping-zones/{zone_id}").json()["name"] == "Benelux"

    assert api.delete(f"shipping-zones/{zone_id}").status_code == 204
    problem(api.get(f"shipping-zones/{zone_id}"), 404, "ZONE_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"channel": "nope", "name": "X", "countries": ["BE"]}, 400, "CHANNEL_NOT_FOUND"),
        ({"channel": "boutique-france", "name": "X", "countries": ["XX"]}, 400, "INVALID_COUNTRY"),
        ({"channel": "boutique-france", "name": "X", "countries": []}, 400, "INVALID_COUNTRY"),
        (
            {"channel": "boutique-france", "name": "X", "countries": ["MC"]},
            409,
            "COUNTRY_IN_ANOTHER_ZONE",
        ),
        ({"channel": "boutique-france", "name": "X", "countries": "BE"}, 422, "VALIDATION_ERROR"),
        ({"channel": "boutique-france", "name": "", "countries": ["BE"]}, 422, "VALIDATION_ERROR"),
        (
            {"channel": "boutique-france", "name": "X\u0000", "countries": ["BE"]},
            400,
            "INVALID_TEXT",
        ),
        ({"channel": "boutique-france", "countries": ["BE"]}, 422, "VALIDATION_ERROR"),
        (
            {"channel": "boutique-france", "name": "X", "countries": ["BE"] * 301},
            422,
            "VALIDATION_ERROR",
        ),
    ],
)
def test_zone_create_bad_input(
    api: Api, france: France, body: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot()

    problem(api.post("shipping-zones", body), status, code)

    assert snapshot() == before


def test_zone_bad_requests(api: Api, france: France) -> None:
    before = snapshot()

    problem(api.patch(f"shipping-zones/{france.zone.pk}", {"name": None}), 400, "INVALID_INPUT")
    problem(api.patch("shipping-zones/999999", {"name": "X"}), 404, "ZONE_NOT_FOUND")
    problem(api.delete("shipping-zones/0"), 404, "ZONE_NOT_FOUND")
    problem(api.send("post", "shipping-zones", "{not json"), 400, "BAD_REQUEST")
    problem(api.get("shipping-zones", {"channel": "nope"}), 400, "CHANNEL_NOT_FOUND")
    problem(api.get("shipping-zones", {"page_size": 1000}), 400, "INVALID_PAGINATION")
    problem(api.get("shipping-zones", {"colour": "red"}), 400, "UNKNOWN_PARAMETER")
    assert api.get("shipping-zones/abc").status_code in (404, 422)

    assert snapshot() == before


# --- methods ---------------------------------------------------------------------------------


def test_method_crud_with_brackets(api: Api, france: France) -> None:
    created = api.post(
        "shipping-methods",
        {
            "zone": france.zone.pk,
            "code": "dpd",
            "name": "DPD",
            "name_en": "DPD",
            "kind": "weight",
            "brackets": [{"up_to_grams": 2000, "price": "7.90"}, {"up_to_grams": 500, "price": 5}],
            "tax_class": "standard",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["brackets"] == [
        {"up_to_grams": 500, "price": "5.00"},
        {"up_to_grams": 2000, "price": "7.90"},
    ]
    assert (body["channel"], body["currency"], body["tax_class"]) == (
        "boutique-france",
        "EUR",
        "standard",
    )
    method_id = body["id"]

    changed = api.patch(f"shipping-methods/{method_id}", {"name": "DPD Predict", "tax_class": None})
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["tax_class"]) == ("DPD Predict", None)

    put = api.put(
        f"shipping-methods/{method_id}/brackets",
        {"brackets": [{"up_to_grams": 10000, "price": "12.00"}]},
    )
    assert put.status_code == 200
    assert put.json()["brackets"] == [{"up_to_grams": 10000, "price": "12.00"}]

    listed = api.get("shipping-methods", {"zone": france.zone.pk}).json()
    assert [m["code"] for m in listed["results"]] == ["colissimo", "chronopost", "retrait", "dpd"]

    assert api.delete(f"shipping-methods/{method_id}").status_code == 204
    problem(api.get(f"shipping-methods/{method_id}"), 404, "METHOD_NOT_FOUND")


def test_pickup_method_by_warehouse_code(api: Api, france: France, warehouse: Warehouse) -> None:
    response = api.post(
        "shipping-methods",
        {
            "zone": france.zone.pk,
            "code": "retrait-2",
            "name": "Retrait 2",
            "kind": "pickup",
            "pickup_warehouse": "lyon",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["pickup_warehouse"] == "lyon"
    assert response.json()["price"] == "0.00"


def method_body(france: France, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "zone": france.zone.pk,
        "code": "neuve",
        "name": "Neuve",
        "kind": "flat",
        "price": "3.90",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"zone": 999999}, 400, "ZONE_NOT_FOUND"),
        ({"zone": "abc"}, 422, "VALIDATION_ERROR"),
        ({"price": "abc"}, 400, "INVALID_PRICE"),
        ({"price": "-1"}, 400, "INVALID_PRICE"),
        ({"price": "1.999"}, 400, "INVALID_PRICE"),
        ({"price": "\u0664.90"}, 400, "INVALID_PRICE"),  # an Arabic-Indic four
        ({"price": [1]}, 422, "VALIDATION_ERROR"),
        ({"free_over": "x"}, 400, "INVALID_PRICE"),
        ({"kind": "teleport"}, 400, "INVALID_INPUT"),
        ({"kind": "pickup"}, 400, "PICKUP_WAREHOUSE_REQUIRED"),
        ({"kind": "pickup", "pickup_warehouse": "nope"}, 400, "WAREHOUSE_NOT_FOUND"),
        ({"tax_class": "nope"}, 400, "TAX_CLASS_NOT_FOUND"),
        ({"kind": "weight", "price": "0"}, 400, "WEIGHT_BRACKETS_REQUIRED"),
        ({"brackets": [{"up_to_grams": 1, "price": "1"}]}, 400, "INVALID_BRACKETS"),
        (
            {"kind": "weight", "price": "0", "brackets": [{"up_to_grams": 0, "price": "1"}]},
            400,
            "INVALID_BRACKETS",
        ),
        (
            {"kind": "weight", "price": "0", "brackets": [{"up_to_grams": "x", "price": "1"}]},
            422,
            "VALIDATION_ERROR",
        ),
        (
            {"kind": "weight", "price": "0", "brackets": [{"up_to_grams": 10**20, "price": "1"}]},
            400,
            "INVALID_BRACKETS",
        ),
        ({"min_weight_grams": 10, "max_weight_grams": 5}, 400, "INVALID_WEIGHT_RANGE"),
        ({"delivery_days_min": 4, "delivery_days_max": 1}, 400, "INVALID_DELIVERY_DAYS"),
        ({"delivery_days_max": 10**6}, 400, "INVALID_INPUT"),
        ({"code": "colissimo"}, 409, "METHOD_CODE_TAKEN"),
        ({"code": "with space"}, 400, "INVALID_INPUT"),
        ({"code": ...}, 422, "VALIDATION_ERROR"),
        ({"name": "x" * 101}, 422, "VALIDATION_ERROR"),
        ({"metadata": "x"}, 422, "VALIDATION_ERROR"),
    ],
)
def test_method_create_bad_input(
    api: Api, france: France, fields: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot()

    problem(api.post("shipping-methods", method_body(france, **fields)), status, code)

    assert snapshot() == before


def test_method_bad_requests(api: Api, france: France) -> None:
    before = snapshot()
    path = f"shipping-methods/{france.chrono.pk}"

    problem(api.patch(path, {"code": None}), 400, "INVALID_INPUT")
    problem(api.patch(path, {"price": "2.00"}), 400, "INVALID_PRICE")
    problem(api.patch(path, {"code": "colissimo"}), 409, "METHOD_CODE_TAKEN")
    problem(api.put(f"{path}/brackets", {"brackets": []}), 400, "WEIGHT_BRACKETS_REQUIRED")
    problem(
        api.put(
            f"shipping-methods/{france.colissimo.pk}/brackets",
            {"brackets": [{"up_to_grams": 1, "price": "1"}]},
        ),
        400,
        "INVALID_BRACKETS",
    )
    problem(api.put(f"{path}/brackets", {"brackets": "x"}), 422, "VALIDATION_ERROR")
    problem(api.patch("shipping-methods/999999", {"name": "X"}), 404, "METHOD_NOT_FOUND")
    problem(api.get("shipping-methods", {"zone": 999999}), 400, "ZONE_NOT_FOUND")

    assert snapshot() == before
