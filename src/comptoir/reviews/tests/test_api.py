"""The reviews API end to end: public reads, the caller's posts, problem+json for bad input
and for others' reviews, the rate limit, and the staff moderation queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product
from comptoir.core.testing import Api, api_for, clerk_api, problem
from comptoir.reviews.models import ModerationStatus, ProductRating, Question, Review
from comptoir.reviews.tests.factories import answer, question, review

pytestmark = pytest.mark.django_db

API = "/api/v1"
XSS = '<script>alert("x")</script>'


class Caller:
    """A client of the public API with the bearer token of `user` (None: anonymous)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_create(user=user)[0]}"} if user else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{API}/{path}", params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return getattr(self.client, method)(
            f"{API}/{path}",
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self.headers,
        )


REVIEW = {"rating": 4, "title": "Bien", "text": "Solide."}


def test_public_reviews_with_summary(product: Product, lea: User) -> None:
    review(product, user=lea, rating=5, title="Super", text="Parfaite.")
    review(product, rating=2, title="Bof", text="Lourde.")
    review(product, rating=1, approved=False)  # not public

    response = Caller(None).get("products/perceuse/reviews", {"page_size": 1, "sort": "highest"})

    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == {
        "count": 2,
        "average": "3.50",
        "distribution": [
            {"stars": 5, "count": 1, "percent": 50},
            {"stars": 4, "count": 0, "percent": 0},
            {"stars": 3, "count": 0, "percent": 0},
            {"stars": 2, "count": 1, "percent": 50},
            {"stars": 1, "count": 0, "percent": 0},
        ],
    }
    assert body["count"] == 2
    assert body["next"] == "/api/v1/products/perceuse/reviews?sort=highest&page=2&page_size=1"
    [first] = body["results"]
    assert (first["rating"], first["title"], first["author"]) == (5, "Super", "Léa D.")
    assert set(first) == {
        "id",
        "rating",
        "title",
        "text",
        "author",
        "verified_purchase",
        "helpful_count",
        "created_at",
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"sort": "best"}, "INVALID_SORT"),
        ({"page": 0}, "INVALID_PAGINATION"),
        ({"page_size": 101}, "INVALID_PAGINATION"),
        ({"colour": "red"}, "UNKNOWN_PARAMETER"),
    ],
)
def test_bad_list_parameters(product: Product, params: dict[str, Any], code: str) -> None:
    problem(Caller(None).get("products/perceuse/reviews", params), 400, code)


def test_unknown_or_unpublished_product(product: Product) -> None:
    problem(Caller(None).get("products/nope/reviews"), 404, "PRODUCT_NOT_FOUND")
    problem(Caller(None).get("products/nope/questions"), 404, "PRODUCT_NOT_FOUND")
    product.channel_listings.update(is_published=False)
    problem(Caller(None).get("products/perceuse/reviews"), 404, "PRODUCT_NOT_FOUND")


def test_a_product_not_shown_yet_or_in_a_hidden_category(product: Product, lea: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.catalog.models import Category

    assert Caller(None).get("products/perceuse/reviews").status_code == 200
    product.channel_listings.update(published_at=timezone.now() + timedelta(days=2))
    problem(Caller(None).get("products/perceuse/reviews"), 404, "PRODUCT_NOT_FOUND")
    problem(Caller(lea).send("post", "products/perceuse/reviews", REVIEW), 404, "PRODUCT_NOT_FOUND")

    product.channel_listings.update(published_at=None)
    Category.objects.filter(pk=product.category_id).update(is_active=False)
    problem(Caller(None).get("products/perceuse/questions"), 404, "PRODUCT_NOT_FOUND")
    assert not Review.objects.exists()


def test_post_a_review(product: Product, lea: User) -> None:
    response = Caller(lea).send("post", "products/perceuse/reviews", REVIEW)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["rating"], body["product"]) == ("pending", 4, "perceuse")
    assert Review.objects.get(pk=body["id"]).user == lea


