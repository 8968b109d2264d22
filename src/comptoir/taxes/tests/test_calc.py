"""The integer tax arithmetic (comptoir.taxes.calc) against exact Decimal computations,
rounded half-up at the minor unit, with hypothesis."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from comptoir.taxes.calc import (
    RATE_SCALE,
    Amounts,
    amounts,
    div_half_up,
    rate_percent,
    rate_units,
    tax_in_gross,
    tax_on_net,
)

# Unit prices up to 1,000,000.00 in minor units, quantities up to 10,000, rates from 0 to
# 100 % in thousandths of a percent, plus the rates the shop actually uses.
units = st.integers(min_value=0, max_value=100_000_000)
quantities = st.integers(min_value=1, max_value=10_000)
SHOP_RATES = (0, 2_100, 3_000, 4_000, 5_000, 5_500, 6_000, 7_000, 8_000, 9_000, 10_000)
real_rates = st.sampled_from((*SHOP_RATES, 12_000, 14_000, 17_000, 19_000, 20_000, 21_000, 22_000))
rates = st.one_of(real_rates, st.integers(min_value=0, max_value=RATE_SCALE))


def exact(numerator: int | Decimal, denominator: int | Decimal) -> Decimal:
    """numerator / denominator rounded half-up to an integer, in Decimal arithmetic (the
    precision is far above what the operands can need, so the division is exact enough that
    only the final quantize rounds)."""
    with localcontext() as ctx:
        ctx.prec = 200
        return (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )


def percent(rate: int) -> Decimal:
    """The rate as a fraction: 20_000 -> Decimal('0.2')."""
    return Decimal(rate) / Decimal(RATE_SCALE)


def totals(lines: list[Amounts]) -> Amounts:
    """What an order shows: the sums of its rounded lines."""
    return Amounts(
        net=sum(line.net for line in lines),
        tax=sum(line.tax for line in lines),
        gross=sum(line.gross for line in lines),
    )


# --- div_half_up and rate units -----------------------------------------------------------


@given(st.integers(min_value=-(10**30), max_value=10**30), st.integers(1, 10**20))
@example(5, 10)
@example(-5, 10)
@example(15, 10)
@example(-15, 10)
@example(-4, 10)
@example(-6, 10)
@example(0, 7)
def test_div_half_up_is_decimal_round_half_up(numerator: int, denominator: int) -> None:
    assert div_half_up(numerator, denominator) == int(exact(numerator, denominator))


@given(st.integers(min_value=0, max_value=10**30), st.integers(1, 10**20))
def test_div_half_up_is_symmetric(numerator: int, denominator: int) -> None:
    assert div_half_up(-numerator, denominator) == -div_half_up(numerator, denominator)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 10, 1), (-5, 10, -1), (4, 10, 0), (-4, 10, 0), (25, 10, 3), (-25, 10, -3), (-1, 3, 0)],
)
def test_div_half_up_examples(numerator: int, denominator: int, expected: int) -> None:
    assert div_half_up(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("percent_in", "expected"),
    [
        ("20", 20_000),
        ("5.5", 5_500),
        ("2.1", 2_100),
        ("20.000", 20_000),
        (Decimal("8.125"), 8_125),
        (0, 0),
        (100, 100_000),
    ],
)
def test_rate_units(percent_in: str | Decimal | int, expected: int) -> None:
    assert rate_units(percent_in) == expected
    assert rate_percent(expected) == Decimal(percent_in)


@pytest.mark.parametrize("bad", ["5.5555", "0.0001", Decimal("20.0005"), "-1", "-0.5"])
def test_rate_units_rejects_four_decimals_and_negatives(bad: str | Decimal) -> None:
    with pytest.raises(ValueError, match="Unsupported tax rate"):
        rate_units(bad)


@given(st.integers(min_value=0, max_value=RATE_SCALE))
def test_rate_units_round_trips(units_in: int) -> None:
    assert rate_units(rate_percent(units_in)) == units_in


@given(st.integers(min_value=-(10**12), max_value=10**12), rates)
def test_tax_on_net_and_in_gross_are_exact_half_up(amount: int, rate: int) -> None:
    assert tax_on_net(amount, rate) == exact(Decimal(amount) * percent(rate), 1)
    assert tax_in_gross(amount, rate) == exact(Decimal(amount) * percent(rate), 1 + percent(rate))


# --- one line -----------------------------------------------------------------------------


@given(units, quantities, rates)
@example(1, 1, 5_500)  # 0.055 cents of tax: rounds to 0
@example(10, 1, 5_000)  # exactly half a cent: rounds up
@example(1990, 3, 20_000)
def test_net_entered_line(unit: int, quantity: int, rate: int) -> None:
    line = amounts(unit, entered_gross=False, entry_rate=rate, rate=rate, quantity=quantity)

    assert line.net == unit * quantity
    assert line.tax == exact(Decimal(unit * quantity) * percent(rate), 1)
    assert line.net + line.tax == line.gross


@given(units, quantities, rates)
@example(1, 1, 20_000)
@example(1990, 3, 20_000)
@example(105, 1, 5_000)  # 105 / 1.05 = 100: 5 cents of tax exactly
def test_gross_entered_line_at_its_own_rate(unit: int, quantity: int, rate: int) -> None:
    line = amounts(unit, entered_gross=True, entry_rate=rate, rate=rate, quantity=quantity)

    # The shopper pays exactly the shown price times the quantity.
    assert line.gross == unit * quantity
    assert line.tax == exact(Decimal(unit * quantity) * percent(rate), 1 + percent(rate))
    assert line.net + line.tax == line.gross


@given(units, quantities, rates, rates)
def test_gross_entered_line_at_another_rate(
    unit: int, quantity: int, entry_rate: int, rate: int
) -> None:
    """Taxed at another rate than it was entered with (another member state's rate): the
    unit's net is taken out at the entry rate, multiplied by the quantity (unit x quantity
    = line, as on an invoice), then taxed at the sale's rate."""
    assume(entry_rate != rate)
    line = amounts(unit, entered_gross=True, entry_rate=entry_rate, rate=rate, quantity=quantity)

    unit_net = unit - exact(Decimal(unit) * percent(entry_rate), 1 + percent(entry_rate))
    net = unit_net * quantity
    assert line.net == net
    assert line.tax == exact(Decimal(net) * percent(rate), 1)
    assert line.net + line.tax == line.gross


