"""Regressions found by fuzzing the price list API and services: text no column can hold in
lookups (NUL characters, lone surrogates), numbers JSON does not have, CSV quantities in
other digits than ASCII ones, a currency change under existing prices, and a code or
external reference taken between the uniqueness check and the save. Each is a 4xx with a
stable code that changes nothing, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError
from django.test import Client
from django.utils import translation

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CustomerGroupFactory
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.testing import Api, api_for, problem
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.selectors import staff as reads
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.pricing.services import price_lists
from comptoir.pricing.services.entries import variant_by_sku
from comptoir.pricing.tests.factories import PriceListEntryFactory, PriceListFactory

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.fixture
def api(client: Client) -> Api:
    return api_for(StaffFactory.create(), client)


@pytest.fixture
def price_list() -> PriceList:
    group = CustomerGroupFactory.create(code="pros")
    return PriceListFactory.create(code="pro", name="Pro", customer_group=group)


def raw(body: dict[str, Any], number: str) -> str:
    """`body` as JSON text with its "N" values replaced by `number` (NaN, 1e400...)."""
    return json.dumps(body).replace('"N"', number)


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *PriceList.objects.order_by("pk").values_list(
            "code", "name", "channel_id", "currency", "external_ref", "metadata"
        ),
        *PriceListEntry.objects.order_by("pk").values_list(
            "variant__sku", "unit_price", "min_quantity"
        ),
        *PriceTier.objects.order_by("pk").values_list("entry_id", "min_quantity", "unit_price"),
        *LogEntry.objects.order_by("pk").values_list("object_id", "change_message"),
    ]


# --- text no column can hold, in lookups ----------------------------------------------------


@pytest.mark.parametrize("field", ["channel", "customer_group"])
@pytest.mark.parametrize("value", ["\x00", NUL])
def test_list_filter_with_a_nul_matches_nothing_as_an_unknown_code(
    api: Api, price_list: PriceList, field: str, value: str
) -> None:
    unknown = api.get("price-lists", {field: "inconnu"})
    response = api.get("price-lists", {field: value})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == unknown.json()["count"] == 0


@pytest.mark.parametrize("value", [NUL, SURROGATE])
def test_selector_filters_with_unstorable_codes_match_nothing(
    price_list: PriceList, value: str
) -> None:
    from comptoir.core.pagination import PageRequest

    page = PageRequest.parse(None, None)
    assert reads.price_list_admin_list(page=page, channel=value) == ([], 0)
    assert reads.price_list_admin_list(page=page, customer_group=value) == ([], 0)
    assert reads.price_list_admin_list(page=page, customer_group="pros")[1] == 1


@pytest.mark.parametrize("sku", ["%00", "a%00", "a%00b"])
def test_setting_the_price_of_a_sku_with_a_nul_is_unknown_sku(
    api: Api, price_list: PriceList, sku: str
) -> None:
    ProductVariantFactory.create(sku="a")
    before = snapshot()

    response = api.put(f"price-lists/pro/entries/{sku}", {"unit_price": "5"})

    problem(response, 400, "UNKNOWN_SKU")
    assert snapshot() == before


@pytest.mark.parametrize("sku", ["%00", "a%00"])
def test_removing_a_sku_with_a_nul_is_entry_not_found(
    api: Api, price_list: PriceList, sku: str
) -> None:
    PriceListEntryFactory.create(price_list=price_list, variant=ProductVariantFactory(sku="a"))
    before = snapshot()

    response = api.delete(f"price-lists/pro/entries/{sku}")

    problem(response, 404, "PRICE_LIST_ENTRY_NOT_FOUND")
    assert snapshot() == before


@pytest.mark.parametrize("sku", [NUL, SURROGATE, "\x00"])
def test_services_treat_unstorable_skus_as_unknown(price_list: PriceList, sku: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        variant_by_sku(sku)
    assert caught.value.code == "UNKNOWN_SKU"
    with pytest.raises(NotFound) as not_found:
        reads.price_list_entry_by_sku(price_list=price_list, sku=sku)
    assert not_found.value.code == "PRICE_LIST_ENTRY_NOT_FOUND"


def test_public_prices_of_a_sku_with_a_nul_are_unknown_sku(client: Client) -> None:
    ChannelFactory.create()

    response = client.post(
        "/api/v1/prices",
        {"lines": [{"sku": NUL, "quantity": 1}]},
        content_type="application/json",
    )

    problem(response, 400, "UNKNOWN_SKU")


@pytest.mark.parametrize("sku", [NUL, SURROGATE])
def test_price_lines_of_an_unstorable_sku_are_unknown_sku(sku: str) -> None:
    ctx = pricing_context(channel=ChannelFactory.create())

    [line] = price_lines(ctx=ctx, lines=[(sku, 1)])

    assert line.problem == "UNKNOWN_SKU"


# --- numbers JSON does not have ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_metadata_with_a_number_json_does_not_allow_is_a_400(
    api: Api, price_list: PriceList, number: str
) -> None:
    before = snapshot()
    create = {"code": "m", "name": "M", "channel": "boutique-france", "metadata": {"k": "N"}}

    problem(api.post("price-lists", raw(create, number)), 400, "BAD_REQUEST")
    problem(api.patch("price-lists/pro", raw({"metadata": {"k": "N"}}, number)), 400, "BAD_REQUEST")
    assert snapshot() == before


def test_metadata_with_finite_numbers_is_kept(api: Api, price_list: PriceList) -> None:
    response = api.patch("price-lists/pro", '{"metadata": {"k": 0.25, "n": -2.5e0}}')

    assert response.status_code == 200, response.content
    assert PriceList.objects.get().metadata == {"k": 0.25, "n": -2.5}


# --- CSV quantities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A-1,5,²,,,,", "The minimum quantity is not a whole number: “²”."),
        ("A-1,5,١٢,,,,", "The minimum quantity is not a whole number: “١٢”."),
        ("A-1,5,,٣,,,", "The maximum quantity is not a whole number: “٣”."),
        ("A-1,5,,,²,,", "“Sold by” is not a whole number: “²”."),
        ("A-1,5,,,,²,4", "A tier quantity is not a whole number: “²”."),
        ("A-1,5,,,,\uff11\uff10,4", "A tier quantity is not a whole number: “\uff11\uff10”."),
    ],
)
def test_csv_quantities_in_other_digits_than_ascii_are_refused_with_a_message(
    price_list: PriceList, row: str, message: str
) -> None:
    ProductVariantFactory.create(sku="A-1")
    header = "sku,unit_price,min_quantity,max_quantity,increment,tier_quantities,tier_prices"
    before = snapshot()

    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.price_list_import_csv(price_list=price_list, data=f"{header}\n{row}\n")

    assert caught.value.code == "INVALID_CSV"
    assert caught.value.errors == {"line 2": [message]}
    assert snapshot() == before


def test_csv_import_with_a_superscript_quantity_is_a_400_over_the_api(
    api: Api, price_list: PriceList
) -> None:
    ProductVariantFactory.create(sku="A-1")
    client = api.client
    response = client.post(
        "/api/v1/admin/price-lists/pro/import",
        data="sku,unit_price,min_quantity\nA-1,5,²\n",
        content_type="text/csv",
        headers={**api.headers, "Accept-Language": "en"},
    )

    body = problem(response, 400, "INVALID_CSV")
    assert body["errors"] == {"line 2": ["The minimum quantity is not a whole number: “²”."]}
    assert not PriceListEntry.objects.exists()


# --- currency of a list with entries ----------------------------------------------------------


@pytest.fixture
def swiss() -> Any:
    return ChannelFactory.create(code="suisse", currency="CHF")


def test_a_list_with_entries_cannot_change_currency(price_list: PriceList, swiss: Any) -> None:
    PriceListEntryFactory.create(price_list=price_list, unit_price=Decimal("12.00"))
    before = snapshot()

    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.price_list_update(price_list=price_list, channel=swiss, currency="CHF")

    assert caught.value.code == "CURRENCY_MISMATCH"
    assert caught.value.errors == {
        "currency": [
            "This price list has prices in EUR: its currency cannot change while it has "
            "entries. Remove its entries first, then import them again in CHF."
        ]
    }
    assert (price_list.channel.code, price_list.currency) == ("boutique-france", "EUR")
    assert snapshot() == before


def test_a_list_with_entries_may_change_channel_in_the_same_currency(
    price_list: PriceList,
) -> None:
    PriceListEntryFactory.create(price_list=price_list)
    other = ChannelFactory.create(code="boutique-belgique", currency="EUR")

    services.price_list_update(price_list=price_list, channel=other)

    assert PriceList.objects.get().channel == other


def test_a_list_without_entries_may_change_currency(price_list: PriceList, swiss: Any) -> None:
    services.price_list_update(price_list=price_list, channel=swiss, currency="CHF")

    assert PriceList.objects.values_list("currency", flat=True).get() == "CHF"


def test_api_refuses_moving_a_list_with_entries_to_another_currency(
    api: Api, price_list: PriceList, swiss: Any
) -> None:
    PriceListEntryFactory.create(price_list=price_list)
    before = snapshot()

    response = api.patch("price-lists/pro", {"channel": "suisse", "currency": "CHF"})

    body = problem(response, 400, "CURRENCY_MISMATCH")
    assert list(body["errors"]) == ["currency"]
    assert snapshot() == before


# --- a code or reference taken between the check and the save --------------------------------


@pytest.fixture
def taken_meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Have another request store a rival list with the given fields after the uniqueness
    checks of the next create or update, before its save (in the last check it runs)."""

    def arrange(**rival: Any) -> None:
        check = price_lists.price_list_check

        def checked(price_list: PriceList) -> None:
            check(price_list)
            fields = {"code": "rival", "name": "Rival", "channel": price_list.channel} | rival
            PriceList.objects.bulk_create(
                [PriceList(currency=price_list.channel.currency, **fields)]
            )

        monkeypatch.setattr(price_lists, "price_list_check", checked)

    return arrange


