"""Writes of reviews: a customer writes, edits or deletes their review and votes for others'
reviews; staff moderate. Every change that adds or removes an approved review rewrites the
product's `ProductRating` in the same transaction (`ratings_refresh`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from comptoir.reviews.models import (
    REVIEW_TEXT_MAX,
    TITLE_MAX,
    ModerationStatus,
    ProductRating,
    Review,
    ReviewVote,
)
from comptoir.reviews.services._common import (
    author_name,
    has_purchased,
    rate_limit_hit,
    status_check,
    text_clean,
)

APPROVED = ModerationStatus.APPROVED


def _rating_check(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = _("Choose a rating from 1 to 5 stars.")
        raise InvalidInput(message, code="INVALID_RATING", errors={"rating": [message]})
    return rating


def _review_fields(rating: object, title: object, text: object) -> dict[str, Any]:
    """The cleaned fields, every error at once."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    checks = (
        ("rating", lambda: _rating_check(rating)),
        ("title", lambda: text_clean(title, field="title", limit=TITLE_MAX, multiline=False)),
        (
            "text",
            lambda: text_clean(text, field="text", limit=REVIEW_TEXT_MAX, multiline=True),
        ),
    )
    first: InvalidInput | None = None
    for name, check in checks:
        try:
            cleaned[name] = check()
        except InvalidInput as exc:
            first = first or exc
            errors.update(exc.errors)
    if first is not None:
        raise InvalidInput(first.detail, code=first.code, errors=errors)
    return cleaned


def review_create(
    *,
    user: Any,
    product: Product,
    rating: object,
    title: object,
    text: object,
    language: str = "fr",
    client_ip: str | None = None,
) -> Review:
    """The user's review of `product`, pending moderation. Raises InvalidInput
    (INVALID_RATING, TEXT_REQUIRED, TEXT_TOO_LONG, INVALID_TEXT), Conflict REVIEW_EXISTS
    (409: one review per customer and product, also when two posts race) and Throttled
    RATE_LIMITED; nothing is written then."""
    fields = _review_fields(rating, title, text)
    if Review.objects.filter(product=product, user=user).exists():
        raise _exists()
    rate_limit_hit(action="review", user_id=user.pk, client_ip=client_ip)
    verified = has_purchased(user_id=user.pk, product_id=product.pk)
    try:
        with transaction.atomic():
            return Review.objects.create(
                product=product,
                user=user,
                author_name=author_name(user),
                language=language[:8],
                verified_purchase=verified,
                **fields,
            )
    except IntegrityError as exc:  # a concurrent post of the same review won
        raise _exists() from exc


def _exists() -> Conflict:
    return Conflict(
        _("You have already reviewed this product. Edit your review instead."),
        code="REVIEW_EXISTS",
    )


def review_of_author(*, user: Any, review_id: int) -> Review:
    """The user's own review; 404 REVIEW_NOT_FOUND for anyone else's (or none)."""
    user_id = getattr(user, "pk", None)
    review = Review.objects.filter(pk=review_id, user_id=user_id or 0).first()
    if review is None:
        raise NotFound(_("No such review."), code="REVIEW_NOT_FOUND")
    return review


@transaction.atomic
def review_update(
    *, user: Any, review_id: int, rating: object, title: object, text: object
) -> Review:
    """The author rewrites their review: it goes back to moderation (an approved one leaves
    the product's rating until approved again). 404 REVIEW_NOT_FOUND for another's."""
    fields = _review_fields(rating, title, text)
    review_of_author(user=user, review_id=review_id)
    review = Review.objects.select_for_update().get(pk=review_id)
    was_approved = review.status == APPROVED
    for name, value in fields.items():
        setattr(review, name, value)
    review.status = ModerationStatus.PENDING
    review.moderated_at = None
    review.moderated_by = None
    review.verified_purchase = has_purchased(user_id=user.pk, product_id=review.product_id)
    review.save()
    if was_approved:
        ratings_refresh(product_ids=[review.product_id])
    return review


