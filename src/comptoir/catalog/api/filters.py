"""The product list's filters that come from other apps: full-text search (search), in
stock (inventory) and minimum rating (reviews)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from comptoir.catalog.selectors import ProductSubset
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.inventory.selectors import in_stock_subset
from comptoir.reviews.selectors import rated_subset

MAX_QUERY_LENGTH = 200
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _invalid(detail: str, field: str) -> InvalidInput:
    return InvalidInput(detail, code="INVALID_FILTER", errors={field: [detail]})


def search_text(q: str, *, search: str | None) -> str:
    """`q` as the search engine takes it; INVALID_FILTER when it cannot be one."""
    if search:
        raise _invalid(_("Use q or search, not both."), "q")
    if "\x00" in q or len(q) > MAX_QUERY_LENGTH:
        raise _invalid(
            _("Search must be text of at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH}, "q"
        )
    return q


def list_subsets(
    channel: Channel, *, in_stock: str | None, min_rating: str | None
) -> list[ProductSubset]:
    """The subsets `in_stock` and `min_rating` keep the list to; INVALID_FILTER for values
    they cannot take."""
    subsets: list[ProductSubset] = []
    stock = (in_stock or "").strip().lower()
    if stock not in _TRUE | _FALSE:
        raise _invalid(_("in_stock takes true or false."), "in_stock")
    if stock in _TRUE:
        subsets.append(in_stock_subset(channel=channel))
    if min_rating is not None and min_rating.strip():
        raw = min_rating.strip()
        if raw not in {"1", "2", "3", "4", "5"}:
            raise _invalid(_("min_rating takes a whole number from 1 to 5."), "min_rating")
        subsets.append(rated_subset(min_stars=int(raw)))
    return subsets
