"""The shipping back-office: pages load, saves and deletes go through the services (history
written once, by the services), refusals are shown on the page and save nothing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.models import Channel
from comptoir.shipping.models import ShippingMethod, ShippingZone
from comptoir.shipping.tests.conftest import France

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def zone_form(channel: Channel | None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": channel.pk if channel else "",
        "name": "Benelux",
        "countries": "BE, nl LU",
        "is_active": "on",
        "external_ref": "",
        "metadata": "{}",
    }
    data.update(fields)
    return data


def method_form(
    zone: ShippingZone | None, brackets: Sequence[tuple[int, str]] = (), **fields: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "dpd",
        "name": "DPD",
        "name_en": "",
        "kind": "flat",
        "price": "5.90",
        "free_over": "",
        "min_weight_grams": "",
        "max_weight_grams": "",
        "tax_class": "",
        "pickup_warehouse": "",
        "delivery_days_min": 1,
        "delivery_days_max": 3,
        "position": 0,
        "is_active": "on",
        "description": "",
        "description_en": "",
        "external_ref": "",
        "metadata": "{}",
        "brackets-TOTAL_FORMS": len(brackets),
        "brackets-INITIAL_FORMS": 0,
        "brackets-MIN_NUM_FORMS": 0,
        "brackets-MAX_NUM_FORMS": 1000,
    }
    if zone is not None:
        data["zone"] = zone.pk
    for index, (weight, price) in enumerate(brackets):
        data[f"brackets-{index}-up_to_grams"] = weight
        data[f"brackets-{index}-price"] = price
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "name",
    [
        "admin:shipping_shippingzone_changelist",
        "admin:shipping_shippingzone_add",
        "admin:shipping_shippingmethod_changelist",
        "admin:shipping_shippingmethod_add",
    ],
)
def test_pages_load(staff: Client, france: France, name: str) -> None:
    assert staff.get(reverse(name)).status_code == 200


def test_change_pages_load(staff: Client, france: France) -> None:
    zone_page = staff.get(reverse("admin:shipping_shippingzone_change", args=[france.zone.pk]))
    assert zone_page.status_code == 200
    assert "Chronopost" in zone_page.content.decode()
    method_page = staff.get(
        reverse("admin:shipping_shippingmethod_change", args=[france.chrono.pk])
    )
    assert method_page.status_code == 200


def test_add_zone_through_the_service(staff: Client, b2c: Channel) -> None:
    response = staff.post(reverse("admin:shipping_shippingzone_add"), zone_form(b2c))

    assert response.status_code == 302, response.context["adminform"].form.errors
    zone = ShippingZone.objects.get()
    assert zone.countries == ["BE", "NL", "LU"]
    assert LogEntry.objects.filter(object_id=str(zone.pk)).count() == 1


def test_zone_refusals_are_shown(staff: Client, france: France, b2c: Channel) -> None:
    url = reverse("admin:shipping_shippingzone_add")

    taken = staff.post(url, zone_form(b2c, countries="MC"))
    unknown = staff.post(url, zone_form(b2c, countries="XX, FR"))

    assert taken.status_code == 200
    assert "MC (France métropolitaine)" in taken.content.decode()
    assert unknown.status_code == 200
    assert unknown.context["adminform"].form.errors["countries"]
    assert ShippingZone.objects.count() == 1


def test_change_zone(staff: Client, france: France) -> None:
    url = reverse("admin:shipping_shippingzone_change", args=[france.zone.pk])

    response = staff.post(url, zone_form(None, name="France", countries="FR"))

    assert response.status_code == 302
    france.zone.refresh_from_db()
    assert (france.zone.name, france.zone.countries) == ("France", ["FR"])


def test_add_weight_method_with_brackets(staff: Client, france: France) -> None:
    response = staff.post(
        reverse("admin:shipping_shippingmethod_add"),
        method_form(france.zone, [(2000, "7.90"), (500, "5.00")], kind="weight", price="0"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    method = ShippingMethod.objects.get(code="dpd")
    assert list(method.brackets.values_list("up_to_grams", "price")) == [
        (500, Decimal("5.00")),
        (2000, Decimal("7.90")),
    ]
    assert LogEntry.objects.filter(object_id=str(method.pk)).count() == 1


def test_method_refusal_is_shown_and_nothing_saved(staff: Client, france: France) -> None:
    response = staff.post(
        reverse("admin:shipping_shippingmethod_add"),
        method_form(france.zone, kind="weight", price="0"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not ShippingMethod.objects.filter(code="dpd").exists()


def test_change_method_through_the_service(staff: Client, france: France) -> None:
    url = reverse("admin:shipping_shippingmethod_change", args=[france.colissimo.pk])
    data = method_form(None, code="colissimo", name="Colissimo", price="5.50", free_over="70")

    response = staff.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    france.colissimo.refresh_from_db()
    assert (france.colissimo.price, france.colissimo.free_over) == (
        Decimal("5.50"),
        Decimal("70.00"),
    )
    assert LogEntry.objects.filter(object_id=str(france.colissimo.pk)).count() == 1


def test_delete_zone_through_the_service(staff: Client, france: France) -> None:
    url = reverse("admin:shipping_shippingzone_delete", args=[france.zone.pk])

    response = staff.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not ShippingZone.objects.exists()
    assert not ShippingMethod.objects.exists()