@pytest.mark.parametrize(
    ("rival", "code"),
    [
        ({"code": "nouvelle"}, "PRICE_LIST_CODE_TAKEN"),
        ({"external_ref": "R1"}, "EXTERNAL_REF_TAKEN"),
    ],
)
def test_create_racing_another_is_a_conflict(
    taken_meanwhile: Callable[..., None], rival: dict[str, Any], code: str
) -> None:
    channel = ChannelFactory.create()
    taken_meanwhile(**rival)

    with pytest.raises(Conflict) as caught:
        services.price_list_create(code="nouvelle", name="N", channel=channel, external_ref="R1")

    assert caught.value.code == code
    # The rival was stored in the service's transaction (one connection here): gone with it.
    assert not PriceList.objects.exists()


@pytest.mark.parametrize(
    ("rival", "changes", "code"),
    [
        ({"code": "neuve"}, {"code": "neuve"}, "PRICE_LIST_CODE_TAKEN"),
        ({"external_ref": "R2"}, {"external_ref": "R2"}, "EXTERNAL_REF_TAKEN"),
    ],
)
def test_update_racing_another_is_a_conflict_and_leaves_the_list_as_it_was(
    price_list: PriceList,
    taken_meanwhile: Callable[..., None],
    rival: dict[str, Any],
    changes: dict[str, Any],
    code: str,
) -> None:
    taken_meanwhile(**rival)

    with pytest.raises(Conflict) as caught:
        services.price_list_update(price_list=price_list, name="Autre", **changes)

    assert caught.value.code == code
    assert (price_list.code, price_list.name, price_list.external_ref) == ("pro", "Pro", None)
    stored = PriceList.objects.get(pk=price_list.pk)
    assert (stored.code, stored.name, stored.external_ref) == ("pro", "Pro", None)


def test_api_create_racing_another_is_a_409(api: Api, taken_meanwhile: Callable[..., None]) -> None:
    ChannelFactory.create()
    taken_meanwhile(code="nouvelle")

    response = api.post(
        "price-lists", {"code": "nouvelle", "name": "N", "channel": "boutique-france"}
    )

    problem(response, 409, "PRICE_LIST_CODE_TAKEN")
    assert not PriceList.objects.exists()


def test_another_integrity_error_is_not_a_conflict(
    price_list: PriceList, monkeypatch: pytest.MonkeyPatch
) -> None:
    def save(self: PriceList, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("CHECK constraint failed: pricing_pricelist_something")

    monkeypatch.setattr(PriceList, "save", save)

    with pytest.raises(IntegrityError):
        services.price_list_update(price_list=price_list, name="Autre")
    assert price_list.name == "Pro"
