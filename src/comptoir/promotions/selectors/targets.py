"""What promotions apply to, read for many promotions at once in a constant number of
queries: their channels, customer groups, and the products and categories they target
(products of their active collections included, categories with their subcategories).
Shared by the catalog promotions (active) and the cart promotions (cart)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import CharField, Value

from comptoir.catalog.models import Category, Collection
from comptoir.promotions.models import Promotion


@dataclass(frozen=True, slots=True)
class Targets:
    # Empty: every channel / every customer (grouped or not).
    channel_ids: frozenset[int]
    group_ids: frozenset[int]
    # None: the whole catalog (`applies_to_all`). Otherwise targeted product ids (direct or
    # through an active collection) and category ids (subcategories included).
    product_ids: frozenset[int] | None
    category_ids: frozenset[int]


def _descendants(category_ids: set[int], parents: Mapping[int, int | None]) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found = set(category_ids)
    stack = list(category_ids)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


# The five target tables of a promotion, read in one UNION ALL statement.
_TARGET_TABLES = (
    ("channels", Promotion.channels.through, "channel_id"),
    ("customer_groups", Promotion.customer_groups.through, "customergroup_id"),
    ("products", Promotion.products.through, "product_id"),
    ("categories", Promotion.categories.through, "category_id"),
    ("collections", Promotion.collections.through, "collection_id"),
)


def _pairs(ids: list[int]) -> dict[str, dict[int, set[int]]]:
    """{table: {promotion id: {target ids}}} for the promotions `ids`, in one query."""
    queries = [
        through.objects.filter(promotion_id__in=ids)
        .annotate(kind=Value(name, output_field=CharField()))
        .values_list("kind", "promotion_id", field)
        for name, through, field in _TARGET_TABLES
    ]
    found: dict[str, dict[int, set[int]]] = {name: {} for name, _through, _field in _TARGET_TABLES}
    for kind, promotion_id, target in queries[0].union(*queries[1:], all=True):
        found[kind].setdefault(promotion_id, set()).add(target)
    return found


def promotion_targets(promotions: Sequence[Promotion]) -> dict[int, Targets]:
    """The targets of each of `promotions`, by promotion id."""
    ids = [p.pk for p in promotions]
    if not ids:
        return {}
    pairs = _pairs(ids)
    channels, groups = pairs["channels"], pairs["customer_groups"]
    products, categories = pairs["products"], pairs["categories"]
    collections = pairs["collections"]
    collection_products: dict[int, set[int]] = {}
    wanted = set().union(*collections.values()) if collections else set()
    if wanted:
        for collection_id, product_id in Collection.products.through.objects.filter(
            collection_id__in=wanted, collection__is_active=True
        ).values_list("collection_id", "product_id"):
            collection_products.setdefault(collection_id, set()).add(product_id)
    parents = dict(Category.objects.values_list("id", "parent_id")) if categories else {}

    found: dict[int, Targets] = {}
    for p in promotions:
        product_ids: set[int] = set(products.get(p.pk, ()))
        for collection_id in collections.get(p.pk, ()):
            product_ids |= collection_products.get(collection_id, set())
        found[p.pk] = Targets(
            channel_ids=frozenset(channels.get(p.pk, ())),
            group_ids=frozenset(groups.get(p.pk, ())),
            product_ids=None if p.applies_to_all else frozenset(product_ids),
            category_ids=frozenset(_descendants(categories.get(p.pk, set()), parents)),
        )
    return found