@given(units, quantities, rates)
def test_reverse_charge_from_a_gross_price(gross: int, quantity: int, entry_rate: int) -> None:
    """Zero-rated (reverse charge, export, exempt): the unit's net taken out of the
    tax-included price at its entry rate, times the quantity, no tax."""
    line = amounts(gross, entered_gross=True, entry_rate=entry_rate, rate=0, quantity=quantity)

    unit_net = gross - int(exact(Decimal(gross) * percent(entry_rate), 1 + percent(entry_rate)))
    expected_net = unit_net * quantity
    assert line == Amounts(expected_net, 0, expected_net)
    unit = amounts(gross, entered_gross=True, entry_rate=entry_rate, rate=0)
    assert unit.net * quantity == line.net


def test_worked_examples() -> None:
    # 19.90 TTC at 20 %: 3.32 of tax (19.90 / 6 = 3.3166...), 16.58 HT.
    assert amounts(1990, entered_gross=True, entry_rate=20_000, rate=20_000) == Amounts(
        1658, 332, 1990
    )
    # Three of them: rounded once on the line (9.95), not three times 3.32 (9.96).
    assert amounts(1990, entered_gross=True, entry_rate=20_000, rate=20_000, quantity=3) == Amounts(
        4975, 995, 5970
    )
    # 16.58 HT at 20 %: 3.316 rounds to 3.32.
    assert amounts(1658, entered_gross=False, entry_rate=20_000, rate=20_000) == Amounts(
        1658, 332, 1990
    )
    # 19.90 TTC entered for France, sold to a Belgian consumer (21 %): 16.58 HT + 3.48.
    assert amounts(1990, entered_gross=True, entry_rate=20_000, rate=21_000) == Amounts(
        1658, 348, 2006
    )
    # The same to a Belgian company under reverse charge.
    assert amounts(1990, entered_gross=True, entry_rate=20_000, rate=0) == Amounts(1658, 0, 1658)
    # 5.5 %: 10.00 HT -> 0.55 of tax; 0.10 HT -> 0.0055 -> 0.01 (half-up).
    assert amounts(1000, entered_gross=False, entry_rate=5_500, rate=5_500).tax == 55
    assert amounts(10, entered_gross=False, entry_rate=5_500, rate=5_500).tax == 1


# --- tax-included and tax-excluded agree --------------------------------------------------


@given(units, rates)
@example(1658, 20_000)
@example(10, 5_000)  # the tax of the net is exactly half a cent
@example(1, 50_000)
def test_tax_included_and_excluded_prices_agree(net: int, rate: int) -> None:
    """A price entered net N, and the tax-included price G = round_half_up(N x (1 + r))
    a B2C channel would show for it, give the same gross; the net taken back out of G is
    N again, to the cent (the brief allowed 1 minor unit; it is exact, since half-up
    never rounds N x r down by half a cent)."""
    from_net = amounts(net, entered_gross=False, entry_rate=rate, rate=rate)
    shown_gross = int(exact(Decimal(net) * (1 + percent(rate)), 1))
    from_gross = amounts(shown_gross, entered_gross=True, entry_rate=rate, rate=rate)

    assert from_net.gross == shown_gross
    assert from_gross.gross == shown_gross
    assert abs(from_gross.net - net) <= 1
    assert from_gross.net == net
    assert from_gross.tax == from_net.tax


# --- totals -------------------------------------------------------------------------------

line_inputs = st.tuples(units, quantities, rates, st.booleans())


@given(st.lists(line_inputs, min_size=0, max_size=30))
def test_totals_are_sums_of_rounded_lines(specs: list[tuple[int, int, int, bool]]) -> None:
    lines = [
        amounts(unit, entered_gross=gross, entry_rate=rate, rate=rate, quantity=quantity)
        for unit, quantity, rate, gross in specs
    ]

    total = totals(lines)

    assert total.net + total.tax == total.gross
    assert total.net == sum(line.net for line in lines)
    assert total.tax == sum(line.tax for line in lines)
    assert total.gross == sum(
        unit * quantity if gross else line.gross
        for (unit, quantity, _rate, gross), line in zip(specs, lines, strict=True)
    )


def test_totals_of_a_mixed_basket() -> None:
    lines = [
        amounts(1990, entered_gross=True, entry_rate=20_000, rate=20_000, quantity=3),
        amounts(499, entered_gross=True, entry_rate=5_500, rate=5_500, quantity=2),
        amounts(1, entered_gross=True, entry_rate=20_000, rate=20_000, quantity=1),
    ]

    # 5970 -> 995 tax; 998 / 1.055 -> 52.02 -> 52; 1 / 1.2 -> 0.1666 -> 0.
    assert lines == [Amounts(4975, 995, 5970), Amounts(946, 52, 998), Amounts(1, 0, 1)]
    assert totals(lines) == Amounts(5922, 1047, 6969)