@transaction.atomic
def review_delete(*, review: Review) -> None:
    """Delete a review (its author's or a moderator's decision); the rating follows."""
    locked = Review.objects.select_for_update().filter(pk=review.pk).first()
    if locked is None:
        return
    was_approved = locked.status == APPROVED
    locked.delete()
    if was_approved:
        ratings_refresh(product_ids=[locked.product_id])


@transaction.atomic
def reviews_moderate(*, review_ids: Iterable[int], status: object, actor: Any = None) -> int:
    """Set the moderation status of the reviews (locked in primary-key order) and rewrite
    the ratings of their products. Returns how many changed (a review already in that
    status is left as it is). INVALID_STATUS for anything but pending/approved/rejected."""
    new_status = status_check(status)
    reviews = list(
        Review.objects.select_for_update().filter(pk__in=list(review_ids)).order_by("pk")
    )
    changed = [review for review in reviews if review.status != new_status]
    now = timezone.now()
    for review in changed:
        review.status = new_status
        review.moderated_at = now
        review.moderated_by = actor if getattr(actor, "pk", None) else None
        review.updated_at = now
    Review.objects.bulk_update(changed, ["status", "moderated_at", "moderated_by", "updated_at"])
    ratings_refresh(product_ids={review.product_id for review in changed})
    return len(changed)


def ratings_refresh(*, product_ids: Iterable[int]) -> None:
    """Rewrite the `ProductRating` of each product from its approved reviews. Call inside
    the transaction of the change (after locking the changed reviews): the rating rows are
    locked in primary-key order, then counted, so concurrent decisions on one product
    serialise and the last one counts everybody's."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    ProductRating.objects.bulk_create(
        [ProductRating(product_id=pk) for pk in ids], ignore_conflicts=True
    )
    ratings = list(ProductRating.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    counts: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    rows = (
        Review.objects.filter(product_id__in=ids, status=APPROVED)
        .values_list("product_id", "rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for product_id, stars, n in rows:
        counts[product_id][stars] = n
    now = timezone.now()
    for rating in ratings:
        rating.updated_at = now
        per_star = counts[rating.product_id]
        total = sum(per_star.values())
        points = sum(stars * n for stars, n in per_star.items())
        rating.count = total
        rating.average = (
            (Decimal(points) / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if total
            else Decimal("0.00")
        )
        for stars in range(1, 6):
            setattr(rating, f"stars_{stars}", per_star.get(stars, 0))
    ProductRating.objects.bulk_update(
        ratings,
        ["count", "average", "stars_1", "stars_2", "stars_3", "stars_4", "stars_5", "updated_at"],
    )


def public_review(review_id: int) -> Review:
    """An approved review; 404 REVIEW_NOT_FOUND for any other."""
    review = Review.objects.filter(pk=review_id, status=APPROVED).first()
    if review is None:
        raise NotFound(_("No such review."), code="REVIEW_NOT_FOUND")
    return review


@dataclass(frozen=True, slots=True)
class VoteResult:
    created: bool
    helpful_count: int


def review_vote(*, user: Any, review_id: int) -> VoteResult:
    """The user finds an approved review helpful: one vote per user and review (a second
    one changes nothing, `created` False). 404 REVIEW_NOT_FOUND for a review that is not
    public; 403 OWN_REVIEW on one's own review."""
    review = public_review(review_id)
    if review.user_id == user.pk:
        raise PermissionDenied(_("You cannot vote for your own review."), code="OWN_REVIEW")
    created = False
    try:
        with transaction.atomic():
            ReviewVote.objects.create(review=review, user=user)
            Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
            created = True
    except IntegrityError:  # already voted (maybe concurrently): nothing changes
        pass
    count = Review.objects.filter(pk=review.pk).values_list("helpful_count", flat=True).first()
    return VoteResult(created=created, helpful_count=count or 0)
