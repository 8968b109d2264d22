"""What the price engine returns: integer minor units (cents) with their currency's
digits, turned into strings ("19.90") only at the edges (API, pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.core.money import Money


def minor_str(amount: int, digits: int) -> str:
    """1990, 2 -> "19.90"; -5, 2 -> "-0.05"; 1990, 0 -> "1990"."""
    if digits == 0:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}"


def minor_decimal(amount: int, digits: int) -> Decimal:
    return Decimal(amount).scaleb(-digits)


@dataclass(frozen=True, slots=True)
class Price:
    """Net, tax and gross of a unit or a line, in minor units: net + tax == gross."""

    net: int
    tax: int
    gross: int

    def shown(self, gross: bool) -> int:
        return self.gross if gross else self.net


@dataclass(frozen=True, slots=True)
class QuantityRule:
    minimum: int = 1
    maximum: int | None = None
    increment: int = 1

    def allows(self, quantity: int) -> bool:
        return (
            quantity >= self.minimum
            and (self.maximum is None or quantity <= self.maximum)
            and quantity % self.increment == 0
        )


DEFAULT_RULE = QuantityRule()


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the resolution, for people: the rule and the unit price it set (as the
    channel enters prices, before tax treatment)."""

    rule: str
    amount: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    sku: str
    quantity: int
    variant_id: int | None
    product_id: int | None
    # None when the line cannot be priced: see `problem`.
    unit: Price | None
    total: Price | None
    # The unit price before promotions, when a promotion lowered it (struck-through).
    undiscounted_unit: Price | None
    rule: str
    steps: tuple[Step, ...]
    tax_rate: int
    quantity_rule: QuantityRule
    # UNKNOWN_SKU, NOT_FOR_SALE (not published or not priced in the channel), QUANTITY_RULE.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class TierPrice:
    min_quantity: int
    unit: Price
    rule: str


@dataclass(frozen=True, slots=True)
class VariantPrice:
    """A variant's price for the caller at its minimum quantity, with its volume tiers."""

    variant_id: int
    line: PricedLine
    tiers: tuple[TierPrice, ...]


def money(amount: int, currency: str, digits: int) -> Money:
    return Money(minor_decimal(amount, digits), currency)


def total_of(lines: Iterable[PricedLine]) -> Price:
    """Totals are sums of rounded lines (unpriced lines count for nothing)."""
    net = tax = gross = 0
    for line in lines:
        if line.total is not None:
            net += line.total.net
            tax += line.total.tax
            gross += line.total.gross
    return Price(net, tax, gross)
