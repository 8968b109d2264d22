"""Cart promotions, pure computation: conditions, rewards with exact amounts, allocations
that sum to the amount, buy X get Y on the cheapest units, priorities and stacking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.core.money import to_minor
from comptoir.promotions.cart import (
    CartLine,
    CartPromotion,
    allocate,
    cart_discounts,
    percent_of,
)


def line(
    sku: str, unit: int, quantity: int = 1, *, product: int = 0, category: int = 0
) -> CartLine:
    return CartLine(
        sku=sku,
        product_id=product,
        category_id=category,
        quantity=quantity,
        unit_amount=unit,
        line_amount=unit * quantity,
    )


def promo(code: str, reward: str = "percentage", value: str = "10", **kwargs: Any) -> CartPromotion:
    fields: dict[str, Any] = {
        "id": kwargs.pop("id", 1),
        "code": code,
        "name": f"Promo {code}",
        "name_en": f"Deal {code}",
        "priority": 0,
        "exclusive": False,
        "reward_type": reward,
        "value": Decimal(value),
        "currency": "",
        "starts_at": None,
        "ends_at": None,
        "channel_ids": frozenset(),
        "group_ids": frozenset(),
        "product_ids": None,
        "category_ids": frozenset(),
    }
    return CartPromotion(**(fields | kwargs))


def discounts(lines: list[CartLine], *promotions: CartPromotion, **kwargs: Any) -> Any:
    return cart_discounts(lines=lines, promotions=promotions, currency="EUR", **kwargs)


def test_allocate_largest_remainder() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [3000, 2000, 5000]) == [3, 2, 5]
    assert allocate(7, [0, 5, 5]) == [0, 4, 3]
    assert allocate(0, [5, 5]) == [0, 0]
    assert allocate(5, [0, 0]) == [0, 0]


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30),
)
def test_allocations_sum_to_the_amount_and_never_exceed_a_weight(
    amount: int, weights: list[int]
) -> None:
    amount = min(amount, sum(weights))
    shares = allocate(amount, weights)
    assert sum(shares) == (amount if sum(weights) else 0)
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))


def test_rounding_helpers() -> None:
    assert percent_of(1999, Decimal("10")) == 200  # 199.9
    assert percent_of(1005, Decimal("10")) == 101  # 100.5 half-up
    assert to_minor(Decimal("5.005"), "EUR") == 501
    assert to_minor(Decimal("500"), "JPY") == 500


def test_order_threshold_percentage_spread_over_lines() -> None:
    lines = [line("A", 3333), line("B", 3333), line("C", 3334)]
    threshold = promo("seuil", min_subtotal=Decimal("100.00"))
    [applied] = discounts(lines, threshold)
    assert applied.amount == 1000
    assert applied.allocations == (333, 333, 334)
    assert applied.rule == "promotion:seuil"
    assert (applied.label, applied.free_shipping, applied.coupon_code) == ("Promo seuil", False, "")
    assert discounts(lines[:2], threshold) == []  # 66.66 < 100


def test_fixed_amount_never_exceeds_the_lines() -> None:
    [applied] = discounts([line("A", 1500), line("B", 500)], promo("dix", "fixed", "10.00"))
    assert (applied.amount, applied.allocations) == (1000, (750, 250))
    [capped] = discounts([line("A", 300)], promo("dix", "fixed", "10.00"))
    assert (capped.amount, capped.allocations) == (300, (300,))


def test_fixed_amount_in_another_currency_does_not_apply() -> None:
    assert discounts([line("A", 3000)], promo("chf", "fixed", "5", currency="CHF")) == []


def test_quantity_based_on_targeted_products() -> None:
    lines = [
        line("VIS", 50, 8, product=1),
        line("VIS2", 60, 4, product=2),
        line("MAR", 2000, 1, product=3),
    ]
    bulk = promo("vrac", value="20", product_ids=frozenset({1, 2}), min_quantity=12)
    [applied] = discounts(lines, bulk)
    assert applied.amount == 128  # 20 % of 400 + 240
    assert applied.allocations == (80, 48, 0)
    assert discounts(lines, promo("vrac", product_ids=frozenset({1, 2}), min_quantity=13)) == []


def test_category_targets() -> None:
    lines = [line("A", 1000, category=7), line("B", 1000, category=8)]
    [applied] = discounts(lines, promo("cat", product_ids=frozenset(), category_ids=frozenset({7})))
    assert applied.allocations == (100, 0)


def test_buy_x_get_y_gives_the_cheapest_units() -> None:
    lines = [
        line("A", 1000, 2, product=1),
        line("B", 400, 3, product=1),
        line("C", 700, 1, product=1),
    ]
    # 6 units, buy 2 get 1: two groups, the 2 cheapest units (B at 4.00) are free.
    bxgy = promo("3pour2", "buy_x_get_y", "100", buy_quantity=2, get_quantity=1)
    [applied] = discounts(lines, bxgy)
    assert (applied.amount, applied.allocations) == (800, (0, 800, 0))
    # Half price on the cheapest: 50 % of two units of B.
    half = promo("moitie", "buy_x_get_y", "50", buy_quantity=2, get_quantity=1)
    assert discounts(lines, half)[0].allocations == (0, 400, 0)
    # 5 units: one group only.
    fewer = [line("A", 1000, 2), line("B", 400, 2), line("C", 700, 1)]
    assert discounts(fewer, bxgy)[0].allocations == (0, 400, 0)
    assert discounts([line("A", 1000, 2)], bxgy) == []


def test_buy_x_get_y_spans_lines_and_only_counts_targeted_units() -> None:
    lines = [
        line("A", 300, 1, product=1),
        line("B", 200, 1, product=1),
        line("X", 100, 5, product=9),
    ]
    bxgy = promo(
        "b1g1", "buy_x_get_y", "100", buy_quantity=1, get_quantity=1, product_ids=frozenset({1})
    )
    assert discounts(lines, bxgy)[0].allocations == (0, 200, 0)


def test_free_shipping_over_a_threshold() -> None:
    shipping = promo("port", "free_shipping", "0", min_subtotal=Decimal("60"))
    [applied] = discounts([line("A", 6000)], shipping)
    assert (applied.amount, applied.free_shipping, applied.allocations) == (0, True, (0,))
    assert discounts([line("A", 5999)], shipping) == []


def test_cumulative_promotions_apply_in_priority_order_on_what_remains() -> None:
    lines = [line("A", 10000)]
    first = promo("dix", value="10", id=1, priority=5)
    second = promo("vingt", value="20", id=2, priority=1)
    fixed = promo("cinq", "fixed", "5", id=3, priority=3)
    applied = discounts(lines, second, fixed, first)
    assert [(d.promotion_code, d.amount) for d in applied] == [
        ("dix", 1000),  # 10 % of 100.00
        ("cinq", 500),
        ("vingt", 1700),  # 20 % of 85.00
    ]


def test_exclusive_applies_alone_when_first() -> None:
    lines = [line("A", 10000)]
    exclusive = promo("excl", value="30", id=1, priority=9, exclusive=True)
    other = promo("autre", value="10", id=2, priority=1)
    assert [d.promotion_code for d in discounts(lines, other, exclusive)] == ["excl"]


def test_exclusive_is_skipped_when_another_applied_first() -> None:
    lines = [line("A", 10000)]
    first = promo("autre", value="10", id=1, priority=9)
    exclusive = promo("excl", value="30", id=2, priority=5, exclusive=True)
    later = promo("port", "free_shipping", "0", id=3, priority=1)
    assert [d.promotion_code for d in discounts(lines, first, exclusive, later)] == [
        "autre",
        "port",
    ]


def test_an_exclusive_whose_conditions_fail_does_not_block_the_others() -> None:
    lines = [line("A", 1000)]
    exclusive = promo(
        "excl", value="50", id=1, priority=9, exclusive=True, min_subtotal=Decimal("100")
    )
    other = promo("autre", value="10", id=2)
    assert [d.promotion_code for d in discounts(lines, exclusive, other)] == ["autre"]


def test_a_discount_never_exceeds_what_remains() -> None:
    lines = [line("A", 1000), line("B", 500)]
    full = promo("tout", value="100", id=1, priority=2)
    fixed = promo("cinq", "fixed", "5", id=2, priority=1)
    applied = discounts(lines, full, fixed)
    assert [(d.promotion_code, d.amount) for d in applied] == [("tout", 1500)]


def test_ties_by_id_and_label_in_english() -> None:
    lines = [line("A", 1000)]
    a = promo("a", value="10", id=2)
    b = promo("b", value="10", id=1, coupon_code="ETE2030")
    applied = discounts(lines, a, b, language="en")
    assert [(d.promotion_code, d.label, d.coupon_code) for d in applied] == [
        ("b", "Deal b", "ETE2030"),
        ("a", "Deal a", ""),
    ]


def test_subtotal_given_by_the_caller_is_the_threshold_base() -> None:
    threshold = promo("seuil", min_subtotal=Decimal("50"))
    assert discounts([line("A", 4000)], threshold, subtotal=5000)[0].amount == 400


def test_empty_cart() -> None:
    assert discounts([], promo("x")) == []


@pytest.mark.parametrize("quantity", [1, 2, 3, 7, 100])
def test_total_discount_never_exceeds_the_subtotal(quantity: int) -> None:
    lines = [line("A", 999, quantity), line("B", 1, 3)]
    promotions = [
        promo("p1", value="60", id=1),
        promo("p2", "fixed", "1000", id=2),
        promo("p3", "buy_x_get_y", "100", id=3, buy_quantity=1, get_quantity=1),
    ]
    applied = discounts(lines, *promotions)
    per_line = [sum(d.allocations[i] for d in applied) for i in range(2)]
    assert all(0 <= p <= ln.line_amount for p, ln in zip(per_line, lines, strict=True))
    for d in applied:
        assert sum(d.allocations) == d.amount


def test_buy_x_get_y_after_a_cumulative_promotion_discounts_what_is_left() -> None:
    # Two units at 10.00: 50 % off first (higher priority), then buy 1 get 1 free on what
    # is left (5.00 for the two units): the free unit is worth 2.50, the customer pays 2.50.
    half = promo("moitie", value="50", id=1, priority=10)
    bxgy = promo("1plus1", "buy_x_get_y", "100", id=2, buy_quantity=1, get_quantity=1)
    applied = discounts([line("A", 1000, 2)], half, bxgy)
    assert [(a.promotion_code, a.amount) for a in applied] == [("moitie", 1000), ("1plus1", 500)]
    assert sum(a.amount for a in applied) == 1500
