"""Price list entries: unit price, quantity rules and tiers set atomically, every bad input
refused with its code and nothing changed, and the history of prices in the list's LogEntry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import translation

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import InvalidInput
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def price_list() -> PriceList:
    return PriceListFactory.create(code="pro", name="Pro")


@pytest.fixture
def variant() -> Any:
    return ProductVariantFactory.create(sku="VIS-4X40")


def state(price_list: PriceList) -> list[tuple[Any, ...]]:
    """Every entry of the list with its tiers, to compare before and after."""
    return [
        (
            e.variant.sku,
            e.unit_price,
            e.min_quantity,
            e.max_quantity,
            e.increment,
            [(t.min_quantity, t.unit_price) for t in e.tiers.order_by("min_quantity")],
        )
        for e in PriceListEntry.objects.filter(price_list=price_list).order_by("pk")
    ]


def messages(price_list: PriceList) -> list[str]:
    with translation.override("en"):
        return [
            e.get_change_message()
            for e in LogEntry.objects.filter(object_id=str(price_list.pk)).order_by("pk")
        ]


def test_set_creates_an_entry_with_rules_and_sorted_tiers(
    price_list: PriceList, variant: Any
) -> None:
    user = StaffFactory.create()
    entry = services.price_list_entry_set(
        price_list=price_list,
        sku="VIS-4X40",
        unit_price="12.50",
        min_quantity=6,
        max_quantity=600,
        increment=6,
        tiers=[(120, "10.80"), (60, D("11.9"))],
        actor=user,
    )
    assert entry.variant == variant
    assert state(price_list) == [
        ("VIS-4X40", D("12.50"), 6, 600, 6, [(60, D("11.90")), (120, D("10.80"))])
    ]
    [log] = LogEntry.objects.all()
    assert (log.user, log.action_flag, log.object_id) == (user, CHANGE, str(price_list.pk))
    assert messages(price_list) == [
        "Added price list entry “VIS-4X40: 12.50 EUR; qty 6-600 x6; 60+: 11.90, 120+: 10.80”."
    ]


def test_set_replaces_price_and_tiers_and_logs_what_changed(
    price_list: PriceList, variant: Any
) -> None:
    services.price_list_entry_set(
        price_list=price_list, variant=variant, unit_price=D("10"), tiers=[(10, "9"), (50, "8")]
    )
    first_tier_ids = set(PriceTier.objects.values_list("pk", flat=True))
    entry = services.price_list_entry_set(
        price_list=price_list,
        variant=variant,
        unit_price=D("9.50"),
        tiers=[(20, "9.00")],
        actor=StaffFactory.create(),
    )
    assert [(t.min_quantity, t.unit_price) for t in entry.tiers.all()] == [(20, D("9.00"))]
    assert state(price_list) == [("VIS-4X40", D("9.50"), 1, None, 1, [(20, D("9.00"))])]
    assert not first_tier_ids & set(PriceTier.objects.values_list("pk", flat=True))
    assert messages(price_list) == [
        "Changed unit price and volume tiers for price list entry “VIS-4X40: 9.50 EUR; 20+: 9.00”."
    ]


def test_set_with_no_tiers_removes_them(price_list: PriceList, variant: Any) -> None:
    services.price_list_entry_set(
        price_list=price_list, variant=variant, unit_price=10, tiers=[(10, "9")]
    )
    services.price_list_entry_set(price_list=price_list, variant=variant, unit_price=10)
    assert state(price_list) == [("VIS-4X40", D("10.00"), 1, None, 1, [])]


def test_set_the_same_entry_again_writes_and_logs_nothing(
    price_list: PriceList, variant: Any
) -> None:
    user = StaffFactory.create()
    services.price_list_entry_set(
        price_list=price_list, variant=variant, unit_price="10", tiers=[(10, "9")], actor=user
    )
    tier_ids = list(PriceTier.objects.values_list("pk", flat=True))
    services.price_list_entry_set(
        price_list=price_list, variant=variant, unit_price="10.00", tiers=[(10, "9.00")], actor=user
    )
    assert list(PriceTier.objects.values_list("pk", flat=True)) == tier_ids
    assert LogEntry.objects.count() == 1


def test_entries_of_one_variant_in_two_lists_are_separate(variant: Any) -> None:
    one, two = PriceListFactory.create(), PriceListFactory.create()
    services.price_list_entry_set(price_list=one, variant=variant, unit_price="10")
    services.price_list_entry_set(price_list=two, variant=variant, unit_price="8")
    assert state(one)[0][1] == D("10.00")
    assert state(two)[0][1] == D("8.00")


def test_prices_follow_the_currency_minor_unit(variant: Any) -> None:
    yen = PriceListFactory.create(channel=ChannelFactory.create(code="japon", currency="JPY"))
    services.price_list_entry_set(price_list=yen, variant=variant, unit_price="1500")
    with pytest.raises(InvalidInput) as caught:
        services.price_list_entry_set(price_list=yen, variant=variant, unit_price="1500.5")
    assert caught.value.code == "INVALID_PRICE"


BAD = [
    # prices
    ({"unit_price": "0"}, "INVALID_PRICE", "unit_price", "more than zero"),
    ({"unit_price": D("-1.00")}, "INVALID_PRICE", "unit_price", "more than zero"),
    ({"unit_price": "9.999"}, "INVALID_PRICE", "unit_price", "Too many decimals"),
    ({"unit_price": "abc"}, "INVALID_PRICE", "unit_price", "Not a valid price"),
    ({"unit_price": "\u0665"}, "INVALID_PRICE", "unit_price", "Not a valid price"),
    ({"unit_price": D("NaN")}, "INVALID_PRICE", "unit_price", "Not a valid price"),
    ({"unit_price": D("Infinity")}, "INVALID_PRICE", "unit_price", "Not a valid price"),
    ({"unit_price": 1.5}, "INVALID_PRICE", "unit_price", "Not a valid price"),
    ({"unit_price": D("10000000000")}, "INVALID_PRICE", "unit_price", "cannot exceed"),
    ({"tiers": [(10, "0")]}, "INVALID_PRICE", "tiers", "Tier from 10"),
    ({"tiers": [(10, "8.001")]}, "INVALID_PRICE", "tiers", "Too many decimals"),
    # quantity rules
    ({"min_quantity": 0}, "QUANTITY_RULE", "min_quantity", "1 or more"),
    ({"increment": 0}, "QUANTITY_RULE", "increment", "1 or more"),
    ({"max_quantity": 0}, "QUANTITY_RULE", "max_quantity", "1 or more"),
    ({"min_quantity": True}, "QUANTITY_RULE", "min_quantity", "whole number"),
    ({"min_quantity": 2**31}, "QUANTITY_RULE", "min_quantity", "whole number"),
    ({"min_quantity": 10, "max_quantity": 5}, "QUANTITY_RULE", "max_quantity", "below the"),
    ({"min_quantity": 4, "increment": 6}, "QUANTITY_RULE", "min_quantity", "multiple of"),
    (
        {"min_quantity": 6, "max_quantity": 100, "increment": 6},
        "QUANTITY_RULE",
        "max_quantity",
        "multiple of",
    ),
    # tiers
    ({"tiers": [(10, "9"), (10, "8")]}, "OVERLAPPING_TIERS", "tiers", "same quantity: 10"),
    ({"tiers": [(1, "9")]}, "INVALID_TIER", "tiers", "start at 2 or more"),
    ({"min_quantity": 10, "tiers": [(10, "9")]}, "INVALID_TIER", "tiers", "above the minimum"),
    ({"max_quantity": 50, "tiers": [(60, "9")]}, "INVALID_TIER", "tiers", "never apply"),
    ({"tiers": [(10, "10.00")]}, "INVALID_TIER", "tiers", "not less than the unit price"),
    ({"tiers": [(10, "12")]}, "INVALID_TIER", "tiers", "must lower the price"),
    ({"tiers": [(10, "8"), (50, "8")]}, "INVALID_TIER", "tiers", "must decrease"),
    ({"tiers": [(10, "8"), (50, "9")]}, "INVALID_TIER", "tiers", "not less than the tier from 10"),
    ({"tiers": [(10,)]}, "INVALID_TIER", "tiers", "a pair"),
    ({"tiers": [("dix", "8")]}, "INVALID_TIER", "tiers", "whole number"),
    ({"tiers": [(q, "1") for q in range(2, 60)]}, "INVALID_TIER", "tiers", "At most 50"),
    # references
    ({"sku": "NOPE"}, "UNKNOWN_SKU", "sku", "Unknown SKU: NOPE"),
    ({"sku": ""}, "UNKNOWN_SKU", "sku", "Unknown SKU"),
]


@pytest.mark.usefixtures("variant")
@pytest.mark.parametrize(("changes", "code", "field", "text"), BAD)
def test_bad_input_is_refused_and_nothing_changes(
    price_list: PriceList, changes: dict[str, Any], code: str, field: str, text: str
) -> None:
    services.price_list_entry_set(
        price_list=price_list, sku="VIS-4X40", unit_price="10", tiers=[(20, "9")]
    )
    before = state(price_list)
    kwargs: dict[str, Any] = {"sku": "VIS-4X40", "unit_price": "10.00"} | changes
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.price_list_entry_set(price_list=price_list, actor=StaffFactory.create(), **kwargs)
    assert caught.value.code == code
    assert field in caught.value.errors
    assert text in " ".join(caught.value.errors[field])
    assert state(price_list) == before
    assert LogEntry.objects.count() == 0


def test_variant_and_sku_are_exclusive(price_list: PriceList, variant: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.price_list_entry_set(
            price_list=price_list, variant=variant, sku=variant.sku, unit_price="1"
        )
    assert caught.value.code == "INVALID_INPUT"
    with pytest.raises(InvalidInput):
        services.price_list_entry_set(price_list=price_list, unit_price="1")
    assert PriceListEntry.objects.count() == 0


def test_entry_check_explains_every_tier_problem() -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.entry_check(
            currency="EUR", unit_price="10", tiers=[(5, "11"), (10, "9"), (20, "9.50")]
        )
    assert caught.value.errors == {
        "tiers": [
            "The tier from 5 costs 11.00, not less than the unit price 10.00: a volume tier "
            "must lower the price.",
            "The tier from 20 costs 9.50, not less than the tier from 10 (9.00): tier prices "
            "must decrease as quantities grow.",
        ]
    }


def test_entry_check_returns_quantized_sorted_rules() -> None:
    rules = services.entry_check(
        currency="EUR", unit_price=10, min_quantity=2, tiers=[(50, "8.5"), (10, 9)]
    )
    assert rules == services.EntryRules(
        unit_price=D("10.00"),
        min_quantity=2,
        max_quantity=None,
        increment=1,
        tiers=((10, D("9.00")), (50, D("8.50"))),
    )


def test_delete_removes_the_entry_and_logs_it(price_list: PriceList, variant: Any) -> None:
    entry = services.price_list_entry_set(
        price_list=price_list, variant=variant, unit_price="10", tiers=[(10, "9")]
    )
    services.price_list_entry_delete(entry=entry, actor=StaffFactory.create())
    assert (PriceListEntry.objects.count(), PriceTier.objects.count()) == (0, 0)
    assert messages(price_list) == ["Deleted price list entry “VIS-4X40: 10.00 EUR; 10+: 9.00”."]
