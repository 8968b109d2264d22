"""Loads what the engine needs of variants: one query per chunk of variants, whatever the
number of price lists, entries and tiers.

The statement reads the variant, its product's category and tax class, its publication
and base price in the channel, and the entries (with their tiers) of the caller's price
lists, with amounts already in minor units. It is plain SQL that runs the same on SQLite
and PostgreSQL: the engine's target is tens of thousands of lines per second, and building
model instances (or ORM rows) for them would cost more than pricing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection

from comptoir.catalog.models import (
    Product,
    ProductChannelListing,
    ProductType,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.core.text import text_storable
from comptoir.pricing.engine import EntryData, PricingContext, VariantRow
from comptoir.pricing.models import PriceListEntry, PriceTier
from comptoir.pricing.records import QuantityRule

# Below SQLite's and PostgreSQL's limits on bound parameters, with room for the others.
CHUNK = 900

_T = {
    "variant": ProductVariant._meta.db_table,
    "product": Product._meta.db_table,
    "type": ProductType._meta.db_table,
    "listing": ProductChannelListing._meta.db_table,
    "price": VariantChannelPrice._meta.db_table,
    "entry": PriceListEntry._meta.db_table,
    "tier": PriceTier._meta.db_table,
}


def _statement(
    key: str, n_keys: int, n_lists: int, *, tiers: bool = True, published: bool = False
) -> str:
    keys = ", ".join(["%s"] * n_keys)
    if n_lists:
        lists = ", ".join(["%s"] * n_lists)
        entry_columns = (
            "e.price_list_id, ROUND(e.unit_price * %s), e.min_quantity, e.max_quantity, "
            "e.increment, "
            + ("t.min_quantity, ROUND(t.unit_price * %s)" if tiers else "NULL, NULL")
        )
        entry_joins = (
            f"LEFT JOIN {_T['entry']} e ON e.variant_id = v.id AND e.price_list_id IN ({lists}) "
        )
        if tiers:
            entry_joins += f"LEFT JOIN {_T['tier']} t ON t.entry_id = e.id "
    else:
        entry_columns = "NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        entry_joins = ""
    if published:
        # Listing cards: their products are published, and the cards carry their category
        # and tax class; only the variants, prices and lists are read.
        return (
            "SELECT v.id, v.sku, v.product_id, NULL, NULL, 1, "
            f"ROUND(cp.amount * %s), {entry_columns} "
            f"FROM {_T['variant']} v "
            f"LEFT JOIN {_T['price']} cp ON cp.variant_id = v.id AND cp.channel_id = %s "
            f"{entry_joins}"
            f"WHERE v.{key} IN ({keys})"
        )
    # Only table names from the models' metadata and placeholders are interpolated.
    return (
        "SELECT v.id, v.sku, v.product_id, p.category_id, "
        "COALESCE(p.tax_class_id, pt.tax_class_id), "
        "CASE WHEN l.is_published AND (l.published_at IS NULL OR l.published_at <= %s) "
        "THEN 1 ELSE 0 END, "
        f"ROUND(cp.amount * %s), {entry_columns} "
        f"FROM {_T['variant']} v "
        f"JOIN {_T['product']} p ON p.id = v.product_id "
        f"JOIN {_T['type']} pt ON pt.id = p.product_type_id "
        f"LEFT JOIN {_T['listing']} l ON l.product_id = v.product_id AND l.channel_id = %s "
        f"LEFT JOIN {_T['price']} cp ON cp.variant_id = v.id AND cp.channel_id = %s "
        f"{entry_joins}"
        f"WHERE v.{key} IN ({keys})"
    )


def _load(
    ctx: PricingContext,
    key: str,
    values: Sequence[object],
    *,
    tiers: bool = True,
    facts: Mapping[int, tuple[int, int | None]] | None = None,
) -> dict[int, VariantRow]:
    """Rows of the variants whose `key` is in `values`. With `facts` ({product id:
    (category id, tax class id)}, for published products only), the products, their types
    and publication are not read again."""
    scale = 10**ctx.digits
    lists = ctx.list_ids
    rows: dict[int, VariantRow] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            chunk = list(values[start : start + CHUNK])
            params: list[Any] = []
            if facts is None:
                params.append(connection.ops.adapt_datetimefield_value(ctx.now))
            params.append(scale)
            if lists:
                params += [scale, scale] if tiers else [scale]
            params += [ctx.channel_id] if facts is not None else [ctx.channel_id] * 2
            params += list(lists)
            params += chunk
            cursor.execute(
                _statement(key, len(chunk), len(lists), tiers=tiers, published=facts is not None),
                params,
            )
            for (
                variant_id,
                sku,
                product_id,
                category_read,
                tax_class_read,
                for_sale,
                base,
                list_id,
                unit,
                min_q,
                max_q,
                increment,
                tier_q,
                tier_unit,
            ) in cursor.fetchall():
                row = rows.get(variant_id)
                if row is None:
                    category_id, tax_class_id = (
                        (category_read, tax_class_read) if facts is None else facts[product_id]
                    )
                    row = rows[variant_id] = VariantRow(
                        variant_id=variant_id,
                        sku=sku,
                        product_id=product_id,
                        category_id=category_id,
                        tax_class_id=tax_class_id,
                        for_sale=bool(for_sale),
                        base=None if base is None else int(base),
                    )
                if list_id is None:
                    continue
                entry = row.entries.get(list_id)
                if entry is None:
                    entry = row.entries[list_id] = EntryData(
                        unit=int(unit),
                        rule=QuantityRule(minimum=min_q, maximum=max_q, increment=increment),
                    )
                if tier_q is not None:
                    row.entries[list_id] = EntryData(
                        unit=entry.unit,
                        rule=entry.rule,
                        tiers=tuple(sorted((*entry.tiers, (tier_q, int(tier_unit))), reverse=True)),
                    )
    return rows


def rows_by_sku(ctx: PricingContext, skus: Iterable[str]) -> dict[str, VariantRow]:
    # No SKU holds a NUL character or a lone surrogate (PostgreSQL refuses them in a
    # parameter): such a SKU is unknown, never a database error.
    wanted = sorted({sku for sku in skus if text_storable(sku)})
    return {row.sku: row for row in _load(ctx, "sku", wanted).values()}


def rows_for_products(
    ctx: PricingContext,
    product_ids: Iterable[int],
    *,
    tiers: bool = True,
    facts: Mapping[int, tuple[int, int | None]] | None = None,
) -> list[VariantRow]:
    """The variants of these products. `tiers=False` reads no volume tiers: enough to price
    each entry at its minimum quantity (listing cards), since a tier always starts above
    it (`entry_check`); `facts` gives
    the (category id, tax class id) of published products, read with them already."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return []
    rows = _load(ctx, "product_id", wanted, tiers=tiers, facts=facts)
    return sorted(rows.values(), key=lambda r: r.variant_id)