def test_the_script_payload_comes_back_as_plain_text(product: Product, lea: User) -> None:
    posted = Caller(lea).send(
        "post", "products/perceuse/reviews", {"rating": 5, "title": XSS, "text": XSS}
    )
    Review.objects.filter(pk=posted.json()["id"]).update(status=ModerationStatus.APPROVED)
    response = Caller(None).get("products/perceuse/reviews")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["results"][0]["text"] == XSS


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**REVIEW, "rating": 0}, 400, "INVALID_RATING"),
        ({**REVIEW, "rating": 6}, 400, "INVALID_RATING"),
        ({**REVIEW, "text": ""}, 400, "TEXT_REQUIRED"),
        ({**REVIEW, "title": "   "}, 400, "TEXT_REQUIRED"),
        ({**REVIEW, "text": "x" * 5001}, 400, "TEXT_TOO_LONG"),
        ({**REVIEW, "text": "\ud800"}, 400, "INVALID_TEXT"),
        ({**REVIEW, "rating": "five"}, 422, "VALIDATION_ERROR"),
        ({"rating": 5}, 422, "VALIDATION_ERROR"),
    ],
)
def test_bad_reviews(product: Product, lea: User, body: Any, status: int, code: str) -> None:
    problem(Caller(lea).send("post", "products/perceuse/reviews", body), status, code)
    assert not Review.objects.exists()


def test_a_second_review_is_a_conflict(product: Product, lea: User) -> None:
    caller = Caller(lea)
    assert caller.send("post", "products/perceuse/reviews", REVIEW).status_code == 201
    problem(caller.send("post", "products/perceuse/reviews", REVIEW), 409, "REVIEW_EXISTS")
    assert Review.objects.count() == 1


def test_posting_needs_an_account(product: Product) -> None:
    anonymous = Caller(None)
    problem(anonymous.send("post", "products/perceuse/reviews", REVIEW), 401, "UNAUTHORIZED")
    problem(
        anonymous.send("post", "products/perceuse/questions", {"text": "?"}), 401, "UNAUTHORIZED"
    )
    problem(anonymous.get("account/reviews"), 401, "UNAUTHORIZED")
    problem(Caller(None).send("post", "products/nope/reviews", REVIEW), 401, "UNAUTHORIZED")


def test_review_of_an_unknown_product(lea: User) -> None:
    problem(Caller(lea).send("post", "products/nope/reviews", REVIEW), 404, "PRODUCT_NOT_FOUND")


@override_settings(COMPTOIR_REVIEWS_RATE_LIMITS={"review": (1, 100, 3600)})
def test_rate_limit_is_a_429(channel: Any, product: Product, lea: User) -> None:
    from comptoir.catalog.tests.factories import published_product

    published_product(channel=channel, slug="scie", name="Scie")
    caller = Caller(lea)
    assert caller.send("post", "products/perceuse/reviews", REVIEW).status_code == 201
    response = caller.send("post", "products/scie/reviews", REVIEW)
    problem(response, 429, "RATE_LIMITED")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Review.objects.count() == 1


def test_votes(product: Product, lea: User, marc: User) -> None:
    theirs = review(product, user=lea)
    first = Caller(marc).send("post", f"reviews/{theirs.pk}/votes")
    again = Caller(marc).send("post", f"reviews/{theirs.pk}/votes")
    assert (first.status_code, first.json()) == (201, {"created": True, "helpful_count": 1})
    assert (again.status_code, again.json()) == (200, {"created": False, "helpful_count": 1})
    problem(Caller(lea).send("post", f"reviews/{theirs.pk}/votes"), 403, "OWN_REVIEW")
    problem(Caller(marc).send("post", "reviews/999999/votes"), 404, "REVIEW_NOT_FOUND")
    problem(Caller(None).send("post", f"reviews/{theirs.pk}/votes"), 401, "UNAUTHORIZED")


def test_own_reviews_edit_and_delete(channel: Any, product: Product, lea: User, marc: User) -> None:
    mine = review(product, user=lea)
    theirs = review(product, user=marc)

    listed = Caller(lea).get("account/reviews").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]

    caller = Caller(lea)
    edited = caller.send("put", f"account/reviews/{mine.pk}", {**REVIEW, "rating": 3})
    assert (edited.status_code, edited.json()["status"]) == (200, "pending")
    assert ProductRating.objects.get(pk=product.pk).count == 1

    # another customer's review: not found, and unchanged
    problem(caller.send("put", f"account/reviews/{theirs.pk}", REVIEW), 404, "REVIEW_NOT_FOUND")
    problem(caller.send("delete", f"account/reviews/{theirs.pk}"), 404, "REVIEW_NOT_FOUND")
    assert Review.objects.get(pk=theirs.pk).rating == 5

    assert caller.send("delete", f"account/reviews/{mine.pk}").status_code == 204
    assert not Review.objects.filter(pk=mine.pk).exists()


