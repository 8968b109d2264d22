"""The admin's price simulator: what a company pays for a SKU at a quantity, and why."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.pricing.tests.scenario import World, build_world

pytestmark = pytest.mark.django_db

URL = "/admin/pricing/simulator/"


@pytest.fixture
def world() -> World:
    return build_world()


def test_explains_a_contract_tier(client: Client, world: World) -> None:
    client.force_login(StaffFactory.create())
    response = client.get(
        URL,
        {
            "company": world.martin.pk,
            "channel": world.b2b.pk,
            "sku": "DRILL",
            "quantity": 12,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contract price list contrat-martin" in html
    assert "Volume tier from 10 units" in html
    assert "tier:10" in html
    assert "€168.00" in html  # 12 x 14.00 net
    assert "€201.60" in html  # gross of the line


def test_reverse_charge_is_explained(client: Client, world: World) -> None:
    client.force_login(StaffFactory.create())
    html = client.get(
        URL,
        {"company": world.belge.pk, "channel": world.b2b.pk, "sku": "DRILL", "quantity": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "reverse_charge" in html
    assert "Article 196" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sku": "NOPE", "quantity": 1}, "No variant has this SKU."),
        ({"sku": "DRILL-XL", "quantity": 5}, "breaks the quantity rule"),
    ],
)
def test_problems_are_shown(
    client: Client, world: World, params: dict[str, Any], expected: str
) -> None:
    client.force_login(StaffFactory.create())
    query: dict[str, Any] = {"company": world.martin.pk, "channel": world.b2b.pk, **params}
    html = client.get(
        URL,
        query,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert expected in html


def test_bad_input_shows_form_errors(client: Client, world: World) -> None:
    client.force_login(StaffFactory.create())
    query: dict[str, Any] = {"channel": "x", "sku": "", "quantity": 0, "country": "ZZ"}
    response = client.get(URL, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"channel", "sku", "quantity", "country"}
    assert response.context["result"] is None


def test_staff_only(client: Client, world: World) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(UserFactory.create())
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory.create(is_staff=True))  # staff without the permission
    assert client.get(URL).status_code == 403


def test_price_list_page_links_to_the_simulator(client: Client, world: World) -> None:
    client.force_login(StaffFactory.create())
    html = client.get("/admin/pricing/pricelist/").content.decode()
    assert URL in html
