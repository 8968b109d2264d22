"""Helpers of the reviews tests: reviews, questions and answers written through the
services, approved when asked."""

from __future__ import annotations

from typing import Any

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product
from comptoir.reviews import services
from comptoir.reviews.models import Answer, ModerationStatus, Question, Review


def review(
    product: Product,
    *,
    user: Any = None,
    rating: int = 5,
    title: str = "Très bien",
    text: str = "Solide et légère.",
    approved: bool = True,
) -> Review:
    created = services.review_create(
        user=user or UserFactory.create(), product=product, rating=rating, title=title, text=text
    )
    if approved:
        services.reviews_moderate(review_ids=[created.pk], status=ModerationStatus.APPROVED)
        created.refresh_from_db()
    return created


def question(
    product: Product, *, user: Any = None, text: str = "Est-elle livrée avec une batterie ?"
) -> Question:
    created = services.question_create(
        user=user or UserFactory.create(), product=product, text=text
    )
    services.questions_moderate(question_ids=[created.pk], status=ModerationStatus.APPROVED)
    created.refresh_from_db()
    return created


def answer(
    question_row: Question, *, user: Any = None, text: str = "Oui, une batterie 2 Ah."
) -> Answer:
    created = services.answer_create(
        user=user or UserFactory.create(), question_id=question_row.pk, text=text
    )
    if created.status != ModerationStatus.APPROVED:
        services.answers_moderate(answer_ids=[created.pk], status=ModerationStatus.APPROVED)
        created.refresh_from_db()
    return created
