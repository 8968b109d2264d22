"""Reads of reviews and questions. Public reads return approved rows only; the rating
summaries of any number of products come from the denormalised `ProductRating` rows in one
query (listing pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product, ProductChannelListing
from comptoir.catalog.selectors import ProductSubset
from comptoir.catalog.selectors.categories import OutsideHiddenCategories
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.reviews.models import (
    Answer,
    ModerationStatus,
    ProductRating,
    Question,
    Review,
    ReviewVote,
)

APPROVED = ModerationStatus.APPROVED
REVIEW_SORTS: Final = {
    "newest": ("-id",),
    "helpful": ("-helpful_count", "-id"),
    "highest": ("-rating", "-id"),
    "lowest": ("rating", "-id"),
}


@dataclass(frozen=True, slots=True)
class StarCount:
    stars: int
    count: int
    percent: int  # of the reviews, rounded


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    average: Decimal
    distribution: tuple[StarCount, ...]  # 5 stars first

    @property
    def rounded(self) -> int:
        """The average to the nearest whole star (for a star display)."""
        return int(self.average.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _summary(rating: ProductRating | None) -> RatingSummary:
    counts = {stars: getattr(rating, f"stars_{stars}", 0) if rating else 0 for stars in range(1, 6)}
    total = rating.count if rating else 0
    return RatingSummary(
        count=total,
        average=rating.average if rating else Decimal("0.00"),
        distribution=tuple(
            StarCount(
                stars=stars,
                count=counts[stars],
                percent=round(100 * counts[stars] / total) if total else 0,
            )
            for stars in range(5, 0, -1)
        ),
    )


def rating_summaries(*, product_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """The rating summary of each product (an empty one for a product without approved
    reviews), in one query whatever the number of products."""
    ids = list(dict.fromkeys(product_ids))
    found = {rating.product_id: rating for rating in ProductRating.objects.filter(pk__in=ids)}
    return {pk: _summary(found.get(pk)) for pk in ids}


def rated_product_ids(*, min_stars: int) -> QuerySet[ProductRating, Any]:
    """The ids of the products whose approved reviews average `min_stars` or more, as a
    one-column queryset for `product_id__in=`: the rating filter of listings."""
    return ProductRating.objects.filter(count__gt=0, average__gte=min_stars).values("product_id")


def rated_subset(*, min_stars: int) -> ProductSubset:
    """The "N stars and up" filter of product listings (see `rated_product_ids`)."""
    return ProductSubset(
        group="rating",
        key=f"rating:{min_stars}",
        product_ids=rated_product_ids(min_stars=min_stars),
    )


def rating_summary(*, product_id: int) -> RatingSummary:
    return rating_summaries(product_ids=[product_id])[product_id]


def product_for_reviews(*, slug: str) -> Product:
    """A product shown in a channel now (published, its publication date reached, outside
    hidden categories), by slug; 404 PRODUCT_NOT_FOUND otherwise."""
    now = timezone.now()
    shown = ProductChannelListing.objects.filter(
        Q(published_at__isnull=True) | Q(published_at__lte=now), is_published=True
    ).values("product_id")
    product = (
        Product.objects.filter(slug=slug[:160], pk__in=shown)
        .filter(OutsideHiddenCategories("category_id"))
        .only("id", "slug", "name")
        .first()
    )
    if product is None:
        raise NotFound(_("No such product."), code="PRODUCT_NOT_FOUND")
    return product


def sort_check(sort: str | None) -> str:
    if not sort:
        return "newest"
    if sort not in REVIEW_SORTS:
        raise InvalidInput(
            _("Unknown sort."),
            code="INVALID_SORT",
            errors={"sort": [", ".join(REVIEW_SORTS)]},
        )
    return sort


def product_reviews(
    *, product_id: int, offset: int = 0, limit: int = 10, sort: str = "newest"
) -> list[Review]:
    """Approved reviews of the product, one query (the count is the summary's)."""
    return list(
        Review.objects.filter(product_id=product_id, status=APPROVED).order_by(
            *REVIEW_SORTS[sort_check(sort)]
        )[offset : offset + limit]
    )


def product_questions(*, product_id: int, offset: int = 0, limit: int = 10) -> list[Question]:
    """Approved questions of the product, newest first, each with its approved answers
    (`public_answers`, staff answers first): two queries."""
    answers = Answer.objects.filter(status=APPROVED).order_by("-by_staff", "id")
    return list(
        Question.objects.filter(product_id=product_id, status=APPROVED)
        .order_by("-id")
        .prefetch_related(Prefetch("answers", queryset=answers, to_attr="public_answers"))[
            offset : offset + limit
        ]
    )


def product_questions_count(*, product_id: int) -> int:
    return Question.objects.filter(product_id=product_id, status=APPROVED).count()


def customer_reviews(*, user: Any, page: PageRequest) -> tuple[list[Review], int]:
    """The user's own reviews, whatever their status, newest first, with their product."""
    rows = Review.objects.filter(user_id=user.pk).select_related("product").order_by("-id")
    return list(rows[page.offset : page.offset + page.page_size]), rows.count()


@dataclass(frozen=True, slots=True)
class ReaderState:
    """What the signed-in reader has done on a product page: their review (any status)
    and the reviews they found helpful."""

    own_review: Review | None
    voted: frozenset[int]


def reader_state(*, user: Any, product_id: int, review_ids: list[int]) -> ReaderState:
    """Two queries for a signed-in reader, none for a visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ReaderState(own_review=None, voted=frozenset())
    own = Review.objects.filter(product_id=product_id, user_id=user.pk).first()
    voted: frozenset[int] = frozenset()
    if review_ids:
        voted = frozenset(
            ReviewVote.objects.filter(user_id=user.pk, review_id__in=review_ids).values_list(
                "review_id", flat=True
            )
        )
    return ReaderState(own_review=own, voted=voted)


def moderation_queue(
    *, model: type[Review] | type[Question] | type[Answer], status: str, page: PageRequest
) -> tuple[list[Any], int]:
    """Staff: the rows of `model` in moderation `status`, oldest first (INVALID_STATUS)."""
    if status not in ModerationStatus.values:
        raise InvalidInput(
            _("Unknown moderation status."),
            code="INVALID_STATUS",
            errors={"status": [", ".join(ModerationStatus.values)]},
        )
    related = "question__product" if model is Answer else "product"
    rows = model._default_manager.filter(status=status).select_related(related).order_by("id")
    return list(rows[page.offset : page.offset + page.page_size]), rows.count()
