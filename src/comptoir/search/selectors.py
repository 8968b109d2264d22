"""Product search reads: the best matching products of a channel, and suggestions as the
shopper types. What answers is the configured backend (`backends.get_backend`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from comptoir.catalog.selectors import (
    ProductSubset,
    category_descendant_ids,
    normalize_language,
    published_listings,
)
from comptoir.channels.models import Channel
from comptoir.search.backends import Suggestion, get_backend, query_words

# A search answers at most this many products, best first (what shoppers page through;
# dedicated engines cap their hits the same way).
DEFAULT_MAX_HITS = 1000
MAX_SUGGESTIONS = 8
# Suggestions start from this many characters.
SUGGEST_MIN_LENGTH = 2


def _max_hits() -> int:
    return int(getattr(settings, "COMPTOIR_SEARCH_MAX_HITS", DEFAULT_MAX_HITS))


def product_search(
    *, channel: Channel, language: str, text: str, category_slug: str | None = None
) -> list[int]:
    """Ids of the products published in `channel` (and in the category's subtree) that
    match `text`, best first. Empty for a query without words. Raises NotFound
    CATEGORY_NOT_FOUND for an unknown category."""
    if not query_words(text):
        return []
    within = published_listings(channel=channel)
    if category_slug is not None:
        within = within.filter(product__category_id__in=category_descendant_ids(slug=category_slug))
    return get_backend().search(
        text=text,
        language=normalize_language(language),
        within=within.values("product_id"),
        limit=_max_hits(),
    )


def product_suggestions(
    *, channel: Channel, language: str, text: str, subsets: Sequence[ProductSubset] = ()
) -> list[Suggestion]:
    """Up to MAX_SUGGESTIONS product names for what the shopper has typed so far, among
    the products in each of `subsets` (a buyer's shared catalogs) when given."""
    if len(text.strip()) < SUGGEST_MIN_LENGTH or not query_words(text):
        return []
    within = published_listings(channel=channel)
    for subset in subsets:
        within = within.filter(product_id__in=subset.product_ids)
    return get_backend().suggest(
        text=text,
        language=normalize_language(language),
        within=within.values("product_id"),
        limit=MAX_SUGGESTIONS,
    )
