"""Ninja schemas of the reviews API. Texts are plain text: escape them wherever they are
shown as HTML. Ratings and texts are checked by the services (problem+json codes
INVALID_RATING, TEXT_REQUIRED, TEXT_TOO_LONG, INVALID_TEXT), not by the schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class StarCountOut(Schema):
    stars: int
    count: int
    percent: int


class RatingSummaryOut(Schema):
    count: int = Field(description="Approved reviews.")
    average: str = Field(description='Average rating, two decimals ("4.33"); "0.00" if none.')
    distribution: list[StarCountOut] = Field(description="Per star, 5 stars first.")


class ReviewOut(Schema):
    id: int
    rating: int
    title: str
    text: str
    author: str = Field(description='Shown name ("Léa D."); empty for an unnamed customer.')
    verified_purchase: bool
    helpful_count: int
    created_at: datetime


class ReviewPageOut(Schema):
    summary: RatingSummaryOut
    count: int
    next: str | None
    previous: str | None
    results: list[ReviewOut]


class OwnReviewOut(ReviewOut):
    status: str = Field(description="pending, approved or rejected.")
    product: str = Field(description="The product's slug.")


class OwnReviewPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[OwnReviewOut]


class ReviewIn(Schema):
    rating: int = Field(description="1 to 5.")
    title: str = Field(description="Plain text, 150 characters at most.")
    text: str = Field(description="Plain text, 5000 characters at most.")


class VoteOut(Schema):
    created: bool = Field(description="False when the caller had already voted.")
    helpful_count: int


class AnswerOut(Schema):
    id: int
    text: str
    author: str
    by_staff: bool = Field(description="The shop's answer.")
    created_at: datetime


class QuestionOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime
    answers: list[AnswerOut]


class QuestionPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[QuestionOut]


class TextIn(Schema):
    text: str = Field(description="Plain text.")


class PostedOut(Schema):
    id: int
    status: str = Field(description="pending (awaiting moderation) or approved.")


class ModerationIn(Schema):
    ids: list[RowId] = Field(max_length=500)
    status: str = Field(description="pending, approved or rejected.")


class ModerationOut(Schema):
    changed: int


class QueueItemOut(Schema):
    id: int
    product: str = Field(description="The product's slug.")
    text: str
    title: str = Field(description="Reviews only; empty otherwise.")
    rating: int | None = Field(description="Reviews only.")
    author: str
    status: str
    created_at: datetime


class QueuePageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[QueueItemOut]
