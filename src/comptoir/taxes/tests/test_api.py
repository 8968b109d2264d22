"""Staff taxes API: access (anonymous 401, customer 403, permissions), CRUD through the
services, and bad input (a 4xx problem+json with a stable code, nothing changed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.core.testing import ADMIN, Api, api_for, clerk_api, problem
from comptoir.taxes.models import TaxClass, TaxRate
from comptoir.taxes.tests.seeded import SEEDED_COUNTRIES, SEEDED_RATES, seeded_rates

pytestmark = pytest.mark.django_db

SEEDED = ["standard", "intermediate", "reduced", "super-reduced", "zero"]


@pytest.fixture
def api(client: Client) -> Api:
    return api_for(StaffFactory.create(), client)


def codes() -> list[str]:
    return list(TaxClass.objects.values_list("code", flat=True))


def snapshot() -> tuple[list[Any], list[Any]]:
    classes = list(TaxClass.objects.order_by("pk").values_list("code", "name", "position"))
    rates = list(TaxRate.objects.order_by("pk").values_list("tax_class_id", "country", "rate"))
    return classes, rates


FR_STANDARD = {
    "code": "standard",
    "name": "Taux normal",
    "name_en": "Standard rate",
    "position": 0,
    "rates": {country: f"{rate:.3f}" for country, rate in seeded_rates("standard").items()},
}


# --- access -------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "tax-classes"),
    ("post", "tax-classes"),
    ("get", "tax-classes/standard"),
    ("patch", "tax-classes/standard"),
    ("delete", "tax-classes/zero"),
    ("get", "tax-rates"),
    ("put", "tax-rates/FR/standard"),
    ("delete", "tax-rates/FR/zero"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_401(client: Client, method: str, path: str) -> None:
    api = Api(client, None)
    before = snapshot()

    response = api.get(path) if method == "get" else api.send(method, path, {"rate": "1"})

    problem(response, 401, "UNAUTHORIZED")
    assert snapshot() == before


def test_bad_token_is_401(client: Client) -> None:
    problem(Api(client, "not-a-token").get("tax-classes"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_customer_is_403_and_nothing_changes(client: Client, method: str, path: str) -> None:
    raw, _token = api_token_create(user=UserFactory.create())
    api = Api(client, raw)
    before = snapshot()

    response = (
        api.get(path)
        if method == "get"
        else api.send(method, path, {"rate": "1", "code": "x", "name": "X"})
    )

    problem(response, 403, "PERMISSION_DENIED")
    assert snapshot() == before


def test_staff_needs_the_model_permissions(client: Client) -> None:
    api = clerk_api(client, "view_taxclass")
    before = snapshot()

    assert api.get("tax-classes").status_code == 200
    assert api.get("tax-classes/standard").status_code == 200
    problem(api.post("tax-classes", {"code": "x", "name": "X"}), 403, "PERMISSION_DENIED")
    problem(api.patch("tax-classes/zero", {"name": "X"}), 403, "PERMISSION_DENIED")
    problem(api.delete("tax-classes/zero"), 403, "PERMISSION_DENIED")
    problem(api.get("tax-rates"), 403, "PERMISSION_DENIED")
    problem(api.put("tax-rates/FR/zero", {"rate": "1"}), 403, "PERMISSION_DENIED")
    problem(api.delete("tax-rates/FR/zero"), 403, "PERMISSION_DENIED")
    assert snapshot() == before


def test_changing_a_rate_needs_change_and_creating_one_needs_add_too(client: Client) -> None:
    api = clerk_api(client, "change_taxrate")

    response = api.put("tax-rates/FR/reduced", {"rate": "5.6"})
    assert response.status_code == 200, response.content
    problem(api.put("tax-rates/CH/reduced", {"rate": "10"}), 403, "PERMISSION_DENIED")
    assert not TaxRate.objects.filter(country="CH").exists()

    adder = clerk_api(client, "change_taxrate", "add_taxrate")
    assert adder.put("tax-rates/CH/reduced", {"rate": "10"}).status_code == 200


def test_a_staff_member_with_every_permission_but_inactive_is_refused(client: Client) -> None:
    user = StaffFactory.create()
    raw, _token = api_token_create(user=user)
    user.is_active = False
    user.save()

    response = Api(client, raw).get("tax-classes")

    assert response.status_code in (401, 403)


# --- tax classes --------------------------------------------------------------------------


def test_list_tax_classes(api: Api) -> None:
    response = api.get("tax-classes")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert (body["next"], body["previous"]) == (None, None)
    assert [c["code"] for c in body["results"]] == SEEDED
    assert body["results"][0] == FR_STANDARD
    assert body["results"][2]["rates"]["FR"] == "5.500"


def test_list_tax_classes_by_page(api: Api) -> None:
    body = api.get("tax-classes", {"page": 2, "page_size": 2}).json()

    assert body["count"] == 5
    assert [c["code"] for c in body["results"]] == ["reduced", "super-reduced"]
    assert body["next"] == f"{ADMIN}/tax-classes?page=3&page_size=2"
    assert body["previous"] == f"{ADMIN}/tax-classes?page=1&page_size=2"


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 101}, {"page_size": 0}])
def test_list_tax_classes_bad_pages(api: Api, params: dict[str, Any]) -> None:
    problem(api.get("tax-classes", params), 400, "INVALID_PAGINATION")


def test_get_a_tax_class(api: Api) -> None:
    response = api.get("tax-classes/standard")

    assert response.status_code == 200
    assert response.json() == FR_STANDARD


@pytest.mark.parametrize("code", ["nope", "x" * 60, "nul%00"])
def test_get_an_unknown_tax_class(api: Api, code: str) -> None:
    problem(api.get(f"tax-classes/{code}"), 404, "TAX_CLASS_NOT_FOUND")


def test_create_a_tax_class(api: Api) -> None:
    response = api.post("tax-classes", {"code": "books", "name": "Livres", "name_en": "Books"})

    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "books",
        "name": "Livres",
        "name_en": "Books",
        "position": 5,
        "rates": {},
    }
    assert codes() == [*SEEDED, "books"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"code": "pas un code", "name": "X"}, 400, "INVALID_TAX_CLASS_CODE", "code"),
        ({"code": "", "name": "X"}, 400, "INVALID_TAX_CLASS_CODE", "code"),
        ({"code": "x" * 51, "name": "X"}, 400, "INVALID_TAX_CLASS_CODE", "code"),
        ({"code": "reduced", "name": "X"}, 409, "TAX_CLASS_CODE_TAKEN", "code"),
        ({"code": "books", "name": "Li\u0000vres"}, 400, "INVALID_TEXT", "name"),
        ({"code": "books", "name": ""}, 422, "VALIDATION_ERROR", "name"),
        ({"code": "books", "name": "x" * 101}, 422, "VALIDATION_ERROR", "name"),
        ({"code": "books", "name": "X", "position": -1}, 422, "VALIDATION_ERROR", "position"),
        ({"code": "books", "name": "X", "position": 2**31}, 422, "VALIDATION_ERROR", "position"),
        ({"code": "books"}, 422, "VALIDATION_ERROR", "name"),
        ({"name": "Livres"}, 422, "VALIDATION_ERROR", "code"),
        ({"code": 12, "name": "X"}, 422, "VALIDATION_ERROR", "code"),
    ],
)
def test_create_bad_input(
    api: Api, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = snapshot()

    found = problem(api.post("tax-classes", body), status, code)

    assert field in found["errors"]
    assert snapshot() == before


def test_create_with_a_body_that_is_not_json(api: Api) -> None:
    before = snapshot()

    response = api.post("tax-classes", "{not json")

    assert response.status_code in (400, 422)
    assert snapshot() == before


def test_update_a_tax_class(api: Api) -> None:
    response = api.patch("tax-classes/reduced", {"code": "reduit", "position": 7})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["code"], body["name"], body["position"]) == ("reduit", "Taux réduit", 7)
    assert body["rates"]["FR"] == "5.500"
    assert codes() == ["standard", "intermediate", "super-reduced", "zero", "reduit"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("tax-classes/nope", {"name": "X"}, 404, "TAX_CLASS_NOT_FOUND"),
        ("tax-classes/reduced", {"code": "zero"}, 409, "TAX_CLASS_CODE_TAKEN"),
        ("tax-classes/reduced", {"code": "a b"}, 400, "INVALID_TAX_CLASS_CODE"),
        ("tax-classes/standard", {"code": "normal"}, 409, "TAX_CLASS_REQUIRED"),
        ("tax-classes/reduced", {"name": None}, 400, "INVALID_INPUT"),
        ("tax-classes/reduced", {"code": None}, 400, "INVALID_INPUT"),
        ("tax-classes/reduced", {"name": ""}, 422, "VALIDATION_ERROR"),
        ("tax-classes/reduced", {"name_en": "\u0000"}, 400, "INVALID_TEXT"),
        ("tax-classes/reduced", {"position": -2}, 422, "VALIDATION_ERROR"),
    ],
)
def test_update_bad_input(
    api: Api, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot()

    problem(api.patch(path, body), status, code)

    assert snapshot() == before


def test_delete_a_tax_class(api: Api) -> None:
    response = api.delete("tax-classes/zero")

    assert response.status_code == 204
    assert codes() == SEEDED[:-1]
    assert not TaxRate.objects.filter(tax_class__code="zero").exists()


def test_delete_refusals(api: Api) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    apps.get_model("catalog", "ProductType").objects.create(
        slug="livres", name="Livres", tax_class=reduced
    )
    before = snapshot()

    problem(api.delete("tax-classes/standard"), 409, "TAX_CLASS_REQUIRED")
    problem(api.delete("tax-classes/reduced"), 409, "TAX_CLASS_IN_USE")
    problem(api.delete("tax-classes/nope"), 404, "TAX_CLASS_NOT_FOUND")
    assert snapshot() == before


def test_english_error_detail(api: Api) -> None:
    response = api.client.delete(
        f"{ADMIN}/tax-classes/standard", headers=api.headers, HTTP_ACCEPT_LANGUAGE="en"
    )

    body = problem(response, 409, "TAX_CLASS_REQUIRED")
    assert body["detail"] == (
        "The standard tax class is required: products without a class are taxed at it."
    )


# --- tax rates ----------------------------------------------------------------------------


def test_list_tax_rates(api: Api) -> None:
    body = api.get("tax-rates", {"page_size": 5}).json()

    assert body["count"] == SEEDED_RATES
    assert body["results"] == [
        {"country": "AT", "tax_class": "standard", "rate": "20.000"},
        {"country": "AT", "tax_class": "intermediate", "rate": "13.000"},
        {"country": "AT", "tax_class": "reduced", "rate": "10.000"},
        {"country": "AT", "tax_class": "super-reduced", "rate": "10.000"},
        {"country": "AT", "tax_class": "zero", "rate": "0.000"},
    ]
    assert body["next"] == f"{ADMIN}/tax-rates?page=2&page_size=5"


def test_list_tax_rates_of_a_country(api: Api) -> None:
    body = api.get("tax-rates", {"country": "fr"}).json()

    assert body["count"] == 5
    assert [(r["tax_class"], r["rate"]) for r in body["results"]] == [
        ("standard", "20.000"),
        ("intermediate", "10.000"),
        ("reduced", "5.500"),
        ("super-reduced", "2.100"),
        ("zero", "0.000"),
    ]


def test_list_tax_rates_of_a_class(api: Api) -> None:
    body = api.get("tax-rates", {"tax_class": "reduced", "page_size": 3, "page": 2}).json()

    assert body["count"] == SEEDED_COUNTRIES
    assert [(r["country"], r["rate"]) for r in body["results"]] == [
        ("CY", "5.000"),  # AT BE BG on page 1
        ("CZ", "12.000"),
        ("DE", "7.000"),
    ]
    assert body["next"] == f"{ADMIN}/tax-rates?tax_class=reduced&page=3&page_size=3"


def test_list_tax_rates_of_a_class_in_a_country(api: Api) -> None:
    body = api.get("tax-rates", {"tax_class": "reduced", "country": "DE"}).json()

    assert body["results"] == [{"country": "DE", "tax_class": "reduced", "rate": "7.000"}]


def test_list_tax_rates_of_a_country_without_rates(api: Api) -> None:
    body = api.get("tax-rates", {"country": "CH"}).json()

    assert (body["count"], body["results"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"country": "XX"}, "INVALID_COUNTRY", "country"),
        ({"country": "FRA"}, "INVALID_COUNTRY", "country"),
        ({"tax_class": "nope"}, "TAX_CLASS_NOT_FOUND", "tax_class"),
        ({"page": 0}, "INVALID_PAGINATION", "page"),
        ({"countries": "FR"}, "UNKNOWN_PARAMETER", "countries"),
    ],
)
def test_list_tax_rates_bad_queries(
    api: Api, params: dict[str, Any], code: str, field: str
) -> None:
    body = problem(api.get("tax-rates", params), 400, code)

    assert field in body["errors"]


def test_set_a_new_tax_rate(api: Api) -> None:
    response = api.put("tax-rates/ch/standard", {"rate": "20"})

    assert response.status_code == 200, response.content
    assert response.json() == {"country": "CH", "tax_class": "standard", "rate": "20.000"}
    assert TaxRate.objects.get(country="CH", tax_class__code="standard").rate == Decimal(20)


def test_change_a_tax_rate(api: Api) -> None:
    response = api.put("tax-rates/FR/reduced", {"rate": "5.125"})

    assert response.json() == {"country": "FR", "tax_class": "reduced", "rate": "5.125"}
    assert TaxRate.objects.filter(tax_class__code="reduced").count() == SEEDED_COUNTRIES
    assert TaxRate.objects.get(country="FR", tax_class__code="reduced").rate == Decimal("5.125")


def test_a_rate_may_be_a_json_number(api: Api) -> None:
    response = api.put("tax-rates/FR/reduced", {"rate": 5.5})

    assert response.json()["rate"] == "5.500"


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("tax-rates/FR/reduced", {"rate": "5.5555"}, 400, "INVALID_TAX_RATE"),
        ("tax-rates/FR/reduced", {"rate": "-1"}, 400, "INVALID_TAX_RATE"),
        ("tax-rates/FR/reduced", {"rate": "100.5"}, 400, "INVALID_TAX_RATE"),
        ("tax-rates/FR/reduced", {"rate": "cinq"}, 400, "INVALID_TAX_RATE"),
        ("tax-rates/FR/reduced", {"rate": "NaN"}, 400, "INVALID_TAX_RATE"),
        ("tax-rates/FR/reduced", {"rate": ""}, 400, "INVALID_TAX_RATE"),
        # json.dumps writes Infinity, which is not JSON: the body cannot be parsed.
        ("tax-rates/FR/reduced", {"rate": 1e400}, 400, "BAD_REQUEST"),
        ("tax-rates/FR/reduced", {"rate": None}, 422, "VALIDATION_ERROR"),
        ("tax-rates/FR/reduced", {"rate": [5]}, 422, "VALIDATION_ERROR"),
        ("tax-rates/FR/reduced", {}, 422, "VALIDATION_ERROR"),
        ("tax-rates/XX/reduced", {"rate": "5"}, 400, "INVALID_COUNTRY"),
        ("tax-rates/FRA/reduced", {"rate": "5"}, 400, "INVALID_COUNTRY"),
        ("tax-rates/FR/nope", {"rate": "5"}, 404, "TAX_CLASS_NOT_FOUND"),
    ],
)
def test_set_a_tax_rate_bad_input(
    api: Api, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    before = snapshot()

    problem(api.put(path, body), status, code)

    assert snapshot() == before


def test_delete_a_tax_rate(api: Api) -> None:
    response = api.delete("tax-rates/fr/reduced")

    assert response.status_code == 204
    assert not TaxRate.objects.filter(country="FR", tax_class__code="reduced").exists()
    assert TaxRate.objects.count() == SEEDED_RATES - 1


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("tax-rates/CH/reduced", 404, "TAX_RATE_NOT_FOUND"),
        ("tax-rates/FR/nope", 404, "TAX_CLASS_NOT_FOUND"),
        ("tax-rates/ZZ/reduced", 400, "INVALID_COUNTRY"),
    ],
)
def test_delete_a_tax_rate_refusals(api: Api, path: str, status: int, code: str) -> None:
    before = snapshot()

    problem(api.delete(path), status, code)

    assert snapshot() == before


def test_the_rate_table_follows_the_api(api: Api, django_capture_on_commit_callbacks: Any) -> None:
    from comptoir.taxes.selectors import rate_table

    standard = TaxClass.objects.get(code="standard")
    assert rate_table().rate("FR", standard.pk) == 20_000

    with django_capture_on_commit_callbacks(execute=True):
        api.put("tax-rates/FR/standard", {"rate": "21"})

    assert rate_table().rate("FR", standard.pk) == 21_000
