"""The caller's prices as the storefront shows them: amounts from the price engine turned
into `Money` (gross on a tax-included channel, net on a tax-excluded one), with the price
before a promotion, volume tiers, quantity rules, the note on negotiated prices and the VAT
line of a zero-rated sale.

Built in the views, under the page's language; templates only format and lay them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import format_percent
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from comptoir.catalog.selectors import ProductCard, ProductDetail, VariantDetail
from comptoir.core.money import Money
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.records import (
    DEFAULT_RULE,
    Price,
    PricedLine,
    QuantityRule,
    VariantPrice,
    money,
)
from comptoir.pricing.selectors.prices import price_cards, price_product
from comptoir.taxes.rules import LEGAL_MENTIONS, Treatment


@dataclass(frozen=True, slots=True)
class ShownPrice:
    """One unit price as the page shows it; `was` is the price before a promotion lowered it
    (shown struck through)."""

    amount: Money
    includes_tax: bool
    was: Money | None = None


@dataclass(frozen=True, slots=True)
class PricedCard:
    card: ProductCard
    price: ShownPrice | None


@dataclass(frozen=True, slots=True)
class TierOffer:
    min_quantity: int
    price: ShownPrice


@dataclass(frozen=True, slots=True)
class VariantOffer:
    variant: VariantDetail
    price: ShownPrice | None
    tiers: list[TierOffer]
    # "Minimum 6, sold by 6" (empty for the default rule: any quantity from 1).
    quantity_rule: str
    # "Your contract price" for a company buyer's negotiated price, else empty.
    negotiated: str
    # The quantity rule's minimum and step (the add-to-cart form starts at the minimum).
    minimum: int = 1
    increment: int = 1


@dataclass(frozen=True, slots=True)
class ProductOffer:
    # The product's "from" price for the caller.
    price: ShownPrice | None
    variants: list[VariantOffer]
    currency: str
    includes_tax: bool
    # For a sale at 0 % VAT (reverse charge, export, exempt buyer): the VAT line and the
    # legal mention; empty otherwise.
    tax_line: str
    legal_mention: str


def _amount(price: Price, ctx: PricingContext) -> Money:
    return money(price.shown(ctx.display_gross), ctx.currency, ctx.digits)


def shown_price(line: PricedLine | None, ctx: PricingContext) -> ShownPrice | None:
    """The unit price of a line for the page, or None when it cannot be priced."""
    if line is None or line.unit is None:
        return None
    was = None
    if line.undiscounted_unit is not None:
        before = _amount(line.undiscounted_unit, ctx)
        now = _amount(line.unit, ctx)
        was = before if before.amount > now.amount else None
    return ShownPrice(amount=_amount(line.unit, ctx), includes_tax=ctx.display_gross, was=was)


def priced_cards(ctx: PricingContext | None, cards: Sequence[ProductCard]) -> list[PricedCard]:
    """Each card with the caller's "from" price (None: price on request)."""
    prices = price_cards(ctx=ctx, cards=cards) if ctx is not None and cards else {}
    return [
        PricedCard(card=card, price=shown_price(prices.get(card.id), ctx) if ctx else None)
        for card in cards
    ]


def quantity_rule_text(rule: QuantityRule) -> str:
    """A quantity rule for people ("Minimum 6, sold by 6, maximum 60"); empty for the
    default rule (any quantity from 1)."""
    parts = []
    if rule.minimum > 1:
        parts.append(pgettext("quantity rule", "minimum %(quantity)s") % {"quantity": rule.minimum})
    if rule.increment > 1:
        parts.append(
            pgettext("quantity rule", "sold by %(quantity)s") % {"quantity": rule.increment}
        )
    if rule.maximum is not None:
        parts.append(pgettext("quantity rule", "maximum %(quantity)s") % {"quantity": rule.maximum})
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def negotiated_note(line: PricedLine | None, ctx: PricingContext) -> str:
    """Says the price comes from the buyer's own contract or customer-group list.

    The list is the first step of the resolution (`price_list:<code>`, then maybe a tier and
    promotions); the context only ever holds the caller's own lists, and the note names none.
    """
    if line is None or not line.steps or ctx.company_id is None:
        return ""
    source = line.steps[0].rule
    if ctx.contract is not None and source == f"price_list:{ctx.contract.code}":
        return _("Your contract price")
    if ctx.group is not None and source == f"price_list:{ctx.group.code}":
        return _("Your negotiated price")
    return ""


# The VAT line of a sale at 0 %, under the price, next to the legal mention.
_TAX_LINES: dict[Treatment, Promise] = {
    Treatment.REVERSE_CHARGE: gettext_lazy("VAT %(rate)s: reverse charge"),
    Treatment.EXPORT: gettext_lazy("VAT %(rate)s: export outside the EU"),
    Treatment.EXEMPT: gettext_lazy("VAT %(rate)s: VAT-exempt customer"),
}


def tax_line(treatment: Treatment, *, locale: str) -> str:
    """The VAT line of a zero-rated treatment ("VAT 0 %: reverse charge"), else empty."""
    message = _TAX_LINES.get(treatment)
    return "" if message is None else str(message) % {"rate": format_percent(0, locale=locale)}


def _variant_offer(
    variant: VariantDetail, price: VariantPrice | None, ctx: PricingContext
) -> VariantOffer:
    line = price.line if price is not None else None
    shown = shown_price(line, ctx)
    tiers = [
        TierOffer(
            min_quantity=tier.min_quantity,
            price=ShownPrice(amount=_amount(tier.unit, ctx), includes_tax=ctx.display_gross),
        )
        for tier in (price.tiers if price is not None and shown is not None else ())
    ]
    rule = line.quantity_rule if line is not None and shown is not None else DEFAULT_RULE
    return VariantOffer(
        variant=variant,
        price=shown,
        tiers=tiers,
        quantity_rule=quantity_rule_text(rule),
        negotiated=negotiated_note(line, ctx) if shown is not None else "",
        minimum=rule.minimum,
        increment=rule.increment,
    )


def product_offer(ctx: PricingContext, product: ProductDetail, *, locale: str) -> ProductOffer:
    """The caller's prices of a product: its "from" price and every variant's offer. One
    query for a buyer with price lists (the product's variants), none for anyone else."""
    from_line, prices = price_product(ctx=ctx, product=product)
    mention = LEGAL_MENTIONS.get(ctx.treatment)
    return ProductOffer(
        price=shown_price(from_line, ctx),
        variants=[_variant_offer(v, prices.get(v.id), ctx) for v in product.variants],
        currency=ctx.currency,
        includes_tax=ctx.display_gross,
        tax_line=tax_line(ctx.treatment, locale=locale),
        legal_mention="" if mention is None else str(mention),
    )
