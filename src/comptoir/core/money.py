"""Money: Decimal amounts with a currency, rounded half-up at the currency's minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Final

from babel.numbers import format_currency, get_currency_precision

# The largest amount of the money columns of orders and payments: 14 digits, 2 decimals.
MAX_AMOUNT: Final = Decimal("999999999999.99")


@cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency` as a Decimal quantum (EUR -> 0.01, JPY -> 1)."""
    digits = get_currency_precision(currency)
    return Decimal(1).scaleb(-digits)


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in `currency` as integer minor units, rounded half-up (19.90 EUR -> 1990)."""
    return int((amount / minor_unit(currency)).to_integral_value(rounding=ROUND_HALF_UP))


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never holds floats; pass a Decimal or a string.")

    def rounded(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * factor, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot mix {self.currency} and {other.currency}.")

    def as_str(self) -> str:
        """Two-decimal string (API convention: "19.90")."""
        return f"{quantize(self.amount, self.currency)}"

    def format(self, locale: str) -> str:
        return format_currency(self.amount, self.currency, locale=locale)
