"""Facets of a product listing: for each filterable choice or yes/no attribute, its values
with how many of the listed products have them, and the range of their prices.

Counts are over the listing as filtered (category, search answer, attribute filters, price
range and subsets such as "in stock"): what a shopper would get by ticking one more value.
Subsets defined by other apps (in stock, rated four stars and up) are counted too, each over
the listing without its own group's choice, so that a shopper can switch between "4 stars
and up" and "3 stars and up". Four queries (the price bounds with the subset counts, product
values, variant values, the names), kept in the cache for a minute per listing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    Attribute,
    AttributeKind,
    ProductAttributeValue,
    ProductChannelListing,
    VariantAttributeValue,
)
from comptoir.catalog.selectors.records import BASE_LANGUAGE, ProductSubset


@dataclass(frozen=True, slots=True)
class FacetValue:
    # What the `attr` filter takes after "slug:" (a choice slug, "true" or "false").
    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facet:
    slug: str
    name: str
    kind: str
    values: list[FacetValue]


@dataclass(frozen=True, slots=True)
class Facets:
    attributes: list[Facet]
    price_min: Decimal | None
    price_max: Decimal | None
    # ProductSubset.key -> how many of the listed products are in it.
    subset_counts: dict[str, int] = field(default_factory=dict)


def _counts(
    product_ids: QuerySet[Any],
) -> dict[tuple[int, int | None, bool | None], int]:
    """Products per (attribute, choice, yes/no) among `product_ids`, on the products and on
    their variants."""
    kinds = (AttributeKind.CHOICE, AttributeKind.BOOLEAN)
    counts: dict[tuple[int, int | None, bool | None], int] = defaultdict(int)
    on_products = (
        ProductAttributeValue.objects.filter(
            product_id__in=product_ids, attribute__filterable=True, attribute__kind__in=kinds
        )
        .values("attribute_id", "choice_id", "value_boolean")
        .annotate(n=Count("product_id", distinct=True))
        .order_by()
    )
    for row in on_products:
        counts[(row["attribute_id"], row["choice_id"], row["value_boolean"])] += row["n"]
    on_variants = (
        VariantAttributeValue.objects.filter(
            variant__product_id__in=product_ids,
            attribute__filterable=True,
            attribute__kind__in=kinds,
        )
        .values("attribute_id", "choice_id", "value_boolean")
        .annotate(n=Count("variant__product_id", distinct=True))
        .order_by()
    )
    for row in on_variants:
        counts[(row["attribute_id"], row["choice_id"], row["value_boolean"])] += row["n"]
    return counts


def _facets(counts: dict[tuple[int, int | None, bool | None], int], language: str) -> list[Facet]:
    if not counts:
        return []
    attribute_ids = {key[0] for key in counts}
    english = language != BASE_LANGUAGE
    rows = Attribute.objects.filter(pk__in=attribute_ids).values(
        "id",
        "slug",
        "name",
        "kind",
        "choices__id",
        "choices__slug",
        "choices__value",
        "choices__value_en",
        "choices__position",
    )
    if english:
        rows = rows.annotate(
            tr_name=Min("translations__name", filter=Q(translations__language=language))
        )
    attributes: dict[int, dict[str, Any]] = {}
    for row in rows:
        attribute = attributes.setdefault(
            row["id"],
            {
                "slug": row["slug"],
                "name": (row.get("tr_name") if english else None) or row["name"],
                "kind": row["kind"],
                "choices": {},
            },
        )
        if row["choices__id"] is not None:
            label = (row["choices__value_en"] if english else "") or row["choices__value"]
            attribute["choices"][row["choices__id"]] = (
                row["choices__position"],
                row["choices__slug"],
                label,
            )
    facets = []
    for attribute_id, attribute in sorted(attributes.items(), key=lambda a: a[1]["name"]):
        values: list[tuple[Any, FacetValue]] = []
        for (aid, choice_id, flag), count in counts.items():
            if aid != attribute_id:
                continue
            if attribute["kind"] == AttributeKind.CHOICE and choice_id in attribute["choices"]:
                position, slug, label = attribute["choices"][choice_id]
                values.append(((position, label), FacetValue(slug, label, count)))
            elif attribute["kind"] == AttributeKind.BOOLEAN and flag is not None:
                value = FacetValue(
                    "true" if flag else "false", _("Yes") if flag else _("No"), count
                )
                values.append(((0 if flag else 1, ""), value))
        if values:
            facets.append(
                Facet(
                    slug=attribute["slug"],
                    name=attribute["name"],
                    kind=attribute["kind"],
                    values=[value for _key, value in sorted(values, key=lambda v: v[0])],
                )
            )
    return facets


def _in(subsets: Sequence[ProductSubset]) -> Q:
    condition = Q()
    for subset in subsets:
        condition &= Q(product_id__in=subset.product_ids)
    return condition


def listing_facets(
    *,
    listings: QuerySet[ProductChannelListing],
    language: str,
    key: Sequence[Any],
    subsets: Sequence[ProductSubset] = (),
    counted: Sequence[ProductSubset] = (),
) -> Facets:
    """The facets of `listings` (published listings, filtered as the page lists them) kept to
    the chosen `subsets`, with how many products each of the `counted` subsets holds. `key`
    says what the listing is, for the cache."""
    seconds = getattr(settings, "COMPTOIR_CATALOG_COUNT_CACHE_SECONDS", 60)
    keys = (
        tuple((s.group, s.key) for s in subsets),
        tuple((s.group, s.key) for s in counted),
    )
    cache_key = (
        "catalog:facets:" + hashlib.sha256(repr((tuple(key), keys, language)).encode()).hexdigest()
    )
    if seconds > 0:
        cached = cache.get(cache_key)
        if isinstance(cached, Facets):
            return cached
    chosen = _in(subsets)
    # One statement: the price bounds of the listing as chosen, and each counted subset
    # over the listing as chosen except in the subset's own group.
    aggregates: dict[str, Any] = {
        "low": Min("price_from", filter=chosen) if subsets else Min("price_from"),
        "high": Max("price_from", filter=chosen) if subsets else Max("price_from"),
    }
    for index, subset in enumerate(counted):
        others = _in([s for s in subsets if s.group != subset.group])
        aggregates[f"subset_{index}"] = Count(
            "pk", filter=others & Q(product_id__in=subset.product_ids)
        )
    row = listings.aggregate(**aggregates)
    product_ids = listings.filter(chosen).values("product_id")
    facets = Facets(
        attributes=_facets(_counts(product_ids), language),
        price_min=row["low"],
        price_max=row["high"],
        subset_counts={s.key: row[f"subset_{i}"] for i, s in enumerate(counted)},
    )
    if seconds > 0:
        cache.set(cache_key, facets, seconds)
    return facets
