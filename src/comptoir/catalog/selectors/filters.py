"""Parsing and SQL of the product list filters: attributes (`slug:value`) and text search.

Search matches every word of the query, each in the name (base or translated), the brand or
a variant SKU. On PostgreSQL the comparison is accent- and case-insensitive through the
immutable `comptoir_unaccent()` function, backed by trigram GIN indexes (migration
0002_search_indexes); on SQLite it falls back to LIKE (case-insensitive for ASCII).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    Attribute,
    AttributeKind,
    Product,
    ProductAttributeValue,
    ProductTranslation,
    ProductVariant,
    VariantAttributeValue,
)
from comptoir.catalog.selectors.records import AttributeFilter
from comptoir.core.errors import InvalidInput

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 8
MIN_TERM_LENGTH = 3
MAX_ATTRIBUTE_FILTERS = 20
# value_number is DECIMAL(14, 4): anything beyond is out of range and not a real bound.
MAX_NUMBER = Decimal(10) ** 10
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _invalid(detail: str, field: str) -> InvalidInput:
    return InvalidInput(detail, code="INVALID_FILTER", errors={field: [detail]})


class Unaccent(Func):
    """Lower-cased, accent-free text on PostgreSQL; lower-cased text elsewhere."""

    function = "LOWER"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # The indexes are on comptoir_unaccent("col"); the expression must match exactly.
        return self.as_sql(compiler, connection, function="comptoir_unaccent", **extra_context)


class IdIn(Func):
    """`column IN (ids)` for a long list of ids (a search engine's answer: up to a thousand).
    On PostgreSQL the ids are one array parameter (`= ANY(%s)`): the ORM compiles one
    placeholder instead of a thousand and the server plans the statement faster; elsewhere
    an `IN` list. Use as a filter: `.filter(IdIn(F("product_id"), ids))`."""

    output_field = BooleanField()

    def __init__(self, expression: Any, ids: Sequence[int]) -> None:
        super().__init__(expression)
        self.ids = [int(pk) for pk in ids]

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", tuple(params)
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.ids)


def _contains(path: str, term: str) -> Contains:
    return Contains(Unaccent(F(path)), Unaccent(Value(term, output_field=TextField())))


def clean_search(search: str | None) -> list[str]:
    """The words of a search query; InvalidInput INVALID_FILTER when it cannot be one."""
    if search is None:
        return []
    if "\x00" in search or len(search) > MAX_SEARCH_LENGTH:
        raise _invalid(
            _("Search must be text of at most %(n)d characters.") % {"n": MAX_SEARCH_LENGTH},
            "search",
        )
    terms = search.split()
    # Words under three characters ("à", "de") cannot use a trigram index and match nearly
    # everything: they are ignored, unless the query has nothing else.
    long_terms = [term for term in terms if len(term) >= MIN_TERM_LENGTH]
    terms = long_terms or terms
    if len(terms) > MAX_SEARCH_TERMS:
        raise _invalid(_("Search takes at most %(n)d words.") % {"n": MAX_SEARCH_TERMS}, "search")
    return terms


def search_condition(terms: Sequence[str], *, product_path: str = "product_id") -> Q:
    """Every term must match the name, translated name, brand or a variant SKU.

    `product_path` names the product id in the queryset the condition filters. Each source
    is an uncorrelated `IN (subquery)` that PostgreSQL answers once from its trigram index
    (a hashed subplan), rather than a per-row test over the whole channel.
    """
    condition = Q()
    for term in terms:
        in_product = Product.objects.filter(
            Q(_contains("name", term)) | Q(_contains("brand", term))
        ).values("id")
        in_translation = ProductTranslation.objects.filter(_contains("name", term)).values(
            "product_id"
        )
        in_sku = ProductVariant.objects.filter(_contains("sku", term)).values("product_id")
        condition &= (
            Q(**{f"{product_path}__in": in_product})
            | Q(**{f"{product_path}__in": in_translation})
            | Q(**{f"{product_path}__in": in_sku})
        )
    return condition


def _parse_number(raw: str, field: str) -> Decimal:
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise _invalid(_("Not a number: %(v)s") % {"v": raw}, field) from None
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise _invalid(_("Not a number in range: %(v)s") % {"v": raw}, field)
    return number


def parse_attribute_filters(raw_filters: Sequence[str]) -> list[AttributeFilter]:
    """`["couleur:rouge", "puissance:500..1000", "sans-fil:true"]` -> AttributeFilters.

    Syntax only; `attribute_filter_condition` checks slugs and kinds against the database.
    """
    if len(raw_filters) > MAX_ATTRIBUTE_FILTERS:
        raise _invalid(_("At most %(n)d attribute filters.") % {"n": MAX_ATTRIBUTE_FILTERS}, "attr")
    grouped: dict[str, list[str]] = {}
    for raw in raw_filters:
        if not raw.strip():
            continue  # an empty `attr=` (as a blank form field sends) filters nothing
        slug, sep, value = raw.partition(":")
        slug, value = slug.strip(), value.strip()
        if not sep or not slug or not value or "\x00" in raw or len(raw) > 200:
            raise _invalid(
                _("Attribute filters read slug:value, got %(v)r.") % {"v": raw[:200]}, "attr"
            )
        grouped.setdefault(slug, []).append(value)
    return [AttributeFilter(slug=slug, values=tuple(values)) for slug, values in grouped.items()]


def _value_condition(attribute: Attribute, value: str, choices: dict[str, int]) -> Q:
    field = f"attr.{attribute.slug}"
    kind = attribute.kind
    if kind == AttributeKind.CHOICE:
        if value not in choices:
            raise _invalid(
                _("Unknown value %(v)r for %(a)s.") % {"v": value, "a": attribute.slug}, field
            )
        return Q(choice_id=choices[value])
    if kind == AttributeKind.BOOLEAN:
        lowered = value.lower()
        if lowered not in _TRUE | _FALSE:
            raise _invalid(_("Use true or false for %(a)s.") % {"a": attribute.slug}, field)
        return Q(value_boolean=lowered in _TRUE)
    if kind == AttributeKind.NUMBER:
        if ".." in value:
            low_raw, _sep, high_raw = value.partition("..")
            low = _parse_number(low_raw, field) if low_raw else None
            high = _parse_number(high_raw, field) if high_raw else None
            if low is None and high is None:
                raise _invalid(_("A range needs a bound: min..max."), field)
            condition = Q()
            if low is not None:
                condition &= Q(value_number__gte=low)
            if high is not None:
                condition &= Q(value_number__lte=high)
            return condition
        return Q(value_number=_parse_number(value, field))
    return Q(value_text__iexact=value)


def attribute_filter_condition(
    filters: Sequence[AttributeFilter], *, product_path: str = "product_id"
) -> Q:
    """A condition on products having, on themselves or on a variant, each filtered attribute
    with one of its values (uncorrelated `IN` subqueries, answered once from the
    attribute-value indexes). One query loads the attributes and their choices.

    Raises InvalidInput INVALID_FILTER for an unknown or non-filterable attribute, an unknown
    choice or a malformed value.
    """
    if not filters:
        return Q()
    rows = Attribute.objects.filter(slug__in=[f.slug for f in filters], filterable=True).values(
        "id", "slug", "kind", "unit", "choices__id", "choices__slug"
    )
    attributes: dict[str, Attribute] = {}
    choices: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["slug"] not in attributes:
            attributes[row["slug"]] = Attribute(
                id=row["id"], slug=row["slug"], kind=row["kind"], unit=row["unit"]
            )
            choices[row["slug"]] = {}
        if row["choices__id"] is not None:
            choices[row["slug"]][row["choices__slug"]] = row["choices__id"]
    condition = Q()
    for flt in filters:
        attribute = attributes.get(flt.slug)
        if attribute is None:
            raise _invalid(
                _("Unknown attribute filter: %(a)s") % {"a": flt.slug}, f"attr.{flt.slug}"
            )
        value_condition = Q()
        for value in flt.values:
            value_condition |= _value_condition(attribute, value, choices[flt.slug])
        on_product = ProductAttributeValue.objects.filter(
            value_condition, attribute_id=attribute.id
        ).values("product_id")
        on_variant = VariantAttributeValue.objects.filter(
            value_condition, attribute_id=attribute.id
        ).values("variant__product_id")
        condition &= Q(**{f"{product_path}__in": on_product}) | Q(
            **{f"{product_path}__in": on_variant}
        )
    return condition
