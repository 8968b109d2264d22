"""Price objects as the API and pages show them: strings with the currency's digits."""

from __future__ import annotations

from typing import Any

from comptoir.pricing.engine import PricingContext
from comptoir.pricing.records import Price, PricedLine, QuantityRule, VariantPrice, minor_str
from comptoir.taxes.calc import rate_percent


def amounts_dict(price: Price, digits: int) -> dict[str, str]:
    return {
        "net": minor_str(price.net, digits),
        "tax": minor_str(price.tax, digits),
        "gross": minor_str(price.gross, digits),
    }


def unit_price_dict(line: PricedLine | None, ctx: PricingContext) -> dict[str, Any] | None:
    """The price object of a line's unit: `{net, tax, gross, currency, rule, tax_rate,
    undiscounted}`; `undiscounted` is the unit price before promotions when one lowered
    it (to show struck through), else null."""
    if line is None or line.unit is None:
        return None
    return {
        **amounts_dict(line.unit, ctx.digits),
        "currency": ctx.currency,
        "rule": line.rule,
        "tax_rate": str(rate_percent(line.tax_rate)),
        "undiscounted": None
        if line.undiscounted_unit is None
        else amounts_dict(line.undiscounted_unit, ctx.digits),
    }


def total_price_dict(line: PricedLine, ctx: PricingContext) -> dict[str, Any] | None:
    if line.total is None:
        return None
    return {**amounts_dict(line.total, ctx.digits), "currency": ctx.currency, "rule": line.rule}


def quantity_rule_dict(rule: QuantityRule) -> dict[str, int | None]:
    return {"minimum": rule.minimum, "maximum": rule.maximum, "increment": rule.increment}


def tiers_list(price: VariantPrice | None, ctx: PricingContext) -> list[dict[str, Any]]:
    if price is None:
        return []
    return [
        {
            "min_quantity": tier.min_quantity,
            "price": {
                **amounts_dict(tier.unit, ctx.digits),
                "currency": ctx.currency,
                "rule": tier.rule,
            },
        }
        for tier in price.tiers
    ]
