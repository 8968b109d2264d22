"""Catalog reads. Import from here: `from comptoir.catalog.selectors import product_cards`."""

from comptoir.catalog.selectors.categories import (
    category_descendant_ids,
    category_get,
    category_tree,
    category_tree_version,
    category_tree_version_bump,
    slug_redirect,
)
from comptoir.catalog.selectors.facets import Facet, Facets, FacetValue
from comptoir.catalog.selectors.filters import parse_attribute_filters
from comptoir.catalog.selectors.localize import plain_excerpt
from comptoir.catalog.selectors.products import (
    SORTS,
    PriceRange,
    product_cards,
    product_detail,
    product_facets,
    published_listings,
)
from comptoir.catalog.selectors.records import (
    BASE_LANGUAGE,
    AttributeFilter,
    AttributeValue,
    CategoryNode,
    CategoryRef,
    DocumentInfo,
    ImageInfo,
    ProductCard,
    ProductDetail,
    ProductSubset,
    VariantDetail,
    normalize_language,
)

__all__ = [
    "BASE_LANGUAGE",
    "SORTS",
    "AttributeFilter",
    "AttributeValue",
    "CategoryNode",
    "CategoryRef",
    "DocumentInfo",
    "Facet",
    "FacetValue",
    "Facets",
    "ImageInfo",
    "PriceRange",
    "ProductCard",
    "ProductDetail",
    "ProductSubset",
    "VariantDetail",
    "category_descendant_ids",
    "category_get",
    "category_tree",
    "category_tree_version",
    "category_tree_version_bump",
    "normalize_language",
    "parse_attribute_filters",
    "plain_excerpt",
    "product_cards",
    "product_detail",
    "product_facets",
    "published_listings",
    "slug_redirect",
]
