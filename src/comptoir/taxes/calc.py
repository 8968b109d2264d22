"""Tax arithmetic on integer minor units (cents), half-up at the minor unit.

Amounts are ints in the currency's minor unit (1990 = 19.90 EUR); rates are ints in
thousandths of a percent (20 % = 20_000, 5.5 % = 5_500), so that every step is exact
integer arithmetic: the price engine prices tens of thousands of lines per second with
it, and the rounding is the same on every platform.

A line is computed from its unit price times the quantity, then rounded once:
- entered tax-excluded: net = unit x qty; tax = round(net x rate); gross = net + tax;
- entered tax-included, taxed at the rate it was entered with: gross = unit x qty;
  tax = round(gross x rate / (1 + rate)); net = gross - tax (the shopper pays exactly the
  shown price times the quantity);
- entered tax-included, taxed otherwise (reverse charge, export, another country's rate):
  the unit's net is taken out at the entry rate, multiplied by the quantity, then taxed at
  the applicable rate.
So net + tax = gross on every line, and totals are sums of lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

# 100 % in rate units (thousandths of a percent).
RATE_SCALE = 100_000


def rate_units(percent: Decimal | str | int) -> int:
    """20 -> 20_000; 5.5 -> 5_500. Rates have at most three decimals (TaxRate.rate)."""
    value = Decimal(percent) * 1000
    if value != value.to_integral_value() or value < 0:
        raise ValueError(f"Unsupported tax rate: {percent}")
    return int(value)


def rate_percent(units: int) -> Decimal:
    """20_000 -> Decimal('20'); 5_500 -> Decimal('5.5') (never an exponent: '2E+1')."""
    value = Decimal(units) / 1000
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (Decimal's ROUND_HALF_UP)."""
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def tax_on_net(net: int, rate: int) -> int:
    return div_half_up(net * rate, RATE_SCALE)


def tax_in_gross(gross: int, rate: int) -> int:
    return div_half_up(gross * rate, RATE_SCALE + rate)


class Amounts(NamedTuple):
    net: int
    tax: int
    gross: int


def amounts(
    entered: int, *, entered_gross: bool, entry_rate: int, rate: int, quantity: int = 1
) -> Amounts:
    """Net, tax and gross of `quantity` units at the unit price `entered` (minor units).

    `entered_gross` says whether the price includes tax, at `entry_rate` (the rate of the
    channel's own country for the product's tax class); `rate` is the rate that applies
    to this sale (0 under reverse charge, for exports and for exempt buyers).
    """
    total = entered * quantity
    if not entered_gross:
        tax = div_half_up(total * rate, RATE_SCALE)
        return Amounts(total, tax, total + tax)
    if rate == entry_rate:
        tax = div_half_up(total * rate, RATE_SCALE + rate)
        return Amounts(total - tax, tax, total)
    # The unit's net is taken out once, then multiplied: unit x quantity = line, as on
    # an invoice.
    net = (entered - div_half_up(entered * entry_rate, RATE_SCALE + entry_rate)) * quantity
    tax = div_half_up(net * rate, RATE_SCALE)
    return Amounts(net, tax, net + tax)
