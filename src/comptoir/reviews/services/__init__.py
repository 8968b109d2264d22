"""Writes of the reviews app (see docs/reviews.md)."""

from comptoir.reviews.services._common import author_name, has_purchased, text_clean
from comptoir.reviews.services.questions import (
    answer_create,
    answers_moderate,
    question_create,
    questions_moderate,
)
from comptoir.reviews.services.reviews import (
    VoteResult,
    ratings_refresh,
    review_create,
    review_delete,
    review_of_author,
    review_update,
    review_vote,
    reviews_moderate,
)

__all__ = [
    "VoteResult",
    "answer_create",
    "answers_moderate",
    "author_name",
    "has_purchased",
    "question_create",
    "questions_moderate",
    "ratings_refresh",
    "review_create",
    "review_delete",
    "review_of_author",
    "review_update",
    "review_vote",
    "reviews_moderate",
    "text_clean",
]