def test_questions_and_answers(product: Product, lea: User, marc: User, staff: User) -> None:
    asked = Caller(lea).send("post", "products/perceuse/questions", {"text": "Poids ?"})
    assert (asked.status_code, asked.json()["status"]) == (201, "pending")
    problem(
        Caller(marc).send("post", f"questions/{asked.json()['id']}/answers", {"text": "1 kg"}),
        404,
        "QUESTION_NOT_FOUND",
    )
    public = question(product, text="Batterie ?")
    answer(public, text="Oui.")
    shop = Caller(staff).send("post", f"questions/{public.pk}/answers", {"text": "2 Ah."})
    assert (shop.status_code, shop.json()["status"]) == (201, "approved")
    problem(
        Caller(marc).send("post", f"questions/{public.pk}/answers", {"text": ""}),
        400,
        "TEXT_REQUIRED",
    )

    body = Caller(None).get("products/perceuse/questions").json()
    assert body["count"] == 1
    [shown] = body["results"]
    assert shown["text"] == "Batterie ?"
    assert [(a["text"], a["by_staff"]) for a in shown["answers"]] == [
        ("2 Ah.", True),
        ("Oui.", False),
    ]


def test_public_reads_in_a_constant_number_of_queries(
    product: Product, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        answer(question(product, text=f"Q{n}"))
        review(product, rating=n + 1)
    caller = Caller(None)
    # product, summary, page of reviews
    with django_assert_num_queries(3):
        assert caller.get("products/perceuse/reviews").status_code == 200
    # product, questions, their answers, count
    with django_assert_num_queries(4):
        assert caller.get("products/perceuse/questions").status_code == 200


# --- staff ------------------------------------------------------------------------------------


@pytest.fixture
def admin_api(client: Client, staff: User) -> Api:
    return api_for(staff, client)


def test_moderation_queue_and_decisions(admin_api: Api, product: Product) -> None:
    pending = [review(product, rating=n, approved=False) for n in (5, 3)]
    review(product, rating=1)  # already approved

    queue = admin_api.get("moderation/reviews").json()
    assert [row["id"] for row in queue["results"]] == [r.pk for r in pending]

    decided = admin_api.post(
        "moderation/reviews", {"ids": [r.pk for r in pending], "status": "approved"}
    )
    assert decided.json() == {"changed": 2}
    assert ProductRating.objects.get(pk=product.pk).count == 3
    assert admin_api.get("moderation/reviews").json()["count"] == 0

    asked = Question.objects.create(product=product, user=UserFactory.create(), text="?")
    assert admin_api.get("moderation/questions").json()["results"][0]["id"] == asked.pk
    assert admin_api.post(
        "moderation/questions", {"ids": [asked.pk], "status": "rejected"}
    ).json() == {"changed": 1}
    problem(
        admin_api.post("moderation/answers", {"ids": [1], "status": "ok"}), 400, "INVALID_STATUS"
    )
    problem(admin_api.get("moderation/reviews", {"status": "ok"}), 400, "INVALID_STATUS")


def test_moderation_needs_staff_with_permission(
    client: Client, product: Product, lea: User
) -> None:
    pending = review(product, approved=False)
    body = {"ids": [pending.pk], "status": "approved"}
    problem(Api(client, None).post("moderation/reviews", body), 401, "UNAUTHORIZED")
    problem(api_for(lea).post("moderation/reviews", body), 403, "PERMISSION_DENIED")
    viewer = clerk_api(Client(), "view_review")
    assert viewer.get("moderation/reviews").status_code == 200
    problem(viewer.post("moderation/reviews", body), 403, "PERMISSION_DENIED")
    assert Review.objects.get(pk=pending.pk).status == ModerationStatus.PENDING
