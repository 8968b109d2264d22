"""Staff price list API: access (401/403/404), CRUD through the services with the caller
recorded in the list's history, entries with tiers, CSV import/export, and bad input (a
4xx problem+json with a stable code, nothing changed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.companies.tests.factories import CompanyFactory, CustomerGroupFactory
from comptoir.core.testing import ADMIN, Api, api_for, problem
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db

HEADER = "sku,unit_price,min_quantity,max_quantity,increment,tier_quantities,tier_prices"


@pytest.fixture
def user() -> Any:
    return StaffFactory.create()


@pytest.fixture
def api(client: Client, user: Any) -> Api:
    return api_for(user, client)


@pytest.fixture
def price_list() -> PriceList:
    return PriceListFactory.create(code="pro", name="Pro")


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *PriceList.objects.order_by("pk").values_list("code", "name", "currency", "company_id"),
        *PriceListEntry.objects.order_by("pk").values_list("variant__sku", "unit_price"),
        *PriceTier.objects.order_by("pk").values_list("entry_id", "min_quantity", "unit_price"),
    ]


# --- access -------------------------------------------------------------------------------

PATHS = [
    ("get", "price-lists"),
    ("post", "price-lists"),
    ("get", "price-lists/pro"),
    ("patch", "price-lists/pro"),
    ("delete", "price-lists/pro"),
    ("get", "price-lists/pro/entries"),
    ("put", "price-lists/pro/entries/A-1"),
    ("delete", "price-lists/pro/entries/A-1"),
    ("post", "price-lists/pro/import"),
    ("get", "price-lists/pro/export"),
]


# Bodies that validate: ninja checks a body's shape before the handler checks permissions.
BODIES = {
    ("post", "price-lists"): {"code": "x", "name": "X", "channel": "boutique-france"},
    ("put", "price-lists/pro/entries/A-1"): {"unit_price": "1"},
}


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_anonymous_is_401(client: Client, price_list: PriceList, method: str, path: str) -> None:
    api = Api(client, None)
    response = api.get(path) if method == "get" else api.send(method, path, {})
    problem(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_customer_is_403_and_nothing_changes(
    client: Client, price_list: PriceList, method: str, path: str
) -> None:
    raw, _token = api_token_create(user=UserFactory.create())
    api = Api(client, raw)
    before = snapshot()
    body = BODIES.get((method, path), {})
    response = api.get(path) if method == "get" else api.send(method, path, body)
    problem(response, 403, "PERMISSION_DENIED")
    assert snapshot() == before


def test_staff_needs_the_model_permissions(client: Client, price_list: PriceList) -> None:
    clerk = StaffFactory.create(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_pricelist"))
    raw, _token = api_token_create(user=clerk)
    api = Api(client, raw)
    assert api.get("price-lists").status_code == 200
    assert api.get("price-lists/pro/export").status_code == 200
    problem(
        api.post("price-lists", {"code": "x", "name": "X", "channel": "boutique-france"}),
        403,
        "PERMISSION_DENIED",
    )
    problem(api.patch("price-lists/pro", {"name": "Y"}), 403, "PERMISSION_DENIED")
    problem(api.delete("price-lists/pro"), 403, "PERMISSION_DENIED")
    problem(api.put("price-lists/pro/entries/A-1", {"unit_price": "1"}), 403, "PERMISSION_DENIED")
    problem(api.csv("price-lists/pro/import", HEADER), 403, "PERMISSION_DENIED")
    assert PriceList.objects.get().name == "Pro"


def test_staff_session_works(client: Client, price_list: PriceList) -> None:
    client.force_login(StaffFactory.create())
    assert Api(client, None).get("price-lists/pro").status_code == 200


def test_unknown_list_and_entry_are_404(api: Api, price_list: PriceList) -> None:
    for method, path in PATHS[2:]:
        missing = path.replace("pro", "inconnue", 1)
        body = {"unit_price": "1"} if method == "put" else {}
        response = api.get(missing) if method == "get" else api.send(method, missing, body)
        problem(response, 404, "PRICE_LIST_NOT_FOUND")
    problem(api.get("price-lists/pas%20un%20code"), 404, "PRICE_LIST_NOT_FOUND")
    ProductVariantFactory.create(sku="A-1")
    problem(api.delete("price-lists/pro/entries/A-1"), 404, "PRICE_LIST_ENTRY_NOT_FOUND")


# --- price lists --------------------------------------------------------------------------


def test_price_list_crud_records_the_caller(api: Api, user: Any) -> None:
    B2BChannelFactory.create()
    company = CompanyFactory.create(legal_name="Atelier Martin SARL")
    created = api.post(
        "price-lists",
        {
            "code": "contrat-martin",
            "name": "Contrat Martin",
            "channel": "comptoir-pro",
            "company": company.pk,
            "valid_from": "2026-01-01T00:00:00Z",
            "allows_promotions": False,
            "priority": 2,
            "metadata": {"erp": "X"},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "code": "contrat-martin",
        "name": "Contrat Martin",
        "channel": "comptoir-pro",
        "currency": "EUR",
        "company": company.pk,
        "company_name": "Atelier Martin SARL",
        "customer_group": None,
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": None,
        "is_active": True,
        "allows_promotions": False,
        "priority": 2,
        "external_ref": None,
        "metadata": {"erp": "X"},
        "entry_count": 0,
    }
    group = CustomerGroupFactory.create(code="installateurs")
    changed = api.patch(
        "price-lists/contrat-martin",
        {"company": None, "customer_group": "installateurs", "name": "Installateurs"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["company"], changed.json()["customer_group"]) == (None, "installateurs")
    assert PriceList.objects.get().customer_group == group
    assert api.delete("price-lists/contrat-martin").status_code == 204
    assert not PriceList.objects.exists()
    assert list(LogEntry.objects.order_by("pk").values_list("user", "action_flag")) == [
        (user.pk, 1),
        (user.pk, 2),
        (user.pk, 3),
    ]


def test_price_list_filters(api: Api) -> None:
    b2c = ChannelFactory.create()
    b2b = B2BChannelFactory.create()
    company = CompanyFactory.create()
    group = CustomerGroupFactory.create(code="ecoles")
    PriceListFactory.create(code="a-contrat", channel=b2b, company=company)
    PriceListFactory.create(code="b-ecoles", channel=b2c, customer_group=group, name="Écoles")
    PriceListFactory.create(code="c-brouillon", channel=b2c, external_ref="ERP-9")

    def codes(**params: Any) -> list[str]:
        response = api.get("price-lists", params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes() == ["a-contrat", "b-ecoles", "c-brouillon"]
    assert codes(channel="comptoir-pro") == ["a-contrat"]
    assert codes(company=company.pk) == ["a-contrat"]
    assert codes(company=10**30) == []
    assert codes(company=-1) == []
    assert codes(customer_group="ecoles") == ["b-ecoles"]
    assert codes(search="Écol") == ["b-ecoles"]
    assert codes(search="erp-9") == ["c-brouillon"]
    page = api.get("price-lists", {"page_size": 2}).json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"] == "/api/v1/admin/price-lists?page=2&page_size=2"
    problem(api.get("price-lists", {"page_size": 500}), 400, "INVALID_PAGINATION")


def test_price_list_bad_input_changes_nothing(api: Api, price_list: PriceList) -> None:
    ChannelFactory.create(code="suisse", currency="CHF")
    company = CompanyFactory.create()
    CustomerGroupFactory.create(code="g")
    before = snapshot()
    base = {"code": "new", "name": "New", "channel": "boutique-france"}
    problem(api.post("price-lists", {**base, "code": "pro"}), 409, "PRICE_LIST_CODE_TAKEN")
    problem(api.post("price-lists", {**base, "currency": "CHF"}), 400, "CURRENCY_MISMATCH")
    problem(
        api.post("price-lists", {**base, "company": company.pk, "customer_group": "g"}),
        400,
        "INVALID_PRICE_LIST",
    )
    problem(
        api.post(
            "price-lists",
            {**base, "valid_from": "2026-02-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
        ),
        400,
        "INVALID_DATES",
    )
    problem(api.post("price-lists", {**base, "channel": "nope"}), 400, "CHANNEL_NOT_FOUND")
    problem(api.post("price-lists", {**base, "company": 999999}), 400, "COMPANY_NOT_FOUND")
    problem(api.post("price-lists", {**base, "customer_group": "nope"}), 400, "GROUP_NOT_FOUND")
    problem(api.post("price-lists", {**base, "code": "pas un slug"}), 400, "INVALID_INPUT")
    problem(api.post("price-lists", {**base, "name": "a\u0000"}), 400, "INVALID_TEXT")
    problem(
        api.post("price-lists", {**base, "valid_from": "2026-01-01T00:00:00"}),
        422,
        "VALIDATION_ERROR",
    )
    problem(api.post("price-lists", {"code": "x"}), 422, "VALIDATION_ERROR")
    problem(api.patch("price-lists/pro", {"name": None}), 400, "INVALID_INPUT")
    problem(api.patch("price-lists/pro", {"channel": "suisse"}), 400, "CURRENCY_MISMATCH")
    problem(
        api.patch(
            "price-lists/pro",
            {"valid_until": "1999-01-01T00:00:00Z", "valid_from": "2000-01-01T00:00:00Z"},
        ),
        400,
        "INVALID_DATES",
    )
    assert snapshot() == before
    assert LogEntry.objects.count() == 0


# --- entries ------------------------------------------------------------------------------


def test_entries_set_list_and_delete(api: Api, price_list: PriceList, user: Any) -> None:
    ProductVariantFactory.create(sku="A-1")
    ProductVariantFactory.create(sku="B-2")
    response = api.put(
        "price-lists/pro/entries/A-1",
        {
            "unit_price": "12.50",
            "min_quantity": 2,
            "increment": 2,
            "tiers": [
                {"min_quantity": 50, "unit_price": "10.80"},
                {"min_quantity": 10, "unit_price": 11.9},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("variant_id", "product")} == {
        "sku": "A-1",
        "unit_price": "12.50",
        "currency": "EUR",
        "min_quantity": 2,
        "max_quantity": None,
        "increment": 2,
        "tiers": [
            {"min_quantity": 10, "unit_price": "11.90"},
            {"min_quantity": 50, "unit_price": "10.80"},
        ],
    }
    assert api.put("price-lists/pro/entries/B-2", {"unit_price": 3}).status_code == 200
    listed = api.get("price-lists/pro/entries").json()
    assert listed["count"] == 2
    assert [(r["sku"], r["unit_price"], len(r["tiers"])) for r in listed["results"]] == [
        ("A-1", "12.50", 2),
        ("B-2", "3.00", 0),
    ]
    assert [
        r["sku"] for r in api.get("price-lists/pro/entries", {"search": "b-"}).json()["results"]
    ] == ["B-2"]
    assert api.get("price-lists/pro").json()["entry_count"] == 2
    assert api.delete("price-lists/pro/entries/A-1").status_code == 204
    assert list(PriceListEntry.objects.values_list("variant__sku", flat=True)) == ["B-2"]
    assert PriceTier.objects.count() == 0
    assert set(LogEntry.objects.values_list("user", flat=True)) == {user.pk}
    assert LogEntry.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"unit_price": "0"}, "INVALID_PRICE"),
        ({"unit_price": "-3"}, "INVALID_PRICE"),
        ({"unit_price": "1.999"}, "INVALID_PRICE"),
        ({"unit_price": "10", "min_quantity": 0}, "QUANTITY_RULE"),
        ({"unit_price": "10", "min_quantity": 5, "max_quantity": 4}, "QUANTITY_RULE"),
        ({"unit_price": "10", "min_quantity": 5, "increment": 3}, "QUANTITY_RULE"),
        ({"unit_price": "10", "increment": 0}, "QUANTITY_RULE"),
        (
            {
                "unit_price": "10",
                "tiers": [
                    {"min_quantity": 10, "unit_price": "9"},
                    {"min_quantity": 10, "unit_price": "8"},
                ],
            },
            "OVERLAPPING_TIERS",
        ),
        ({"unit_price": "10", "tiers": [{"min_quantity": 1, "unit_price": "9"}]}, "INVALID_TIER"),
        ({"unit_price": "10", "tiers": [{"min_quantity": 5, "unit_price": "11"}]}, "INVALID_TIER"),
        (
            {
                "unit_price": "10",
                "tiers": [
                    {"min_quantity": 5, "unit_price": "8"},
                    {"min_quantity": 10, "unit_price": "9"},
                ],
            },
            "INVALID_TIER",
        ),
    ],
)
def test_entry_bad_input_changes_nothing(
    api: Api, price_list: PriceList, body: dict[str, Any], code: str
) -> None:
    ProductVariantFactory.create(sku="A-1")
    services.price_list_entry_set(
        price_list=price_list, sku="A-1", unit_price="10", tiers=[(20, "9")]
    )
    before = snapshot()
    problem(api.put("price-lists/pro/entries/A-1", body), 400, code)
    assert snapshot() == before
    assert LogEntry.objects.count() == 0


def test_entry_unknown_sku_and_malformed_body(api: Api, price_list: PriceList) -> None:
    body = problem(api.put("price-lists/pro/entries/NOPE", {"unit_price": "1"}), 400, "UNKNOWN_SKU")
    assert "sku" in body["errors"]
    problem(api.put("price-lists/pro/entries/NOPE", {"unit_price": "abc"}), 422, "VALIDATION_ERROR")
    problem(api.put("price-lists/pro/entries/NOPE", {}), 422, "VALIDATION_ERROR")
    assert not PriceListEntry.objects.exists()


def test_list_reads_take_a_constant_number_of_queries(
    api: Api, price_list: PriceList, django_assert_num_queries: Any
) -> None:
    def read_all() -> None:
        assert api.get("price-lists").status_code == 200
        assert api.get("price-lists/pro/entries").status_code == 200

    read_all()  # the token's first use is recorded once
    for i in range(5):
        ProductVariantFactory.create(sku=f"S-{i}")
        services.price_list_entry_set(
            price_list=price_list, sku=f"S-{i}", unit_price="10", tiers=[(10, "9")]
        )
        PriceListFactory.create()
        # Whatever the number of lists, entries and tiers: the same queries.
        with django_assert_num_queries(8):
            read_all()


# --- CSV ----------------------------------------------------------------------------------


def test_import_csv_body_then_export(api: Api, price_list: PriceList, user: Any) -> None:
    ProductVariantFactory.create(sku="A-1")
    ProductVariantFactory.create(sku="B-2")
    text = f"{HEADER}\r\nA-1,12.50,1,,1,10|50,11.90|10.80\r\nB-2,4.20,6,600,6,,\r\n"
    response = api.csv("price-lists/pro/import", text)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "deleted": 0, "unchanged": 0}
    exported = api.get("price-lists/pro/export")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="pro.csv"'
    assert exported.content.decode() == text
    log = LogEntry.objects.get()
    assert (log.user_id, log.object_id) == (user.pk, str(price_list.pk))


def test_import_multipart_with_replace(api: Api, price_list: PriceList) -> None:
    for sku in ("A-1", "B-2"):
        ProductVariantFactory.create(sku=sku)
        services.price_list_entry_set(price_list=price_list, sku=sku, unit_price="5")
    upload = SimpleUploadedFile("prix.csv", b"sku;unit_price\nA-1;4,50\n", "text/csv")
    response = api.client.post(
        f"{ADMIN}/price-lists/pro/import?replace=true", {"file": upload}, headers=api.headers
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "updated": 1, "deleted": 1, "unchanged": 0}
    assert list(PriceListEntry.objects.values_list("variant__sku", "unit_price")) == [
        ("A-1", Decimal("4.50"))
    ]


def test_import_errors_are_listed_per_line_and_nothing_changes(
    api: Api, price_list: PriceList
) -> None:
    ProductVariantFactory.create(sku="A-1")
    services.price_list_entry_set(price_list=price_list, sku="A-1", unit_price="5")
    before = snapshot()
    text = f"{HEADER}\nA-1,9,,,,,\nNOPE,1,,,,,\nA-1,0,,,,,\n"
    response = api.client.post(
        f"{ADMIN}/price-lists/pro/import",
        data=text,
        content_type="text/csv",
        headers={**api.headers, "Accept-Language": "en"},
    )
    body = problem(response, 400, "INVALID_CSV")
    assert body["errors"] == {
        "line 3": ["Unknown SKU: NOPE."],
        "line 4": ["A price must be more than zero (got 0)."],
    }
    problem(
        api.client.post(f"{ADMIN}/price-lists/pro/import", {"other": "x"}, headers=api.headers),
        400,
        "INVALID_CSV",
    )
    problem(api.csv("price-lists/pro/import", b"sku,unit_price\n\xff\n"), 400, "INVALID_CSV")
    problem(api.csv("price-lists/pro/import", b""), 400, "INVALID_CSV")
    big = (HEADER + "\n").encode() + b"x" * (5 * 1024 * 1024)
    problem(api.csv("price-lists/pro/import", big), 413, "CSV_TOO_LARGE")
    upload = SimpleUploadedFile("big.csv", big, "text/csv")
    problem(
        api.client.post(f"{ADMIN}/price-lists/pro/import", {"file": upload}, headers=api.headers),
        413,
        "CSV_TOO_LARGE",
    )
    assert snapshot() == before
    assert LogEntry.objects.count() == 0


def test_endpoints_are_documented() -> None:
    from comptoir.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    paths = {p: v for p, v in schema["paths"].items() if "/price-lists" in p}
    assert len(paths) == 6
    for operations in paths.values():
        for operation in operations.values():
            assert operation["summary"]
            assert "403" in operation["description"]
    imports = schema["paths"]["/api/v1/admin/price-lists/{code}/import"]["post"]
    assert set(imports["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
