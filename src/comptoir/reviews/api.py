"""API of reviews and questions: public reads of a product's approved reviews (with its
rating summary) and questions, the caller's posts (reviews, helpful votes, questions,
answers) and own reviews on `router` (mounted at /api/v1/); the moderation queue on
`admin_router` (mounted at /api/v1/admin/). Handlers call one service or selector and
shape the answer; texts are returned as plain text."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.core.staff_api import page_request, paginated, reject_unknown_parameters, staff
from comptoir.reviews import selectors, services
from comptoir.reviews.models import Answer, Question, Review
from comptoir.reviews.schemas import (
    ModerationIn,
    ModerationOut,
    OwnReviewOut,
    OwnReviewPageOut,
    PostedOut,
    QuestionPageOut,
    QueuePageOut,
    ReviewIn,
    ReviewPageOut,
    TextIn,
    VoteOut,
)

router = Router(tags=["reviews"])
admin_router = Router(tags=["admin: reviews"], auth=session_or_bearer)

PAGE = {"page", "page_size"}
TEXT_ERRORS = "400 TEXT_REQUIRED / TEXT_TOO_LONG / INVALID_TEXT"
POST_ERRORS = f"401 UNAUTHORIZED, {TEXT_ERRORS}, 429 RATE_LIMITED (Retry-After)"


def summary_out(summary: selectors.RatingSummary) -> dict[str, Any]:
    return {
        "count": summary.count,
        "average": f"{summary.average:.2f}",
        "distribution": [
            {"stars": row.stars, "count": row.count, "percent": row.percent}
            for row in summary.distribution
        ],
    }


def review_out(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "rating": review.rating,
        "title": review.title,
        "text": review.text,
        "author": review.author_name,
        "verified_purchase": review.verified_purchase,
        "helpful_count": review.helpful_count,
        "created_at": review.created_at,
    }


def own_review_out(review: Review) -> dict[str, Any]:
    return review_out(review) | {"status": review.status, "product": review.product.slug}


def _language() -> str:
    return (get_language() or "fr")[:8]


# --- public reads -------------------------------------------------------------------------


@router.get(
    "products/{slug}/reviews",
    response=ReviewPageOut,
    summary="A product's approved reviews and rating",
    description=(
        "`sort`: newest (default), helpful, highest, lowest. Errors: 404 PRODUCT_NOT_FOUND, "
        "400 INVALID_SORT / INVALID_PAGINATION / UNKNOWN_PARAMETER."
    ),
)
def list_reviews(
    request: HttpRequest,
    slug: str,
    page: int | None = Query(None),
    page_size: int | None = Query(None),
    sort: str | None = Query(None),
) -> dict[str, Any]:
    reject_unknown_parameters(request, PAGE | {"sort"})
    page_req = page_request(page, page_size)
    product = selectors.product_for_reviews(slug=slug)
    sort_key = selectors.sort_check(sort)
    summary = selectors.rating_summary(product_id=product.pk)
    rows = selectors.product_reviews(
        product_id=product.pk, offset=page_req.offset, limit=page_req.page_size, sort=sort_key
    )
    body = paginated(request, page_req, summary.count, [review_out(row) for row in rows])
    return {"summary": summary_out(summary), **body}


@router.get(
    "products/{slug}/questions",
    response=QuestionPageOut,
    summary="A product's questions and answers",
    description=(
        "Approved questions, newest first, each with its approved answers (the shop's "
        "first). Errors: 404 PRODUCT_NOT_FOUND, 400 INVALID_PAGINATION / UNKNOWN_PARAMETER."
    ),
)
def list_questions(
    request: HttpRequest,
    slug: str,
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    reject_unknown_parameters(request, PAGE)
    page_req = page_request(page, page_size)
    product = selectors.product_for_reviews(slug=slug)
    rows = selectors.product_questions(
        product_id=product.pk, offset=page_req.offset, limit=page_req.page_size
    )
    count = selectors.product_questions_count(product_id=product.pk)
    results = [
        {
            "id": question.pk,
            "text": question.text,
            "author": question.author_name,
            "created_at": question.created_at,
            "answers": [
                {
                    "id": answer.pk,
                    "text": answer.text,
                    "author": answer.author_name,
                    "by_staff": answer.by_staff,
                    "created_at": answer.created_at,
                }
                for answer in question.public_answers  # type: ignore[attr-defined]
            ],
        }
        for question in rows
    ]
    return paginated(request, page_req, count, results)


# --- the caller's posts -------------------------------------------------------------------


@router.post(
    "products/{slug}/reviews",
    response={201: OwnReviewOut},
    auth=session_or_bearer,
    summary="Review a product",
    description=(
        "The review waits for moderation (`status` pending). One review per customer and "
        "product. Errors: 404 PRODUCT_NOT_FOUND, 409 REVIEW_EXISTS, 400 INVALID_RATING, "
        f"{POST_ERRORS}."
    ),
)
def post_review(request: HttpRequest, slug: str, payload: ReviewIn) -> Status[dict[str, Any]]:
    product = selectors.product_for_reviews(slug=slug)
    review = services.review_create(
        user=request.auth,  # type: ignore[attr-defined]
        product=product,
        rating=payload.rating,
        title=payload.title,
        text=payload.text,
        language=_language(),
    )
    return Status(201, own_review_out(review))


@router.post(
    "reviews/{review_id}/votes",
    response={200: VoteOut, 201: VoteOut},
    auth=session_or_bearer,
    summary="Find a review helpful",
    description=(
        "One vote per customer and review: 201 for the vote, 200 (nothing changed) when "
        "the caller had voted already. Errors: 401 UNAUTHORIZED, 404 REVIEW_NOT_FOUND, "
        "403 OWN_REVIEW."
    ),
)
def post_vote(request: HttpRequest, review_id: int) -> Status[dict[str, Any]]:
    result = services.review_vote(user=request.auth, review_id=review_id)  # type: ignore[attr-defined]
    body = {"created": result.created, "helpful_count": result.helpful_count}
    return Status(201 if result.created else 200, body)


@router.post(
    "products/{slug}/questions",
    response={201: PostedOut},
    auth=session_or_bearer,
    summary="Ask a question about a product",
    description=f"Waits for moderation. Errors: 404 PRODUCT_NOT_FOUND, {POST_ERRORS}.",
)
def post_question(request: HttpRequest, slug: str, payload: TextIn) -> Status[dict[str, Any]]:
    product = selectors.product_for_reviews(slug=slug)
    question = services.question_create(
        user=request.auth,  # type: ignore[attr-defined]
        product=product,
        text=payload.text,
        language=_language(),
    )
    return Status(201, {"id": question.pk, "status": question.status})


@router.post(
    "questions/{question_id}/answers",
    response={201: PostedOut},
    auth=session_or_bearer,
    summary="Answer a question",
    description=(
        "A customer's answer waits for moderation; a staff member's is the shop's answer, "
        f"public at once. Errors: 404 QUESTION_NOT_FOUND, {POST_ERRORS}."
    ),
)
def post_answer(request: HttpRequest, question_id: int, payload: TextIn) -> Status[dict[str, Any]]:
    answer = services.answer_create(
        user=request.auth,  # type: ignore[attr-defined]
        question_id=question_id,
        text=payload.text,
        language=_language(),
    )
    return Status(201, {"id": answer.pk, "status": answer.status})


@router.get(
    "account/reviews",
    response=OwnReviewPageOut,
    auth=session_or_bearer,
    summary="The caller's reviews",
    description="Any status, newest first. Errors: 401 UNAUTHORIZED, 400 INVALID_PAGINATION.",
)
def list_own_reviews(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    reject_unknown_parameters(request, PAGE)
    page_req = page_request(page, page_size)
    rows, count = selectors.customer_reviews(user=request.auth, page=page_req)  # type: ignore[attr-defined]
    return paginated(request, page_req, count, [own_review_out(row) for row in rows])


@router.put(
    "account/reviews/{review_id}",
    response=OwnReviewOut,
    auth=session_or_bearer,
    summary="Rewrite one's review",
    description=(
        "The review goes back to moderation. Errors: 404 REVIEW_NOT_FOUND (also another "
        f"customer's), 400 INVALID_RATING, {POST_ERRORS}."
    ),
)
def put_review(request: HttpRequest, review_id: int, payload: ReviewIn) -> dict[str, Any]:
    review = services.review_update(
        user=request.auth,  # type: ignore[attr-defined]
        review_id=review_id,
        rating=payload.rating,
        title=payload.title,
        text=payload.text,
    )
    return own_review_out(Review.objects.select_related("product").get(pk=review.pk))


@router.delete(
    "account/reviews/{review_id}",
    response={204: None},
    auth=session_or_bearer,
    summary="Delete one's review",
    description="Errors: 401 UNAUTHORIZED, 404 REVIEW_NOT_FOUND (also another customer's).",
)
def delete_review(request: HttpRequest, review_id: int) -> Status[None]:
    review = services.review_of_author(user=request.auth, review_id=review_id)  # type: ignore[attr-defined]
    services.review_delete(review=review)
    return Status(204, None)


# --- moderation (staff) -------------------------------------------------------------------

Kind = Literal["reviews", "questions", "answers"]
MODELS: dict[str, type[Review] | type[Question] | type[Answer]] = {
    "reviews": Review,
    "questions": Question,
    "answers": Answer,
}
ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"


def _queue_item(kind: str, row: Any) -> dict[str, Any]:
    product = row.question.product.slug if kind == "answers" else row.product.slug
    return {
        "id": row.pk,
        "product": product,
        "text": row.text,
        "title": getattr(row, "title", ""),
        "rating": getattr(row, "rating", None),
        "author": row.author_name,
        "status": row.status,
        "created_at": row.created_at,
    }


@admin_router.get(
    "moderation/{kind}",
    response=QueuePageOut,
    summary="The moderation queue",
    description=(
        "Reviews, questions or answers in a moderation `status` (default pending), oldest "
        f"first. Errors: {ACCESS}, 400 INVALID_STATUS / INVALID_PAGINATION."
    ),
)
def moderation_queue(
    request: HttpRequest,
    kind: Kind,
    status: str = Query("pending"),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    model = MODELS[kind]
    staff(request, f"reviews.view_{model._meta.model_name}")
    reject_unknown_parameters(request, PAGE | {"status"})
    page_req = page_request(page, page_size)
    rows, count = selectors.moderation_queue(model=model, status=status, page=page_req)
    return paginated(request, page_req, count, [_queue_item(kind, row) for row in rows])


@admin_router.post(
    "moderation/{kind}",
    response=ModerationOut,
    summary="Approve or reject",
    description=(
        "Sets the status of the listed items (unknown ids are ignored); a review's product "
        f"rating follows in the same transaction. Errors: {ACCESS}, 400 INVALID_STATUS."
    ),
)
def moderate(request: HttpRequest, kind: Kind, payload: ModerationIn) -> dict[str, Any]:
    model = MODELS[kind]
    actor = staff(request, f"reviews.change_{model._meta.model_name}")
    if kind == "reviews":
        changed = services.reviews_moderate(
            review_ids=payload.ids, status=payload.status, actor=actor
        )
    elif kind == "questions":
        changed = services.questions_moderate(
            question_ids=payload.ids, status=payload.status, actor=actor
        )
    else:
        changed = services.answers_moderate(
            answer_ids=payload.ids, status=payload.status, actor=actor
        )
    return {"changed": changed}
