"""Table types of the demo catalog: a Family yields one product per Model, each product
with one variant per VariantOption (or a single variant when there are none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Model:
    fr: str
    en: str
    price: str  # consumer price, tax included, of the first variant
    attrs: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    model_3d: bool = False


@dataclass(frozen=True, slots=True)
class VariantOption:
    fr: str
    en: str
    factor: str = "1"  # price multiplier
    attrs: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    pro_only: bool = False  # bulk packs sold in the Pro channel only


@dataclass(frozen=True, slots=True)
class Family:
    code: str  # SKU prefix
    category: str  # subcategory slug
    type: str  # product type slug
    fr: str  # name pattern, "{}" is the model
    en: str
    brand: str
    intro_fr: str  # "{}" is the product name
    intro_en: str
    points_fr: tuple[str, ...]
    points_en: tuple[str, ...]
    weight: int  # grams
    dims: tuple[int, int, int]  # length, width, height in mm
    models: tuple[Model, ...]
    variants: tuple[VariantOption, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    document: str = ""  # DocumentKind for professional items


def m(
    fr: str, en: str, price: str, *, w: float = 1.0, model_3d: bool = False, **attrs: Any
) -> Model:
    """A model; attribute keyword names use "_" for the slug's "-"."""
    return Model(fr, en, price, _attrs(attrs), w, model_3d)


def v(
    fr: str, en: str, factor: str = "1", *, w: float = 1.0, pro_only: bool = False, **attrs: Any
) -> VariantOption:
    return VariantOption(fr, en, factor, _attrs(attrs), w, pro_only)


def _attrs(values: dict[str, Any]) -> dict[str, Any]:
    return {key.replace("_", "-"): value for key, value in values.items()}
