"""The reviews and questions section of the product page: the rating summary, one page of
approved reviews, the approved questions with their answers, and the forms a signed-in
customer posts (`views_reviews`). A constant number of queries whatever the number of
reviews: summary, reviews, questions and their answers, plus the reader's own review and
votes when signed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from comptoir.reviews import selectors as review_selectors
from comptoir.reviews.models import (
    ANSWER_TEXT_MAX,
    QUESTION_TEXT_MAX,
    REVIEW_TEXT_MAX,
    TITLE_MAX,
    Question,
    Review,
)

REVIEWS_PER_PAGE = 10
QUESTIONS_SHOWN = 10
PAGE_PARAM = "reviews_page"


def _stars_label(stars: int) -> str:
    return str(ngettext_lazy("%(n)d star", "%(n)d stars", stars) % {"n": stars})


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=_("Your review"),
        max_length=REVIEW_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [  # type: ignore[attr-defined]
            (stars, _stars_label(stars)) for stars in range(5, 0, -1)
        ]


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass
class PostedForms:
    """Forms posted back with their errors (the page is shown again with them)."""

    review: ReviewForm | None = None
    question: QuestionForm | None = None
    answer: AnswerForm | None = None
    answer_question_id: int | None = None


@dataclass(frozen=True, slots=True)
class ShownReview:
    review: Review
    own: bool
    voted: bool


@dataclass
class ReviewsBlock:
    summary: review_selectors.RatingSummary
    reviews: list[ShownReview]
    questions: list[Question]
    signed_in: bool
    own_review: Review | None
    review_form: ReviewForm | None
    question_form: QuestionForm
    answer_form: AnswerForm
    answer_question_id: int | None
    page: int
    pages: int
    errors: dict[str, Any] = field(default_factory=dict)


def aggregate_rating(summary: review_selectors.RatingSummary) -> dict[str, Any]:
    """The schema.org AggregateRating of the product's JSON-LD (approved reviews only)."""
    return {
        "@type": "AggregateRating",
        "ratingValue": f"{summary.average:.2f}",
        "reviewCount": summary.count,
        "bestRating": 5,
        "worstRating": 1,
    }


def _page(request: HttpRequest, pages: int) -> int:
    raw = request.GET.get(PAGE_PARAM, "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1
    return min(max(number, 1), max(pages, 1))


def reviews_block(
    request: HttpRequest, product_id: int, posted: PostedForms | None = None
) -> ReviewsBlock:
    posted = posted or PostedForms()
    summary = review_selectors.rating_summary(product_id=product_id)
    pages = max(1, -(-summary.count // REVIEWS_PER_PAGE))
    number = _page(request, pages)
    reviews = review_selectors.product_reviews(
        product_id=product_id,
        offset=(number - 1) * REVIEWS_PER_PAGE,
        limit=REVIEWS_PER_PAGE,
        sort="helpful",
    )
    user = request.user if request.user.is_authenticated else None
    state = review_selectors.reader_state(
        user=user, product_id=product_id, review_ids=[review.pk for review in reviews]
    )
    user_id = getattr(user, "pk", None)
    return ReviewsBlock(
        summary=summary,
        reviews=[
            ShownReview(
                review=review, own=review.user_id == user_id, voted=review.pk in state.voted
            )
            for review in reviews
        ],
        questions=review_selectors.product_questions(product_id=product_id, limit=QUESTIONS_SHOWN),
        signed_in=user is not None,
        own_review=state.own_review,
        review_form=posted.review or (ReviewForm() if state.own_review is None else None),
        question_form=posted.question or QuestionForm(),
        answer_form=posted.answer or AnswerForm(),
        answer_question_id=posted.answer_question_id,
        page=number,
        pages=pages,
    )
