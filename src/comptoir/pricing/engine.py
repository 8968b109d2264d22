"""The price engine: pure computation over data loaded beforehand (no database here).

Resolution of a unit price, for a variant, a quantity and a `PricingContext`:

1. the entry that applies: the company's contract price list if it prices the variant,
   else the customer group's list if it does, else the channel base price;
2. its quantity rule (minimum, maximum, "sold by"), checked against the quantity;
3. the volume tier of that entry for the quantity: the one with the highest "from
   quantity" not above it;
4. catalog promotions, unless the list says "net price, no promotions": walked by priority
   (highest first); an exclusive promotion applies alone and only when it is the first
   that applies; cumulative ones apply one after the other, each on the price the
   previous one left;
5. taxes: the amounts of one unit and of the line (unit x quantity, rounded once, half-up
   at the minor unit), under the context's tax treatment (see `comptoir.taxes.calc`).

The rule that set the final unit price is returned (`base`, `price_list:<code>`,
`tier:<min_qty>`, `promotion:<code>`), with every step, so that a buyer and a support
agent can see why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from comptoir.catalog.selectors.shared import CatalogRestriction
from comptoir.core.money import to_minor
from comptoir.pricing.records import (
    DEFAULT_RULE,
    Price,
    PricedLine,
    QuantityRule,
    Step,
    TierPrice,
    VariantPrice,
)
from comptoir.promotions.selectors.active import CatalogPromotion
from comptoir.taxes.calc import RATE_SCALE, amounts, div_half_up, rate_units
from comptoir.taxes.rules import Treatment, vat_area
from comptoir.taxes.selectors import RateTable


@dataclass(frozen=True, slots=True)
class ListRef:
    id: int
    code: str
    allows_promotions: bool


@dataclass(frozen=True, slots=True)
class EntryData:
    """A price list entry, in minor units, tiers sorted by descending quantity."""

    unit: int
    rule: QuantityRule
    tiers: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class VariantRow:
    """What the engine needs of one variant, loaded by `pricing.selectors.loader`."""

    variant_id: int
    sku: str
    product_id: int
    category_id: int
    tax_class_id: int | None
    for_sale: bool
    base: int | None
    entries: dict[int, EntryData] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Who buys, where, in which channel: everything resolution depends on but the lines."""

    channel_id: int
    currency: str
    digits: int
    # Prices of the channel (base and lists) are entered tax-included.
    entered_gross: bool
    # The channel shows tax-included prices (B2C) or tax-excluded ones (B2B).
    display_gross: bool
    # The country the channel's tax-included prices are entered for.
    entry_country: str
    destination_country: str
    # Whose VAT applies to a domestic sale.
    seller_country: str
    treatment: Treatment
    rates: RateTable
    promotions: tuple[CatalogPromotion, ...]
    now: datetime
    user_id: int | None = None
    company_id: int | None = None
    customer_group_id: int | None = None
    contract: ListRef | None = None
    group: ListRef | None = None
    # The company's shared catalogs (None: the public catalog): a product outside them is
    # NOT_FOR_SALE to this buyer.
    restriction: CatalogRestriction | None = None

    @property
    def list_ids(self) -> tuple[int, ...]:
        return tuple(ref.id for ref in (self.contract, self.group) if ref is not None)


