"""Expand the family tables into product specs (pure Python, no database): names,
sanitised descriptions, SKUs, valid EAN-13 codes, weights, dimensions and prices."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from itertools import zip_longest
from typing import Any

from django.utils.text import slugify
from stdnum import ean

from comptoir.catalog.demo import home, workshop
from comptoir.catalog.demo.reference import CATEGORIES, TRADE_DISCOUNT, VAT_RATE
from comptoir.catalog.demo.spec import Family, Model, VariantOption
from comptoir.core.html import sanitize_html
from comptoir.core.money import quantize

FAMILIES: tuple[Family, ...] = home.FAMILIES + workshop.FAMILIES
EAN_PREFIX = "3760123"  # GS1 France range, a made-up company number
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class VariantSpec:
    sku: str
    gtin: str
    name: str
    name_en: str
    position: int
    gross: Decimal | None  # Boutique France, tax included (None: not sold there)
    net: Decimal  # Comptoir Pro, tax excluded
    weight_grams: int
    dims: tuple[int, int, int]
    attrs: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProductSpec:
    ref: str  # external_ref, the idempotency key
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str
    category: str
    top_category: str
    type: str
    brand: str
    attrs: dict[str, Any]
    variants: tuple[VariantSpec, ...]
    document: str
    model_3d: bool
    family: str


def consumer_price(value: Decimal) -> Decimal:
    """Round a computed shelf price the way shops do: 28.98 -> 28.90, 6.37 -> 6.39."""
    if value >= 10:
        return value.to_integral_value(rounding=ROUND_FLOOR) + Decimal("0.90")
    tenths = (value * 10).to_integral_value(rounding=ROUND_HALF_UP) / 10
    return max(tenths - CENT, Decimal("0.49"))


def pro_price(gross: Decimal) -> Decimal:
    """The Pro channel's tax-excluded price: without VAT, less the trade discount."""
    return quantize(gross / (1 + VAT_RATE) * (1 - TRADE_DISCOUNT), "EUR")


def gtin_for(index: int) -> str:
    body = f"{EAN_PREFIX}{index:05d}"
    return body + ean.calc_check_digit(body)


def _description(intro: str, name: str, points: tuple[str, ...]) -> str:
    items = "".join(f"<li>{html.escape(point)}</li>" for point in points)
    return sanitize_html(f"<p>{html.escape(intro.format(name))}</p><ul>{items}</ul>")


def _top_categories() -> dict[str, str]:
    return {child.slug: top.slug for top in CATEGORIES for child in top.children}


def _variant_specs(
    family: Family, model: Model, model_index: int, first_index: int
) -> tuple[VariantSpec, ...]:
    options = family.variants or (VariantOption("", ""),)
    base = Decimal(model.price)
    scale = model.weight ** (1 / 3)
    dims = (
        round(family.dims[0] * scale),
        round(family.dims[1] * scale),
        round(family.dims[2] * scale),
    )
    specs = []
    for position, option in enumerate(options):
        factor = Decimal(option.factor)
        gross = base if factor == 1 else consumer_price(base * factor)
        specs.append(
            VariantSpec(
                sku=f"{family.code}-{model_index + 1:02d}{position + 1:02d}",
                gtin=gtin_for(first_index + position),
                name=option.fr,
                name_en=option.en,
                position=position,
                gross=None if option.pro_only else gross,
                net=pro_price(gross),
                weight_grams=max(1, round(family.weight * model.weight * option.weight)),
                dims=dims,
                attrs={k: val for k, val in option.attrs.items() if val is not None},
            )
        )
    return tuple(specs)


@cache
def catalog() -> tuple[ProductSpec, ...]:
    """Every demo product, in table order (SKUs and EANs depend only on the tables)."""
    tops = _top_categories()
    products: list[ProductSpec] = []
    variant_index = 1
    for family in FAMILIES:
        for model_index, model in enumerate(family.models):
            name = family.fr.format(model.fr)
            name_en = family.en.format(model.en)
            variants = _variant_specs(family, model, model_index, variant_index)
            variant_index += len(variants)
            slug = slugify(name)[:150]
            attrs = {
                k: val for k, val in {**family.attrs, **model.attrs}.items() if val is not None
            }
            products.append(
                ProductSpec(
                    ref=f"demo:{slug}",
                    slug=slug,
                    name=name,
                    name_en=name_en,
                    description=_description(family.intro_fr, name, family.points_fr),
                    description_en=_description(family.intro_en, name_en, family.points_en),
                    category=family.category,
                    top_category=tops[family.category],
                    type=family.type,
                    brand=family.brand,
                    attrs=attrs,
                    variants=variants,
                    document=family.document,
                    model_3d=model.model_3d,
                    family=family.code,
                )
            )
    return tuple(products)


def _round_robin[T](groups: list[list[T]]) -> list[T]:
    return [item for row in zip_longest(*groups) for item in row if item is not None]


def selection(limit: int | None = None) -> list[ProductSpec]:
    """The first `limit` products in an order that visits every top category, then every
    family within it, in turn, so that a small demo still shows the whole store."""
    by_top: dict[str, dict[str, list[ProductSpec]]] = defaultdict(lambda: defaultdict(list))
    for spec in catalog():
        by_top[spec.top_category][spec.family].append(spec)
    ordered = _round_robin([_round_robin(list(families.values())) for families in by_top.values()])
    return ordered if limit is None else ordered[:limit]
