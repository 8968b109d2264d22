"""The price engine's entry points for pages, the API, carts and quotes.

Each call builds an `Engine` for the context, loads the variants it needs in one query
(per chunk of 900), and prices in memory. A listing page costs no query at all for a
caller without price lists (its cards carry the base price "from", the category and the
tax class), and one for a buyer with a contract or group list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from comptoir.catalog.selectors.records import ProductCard, ProductDetail
from comptoir.core.money import to_minor
from comptoir.pricing.engine import Engine, PricingContext, VariantRow
from comptoir.pricing.records import PricedLine, VariantPrice
from comptoir.pricing.selectors.loader import rows_by_sku, rows_for_products


def price_lines(*, ctx: PricingContext, lines: Sequence[tuple[str, int]]) -> list[PricedLine]:
    """Prices of (sku, quantity) lines, in order. Lines that cannot be priced carry a
    `problem` (UNKNOWN_SKU, NOT_FOR_SALE, QUANTITY_RULE) for the caller to report."""
    rows = rows_by_sku(ctx, (sku for sku, _quantity in lines))
    engine = Engine(ctx)
    return [engine.price(rows.get(sku), quantity, sku=sku) for sku, quantity in lines]


def price_rows(
    *, ctx: PricingContext, rows: Iterable[tuple[VariantRow | None, int]]
) -> list[PricedLine]:
    """Prices of already loaded rows (the batch form: load once, price many times)."""
    engine = Engine(ctx)
    return [engine.price(row, quantity) for row, quantity in rows]


def _lowest(lines: Iterable[PricedLine], gross: bool) -> PricedLine | None:
    best: PricedLine | None = None
    for line in lines:
        if line.unit is None or line.problem == "NOT_FOR_SALE":
            continue
        if best is None or line.unit.shown(gross) < best.unit.shown(gross):  # type: ignore[union-attr]
            best = line
    return best


def _card_row(card: ProductCard) -> VariantRow | None:
    if card.price is None:
        return None
    return VariantRow(
        variant_id=0,
        sku="",
        product_id=card.id,
        category_id=card.category_id,
        tax_class_id=card.tax_class_id,
        for_sale=True,
        base=to_minor(card.price.amount, card.price.currency),
    )


def price_cards(*, ctx: PricingContext, cards: Sequence[ProductCard]) -> dict[int, PricedLine]:
    """The "from" price of each card for the caller: its lowest variant unit price at the
    variant's minimum quantity, by product id (cards without a price are left out)."""
    engine = Engine(ctx)
    found: dict[int, PricedLine] = {}
    if not ctx.list_ids:
        for card in cards:
            row = _card_row(card)
            if row is not None:
                found[card.id] = engine.price(row, 1)
        return found
    by_product: dict[int, list[VariantRow]] = {}
    facts = {card.id: (card.category_id, card.tax_class_id) for card in cards}
    for row in rows_for_products(ctx, facts, tiers=False, facts=facts):
        by_product.setdefault(row.product_id, []).append(row)
    for product_id, rows in by_product.items():
        cheapest = engine.cheapest(rows)
        if cheapest is not None:
            row, quantity = cheapest
            found[product_id] = engine.price(row, quantity)
    return found


def price_product(
    *, ctx: PricingContext, product: ProductDetail
) -> tuple[PricedLine | None, dict[int, VariantPrice]]:
    """The "from" price of a product and each variant's price with its tiers."""
    engine = Engine(ctx)
    if ctx.list_ids:
        rows = rows_for_products(ctx, [product.id])
    else:
        rows = [
            VariantRow(
                variant_id=v.id,
                sku=v.sku,
                product_id=product.id,
                category_id=product.category.id,
                tax_class_id=product.tax_class_id,
                for_sale=True,
                base=None if v.price is None else to_minor(v.price.amount, v.price.currency),
            )
            for v in product.variants
        ]
    prices = {row.variant_id: engine.variant_price(row) for row in rows}
    return _lowest((p.line for p in prices.values()), ctx.display_gross), prices