class Engine:
    """Prices lines for one context. Caches what repeats across lines (rates per tax
    class, the promotions of a product), so build one per request or batch."""

    def __init__(self, ctx: PricingContext) -> None:
        self.ctx = ctx
        self._rates: dict[int | None, tuple[int, int]] = {}
        self._promotions: dict[int, tuple[CatalogPromotion, ...]] = {}
        self._promotion_values: dict[int, int] = {}
        for promotion in ctx.promotions:
            if promotion.percentage:
                self._promotion_values[promotion.id] = rate_units(promotion.value)
            elif promotion.currency == ctx.currency:
                self._promotion_values[promotion.id] = to_minor(promotion.value, ctx.currency)

    # -- taxes ---------------------------------------------------------------------------

    def rates(self, tax_class_id: int | None) -> tuple[int, int]:
        """(rate the price was entered at, rate of this sale) for a tax class."""
        found = self._rates.get(tax_class_id)
        if found is None:
            ctx = self.ctx
            entry = ctx.rates.rate(ctx.entry_country, tax_class_id) or 0
            sale = 0
            if not ctx.treatment.zero_rated:
                country = (
                    ctx.destination_country
                    if ctx.treatment is Treatment.DESTINATION
                    else ctx.seller_country
                )
                rate = ctx.rates.rate(vat_area(country), tax_class_id)
                # A country without rates (staff removed them): the rate prices were
                # entered at, rather than no VAT at all.
                sale = entry if rate is None else rate
            found = self._rates[tax_class_id] = (entry, sale)
        return found

    def taxed(self, entered: int, tax_class_id: int | None, quantity: int = 1) -> Price:
        entry, sale = self.rates(tax_class_id)
        net, tax, gross = amounts(
            entered,
            entered_gross=self.ctx.entered_gross,
            entry_rate=entry,
            rate=sale,
            quantity=quantity,
        )
        return Price(net, tax, gross)

    # -- promotions ----------------------------------------------------------------------

    def promotions_for(self, product_id: int, category_id: int) -> tuple[CatalogPromotion, ...]:
        """The promotions that apply to a product, after stacking rules."""
        found = self._promotions.get(product_id)
        if found is None:
            chosen: list[CatalogPromotion] = []
            for promotion in self.ctx.promotions:
                if promotion.id not in self._promotion_values or not promotion.applies_to(
                    product_id, category_id
                ):
                    continue
                if promotion.exclusive:
                    if not chosen:
                        chosen.append(promotion)
                        break
                    continue
                chosen.append(promotion)
            found = self._promotions[product_id] = tuple(chosen)
        return found

    def discounted(self, amount: int, promotions: Sequence[CatalogPromotion]) -> int:
        for promotion in promotions:
            value = self._promotion_values[promotion.id]
            if promotion.percentage:
                amount -= div_half_up(amount * value, RATE_SCALE)
            else:
                amount -= value
            if amount <= 0:
                return 0
        return amount

    # -- resolution ----------------------------------------------------------------------

    def entry_for(self, row: VariantRow) -> tuple[EntryData | None, ListRef | None]:
        ctx = self.ctx
        if row.entries:
            for ref in (ctx.contract, ctx.group):
                if ref is not None:
                    entry = row.entries.get(ref.id)
                    if entry is not None:
                        return entry, ref
        return None, None

    def price(self, row: VariantRow | None, quantity: int, *, sku: str = "") -> PricedLine:
        """The unit and line price of `quantity` units of a variant."""
        if row is None:
            return _unpriced(sku, quantity, None, None, "UNKNOWN_SKU")
        restriction = self.ctx.restriction
        if restriction is not None and not restriction.allows(row.product_id, row.category_id):
            return _unpriced(row.sku, quantity, row.variant_id, row.product_id, "NOT_FOR_SALE")
        entry, ref = self.entry_for(row)
        if entry is None:
            if not row.for_sale or row.base is None:
                return _unpriced(row.sku, quantity, row.variant_id, row.product_id, "NOT_FOR_SALE")
            amount = row.base
            rule = "base"
            steps = [Step(rule, amount)]
            quantity_rule = DEFAULT_RULE
            allows_promotions = True
        else:
            if not row.for_sale:
                return _unpriced(row.sku, quantity, row.variant_id, row.product_id, "NOT_FOR_SALE")
            amount = entry.unit
            rule = f"price_list:{ref.code}"  # type: ignore[union-attr]
            steps = [Step(rule, amount)]
            quantity_rule = entry.rule
            allows_promotions = ref.allows_promotions  # type: ignore[union-attr]
            for min_quantity, tier_amount in entry.tiers:
                if min_quantity <= quantity:
                    amount = tier_amount
                    rule = f"tier:{min_quantity}"
                    steps.append(Step(rule, amount))
                    break
        undiscounted: Price | None = None
        if allows_promotions and self.ctx.promotions:
            promotions = self.promotions_for(row.product_id, row.category_id)
            if promotions:
                before = amount
                for promotion in promotions:
                    amount = self.discounted(amount, (promotion,))
                    rule = f"promotion:{promotion.code}"
                    steps.append(Step(rule, amount))
                if amount != before:
                    undiscounted = self.taxed(before, row.tax_class_id)
        unit = self.taxed(amount, row.tax_class_id)
        total = self.taxed(amount, row.tax_class_id, quantity) if quantity != 1 else unit
        return PricedLine(
            sku=row.sku,
            quantity=quantity,
            variant_id=row.variant_id,
            product_id=row.product_id,
            unit=unit,
            total=total,
            undiscounted_unit=undiscounted,
            rule=rule,
            steps=tuple(steps),
            tax_rate=self.rates(row.tax_class_id)[1],
            quantity_rule=quantity_rule,
            problem=None if quantity_rule.allows(quantity) else "QUANTITY_RULE",
        )

    def cheapest(self, rows: Sequence[VariantRow]) -> tuple[VariantRow, int] | None:
        """The variant of one product with the lowest unit price at its minimum quantity,
        and that quantity, without building a priced line for every variant: the variants
        of a product share its tax class, so the lowest amount before tax is the lowest
        shown price. None when no variant is for sale."""
        best: tuple[int, VariantRow, int] | None = None
        for row in rows:
            if not row.for_sale:
                continue
            entry, ref = self.entry_for(row)
            if entry is None:
                if row.base is None:
                    continue
                amount, quantity, allows = row.base, 1, True
            else:
                # A tier always starts above the entry's minimum (`entry_check`).
                quantity, amount = entry.rule.minimum, entry.unit
                allows = ref.allows_promotions  # type: ignore[union-attr]
            if allows and self.ctx.promotions:
                amount = self.discounted(
                    amount, self.promotions_for(row.product_id, row.category_id)
                )
            if best is None or amount < best[0]:
                best = (amount, row, quantity)
        return None if best is None else (best[1], best[2])

    def variant_price(self, row: VariantRow) -> VariantPrice:
        """The price at the variant's minimum quantity, and the unit price of each tier."""
        entry, _ref = self.entry_for(row)
        minimum = entry.rule.minimum if entry is not None else 1
        line = self.price(row, minimum)
        tiers: tuple[TierPrice, ...] = ()
        if entry is not None and line.problem is None:
            tiers = tuple(
                TierPrice(min_quantity=q, unit=priced.unit, rule=priced.rule)
                for q, _amount in sorted(entry.tiers)
                for priced in (self.price(row, q),)
                if priced.unit is not None
            )
        return VariantPrice(variant_id=row.variant_id, line=line, tiers=tiers)


def _unpriced(
    sku: str, quantity: int, variant_id: int | None, product_id: int | None, problem: str
) -> PricedLine:
    return PricedLine(
        sku=sku,
        quantity=quantity,
        variant_id=variant_id,
        product_id=product_id,
        unit=None,
        total=None,
        undiscounted_unit=None,
        rule="",
        steps=(),
        tax_rate=0,
        quantity_rule=DEFAULT_RULE,
        problem=problem,
    )
