"""The listing filters that other apps define: "in stock" (inventory) and "rated N stars and
up" (reviews), read from the query string and handed to the catalog as ProductSubsets."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from comptoir.catalog.selectors import ProductSubset
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.inventory.selectors import in_stock_subset
from comptoir.reviews.selectors import rated_subset

IN_STOCK = "in_stock"
RATING = "rating"
# The thresholds a shopper chooses from, best first: "4 stars and up"...
RATING_THRESHOLDS = (4, 3, 2, 1)
_ON = {"1", "on", "true"}
_OFF = {"", "0", "off", "false"}


@dataclass(frozen=True, slots=True)
class SubsetFilters:
    in_stock: bool
    rating: int | None
    # Applied to the listing.
    chosen: list[ProductSubset]
    # Counted for the filter form: in stock, then each rating threshold.
    counted: list[ProductSubset]

    @property
    def stock(self) -> ProductSubset:
        """The in-stock subset, which also marks each card in or out of stock."""
        return self.counted[0]

    def in_stock_count(self, counts: dict[str, int]) -> int:
        """How many listed products are in stock, from `Facets.subset_counts`."""
        return counts.get(self.stock.key, 0)

    def rating_counts(self, counts: dict[str, int]) -> tuple[tuple[int, int], ...]:
        """(stars, how many listed products average that or more), best first."""
        return tuple(
            (stars, counts.get(subset.key, 0))
            for stars, subset in zip(RATING_THRESHOLDS, self.counted[1:], strict=True)
        )

    @property
    def query(self) -> list[tuple[str, str]]:
        """The query-string pairs that keep these filters on other pages of the listing."""
        pairs = [(IN_STOCK, "1")] if self.in_stock else []
        if self.rating is not None:
            pairs.append((RATING, str(self.rating)))
        return pairs


def _invalid(detail: str, field: str) -> InvalidInput:
    return InvalidInput(detail, code="INVALID_FILTER", errors={field: [detail]})


def subset_filters(request: HttpRequest, channel: Channel) -> SubsetFilters:
    """`in_stock=1` and `rating=1..4` of the request; InvalidInput INVALID_FILTER for
    anything else in those parameters."""
    raw_stock = request.GET.get(IN_STOCK, "").strip().lower()
    if raw_stock not in _ON | _OFF:
        raise _invalid(_("The in-stock filter takes 1 or nothing."), IN_STOCK)
    raw_rating = request.GET.get(RATING, "").strip()
    rating: int | None = None
    if raw_rating:
        if raw_rating not in {str(stars) for stars in RATING_THRESHOLDS}:
            raise _invalid(_("Choose a rating from 1 to 4 stars."), RATING)
        rating = int(raw_rating)
    in_stock = raw_stock in _ON
    stock_subset = in_stock_subset(channel=channel)
    rated = {stars: rated_subset(min_stars=stars) for stars in RATING_THRESHOLDS}
    chosen = [stock_subset] if in_stock else []
    if rating is not None:
        chosen.append(rated[rating])
    return SubsetFilters(
        in_stock=in_stock,
        rating=rating,
        chosen=chosen,
        counted=[stock_subset, *rated.values()],
    )
