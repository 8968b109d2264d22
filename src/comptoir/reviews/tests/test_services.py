"""The review and question services: each rule, bad input (nothing written), moderation
keeping the product's rating right, votes, and the rate limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product, ProductVariant
from comptoir.core.errors import DomainError
from comptoir.orders.tests.factories import make_order
from comptoir.reviews import selectors, services
from comptoir.reviews.models import (
    Answer,
    ModerationStatus,
    ProductRating,
    Question,
    Review,
    ReviewVote,
)
from comptoir.reviews.tests.factories import question, review

pytestmark = pytest.mark.django_db

APPROVED, REJECTED, PENDING = (
    ModerationStatus.APPROVED,
    ModerationStatus.REJECTED,
    ModerationStatus.PENDING,
)


def refused(code: str, call: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.errors
    return caught.value


def rating_of(product: Product) -> tuple[int, Decimal, list[int]]:
    row = ProductRating.objects.get(pk=product.pk)
    return row.count, row.average, [getattr(row, f"stars_{n}") for n in range(1, 6)]


# --- writing a review ------------------------------------------------------------------------


def test_a_new_review_waits_for_moderation(product: Product, lea: User) -> None:
    created = services.review_create(
        user=lea, product=product, rating=4, title="  Bien  ", text="Bonne\r\nperceuse.\n"
    )

    assert (created.status, created.rating, created.title, created.text) == (
        PENDING,
        4,
        "Bien",
        "Bonne\nperceuse.",
    )
    assert created.author_name == "Léa D."
    assert created.verified_purchase is False
    assert selectors.product_reviews(product_id=product.pk) == []
    assert selectors.rating_summary(product_id=product.pk).count == 0


def test_author_without_a_name_is_not_shown_by_email(product: Product) -> None:
    anonymous = UserFactory.create(first_name="", last_name="")
    assert review(product, user=anonymous).author_name == ""


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", None, 4.5])
def test_rating_must_be_1_to_5(product: Product, lea: User, rating: Any) -> None:
    error = refused(
        "INVALID_RATING",
        services.review_create,
        user=lea,
        product=product,
        rating=rating,
        title="t",
        text="x",
    )
    assert "rating" in error.errors
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("title", "text", "code", "field"),
    [
        ("", "texte", "TEXT_REQUIRED", "title"),
        ("titre", "   \n\t ", "TEXT_REQUIRED", "text"),
        ("titre", "\x00\x01\x02", "TEXT_REQUIRED", "text"),
        ("t" * 151, "texte", "TEXT_TOO_LONG", "title"),
        ("titre", "x" * 5001, "TEXT_TOO_LONG", "text"),
        ("titre", "bad \ud800 surrogate", "INVALID_TEXT", "text"),
        (None, "texte", "TEXT_REQUIRED", "title"),
    ],
)
def test_bad_text_is_refused(
    product: Product, lea: User, *, title: Any, text: Any, code: str, field: str
) -> None:
    error = refused(
        code, services.review_create, user=lea, product=product, rating=5, title=title, text=text
    )
    assert field in error.errors
    assert not Review.objects.exists()


def test_every_bad_field_is_reported_at_once(product: Product, lea: User) -> None:
    error = refused(
        "INVALID_RATING",
        services.review_create,
        user=lea,
        product=product,
        rating=9,
        title="",
        text="",
    )
    assert set(error.errors) == {"rating", "title", "text"}


def test_control_characters_and_bidi_overrides_are_stripped(product: Product, lea: User) -> None:
    created = services.review_create(
        user=lea,
        product=product,
        rating=5,
        title="Top\x07 \u202eproduit\n",
        text="ligne 1\x1b[31m\n\n\n\nligne 2\u2066",
    )
    assert created.title == "Top produit"
    assert created.text == "ligne 1[31m\n\nligne 2"


def test_html_is_stored_as_typed_never_interpreted(product: Product, lea: User) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    created = services.review_create(
        user=lea, product=product, rating=5, title=payload, text=payload
    )
    # Plain text: escaped wherever shown (tests of the page and the API check that).
    assert created.title == created.text == payload


def test_one_review_per_customer_and_product(product: Product, lea: User, marc: User) -> None:
    review(product, user=lea)
    refused(
        "REVIEW_EXISTS",
        services.review_create,
        user=lea,
        product=product,
        rating=1,
        title="Encore",
        text="Deuxième avis",
    )
    review(product, user=marc)  # another customer may
    assert Review.objects.filter(product=product).count() == 2


def test_verified_purchase_needs_a_paid_order_of_the_product(
    channel: Any, product: Product, lea: User, marc: User
) -> None:
    variant = ProductVariant.objects.get(product=product)
    make_order(items=[(variant, 1)], channel=channel, user=lea, paid=True)
    make_order(items=[(variant, 1)], channel=channel, user=marc, paid=False)  # not paid

    assert review(product, user=lea).verified_purchase is True
    assert review(product, user=marc).verified_purchase is False


# --- moderation and the rating ---------------------------------------------------------------


def test_moderation_keeps_the_rating_right(product: Product) -> None:
    five = review(product, rating=5, approved=False)
    four = review(product, rating=4, approved=False)
    one = review(product, rating=1, approved=False)

    assert services.reviews_moderate(review_ids=[five.pk, four.pk, one.pk], status=APPROVED) == 3
    assert rating_of(product) == (3, Decimal("3.33"), [1, 0, 0, 1, 1])

    assert services.reviews_moderate(review_ids=[one.pk], status=REJECTED) == 1
    assert rating_of(product) == (2, Decimal("4.50"), [0, 0, 0, 1, 1])

    # approving again an approved review changes nothing
    assert services.reviews_moderate(review_ids=[five.pk], status=APPROVED) == 0

    services.review_delete(review=four)
    assert rating_of(product) == (1, Decimal("5.00"), [0, 0, 0, 0, 1])

    services.reviews_moderate(review_ids=[five.pk], status=PENDING)
    assert rating_of(product) == (0, Decimal("0.00"), [0, 0, 0, 0, 0])


def test_moderation_records_who_and_when(product: Product, staff: User) -> None:
    pending = review(product, approved=False)
    services.reviews_moderate(review_ids=[pending.pk], status=APPROVED, actor=staff)
    pending.refresh_from_db()
    assert pending.moderated_by == staff
    assert pending.moderated_at is not None


@pytest.mark.parametrize("status", ["published", "", None, 1])
def test_unknown_moderation_status(product: Product, status: Any) -> None:
    pending = review(product, approved=False)
    refused("INVALID_STATUS", services.reviews_moderate, review_ids=[pending.pk], status=status)
    assert Review.objects.get(pk=pending.pk).status == PENDING


def test_rating_summaries_of_many_products_in_one_query(
    channel: Any, product: Product, django_assert_num_queries: Any
) -> None:
    from comptoir.catalog.tests.factories import published_product

    other = published_product(channel=channel, slug="scie", name="Scie")
    unrated = published_product(channel=channel, slug="lampe", name="Lampe")
    review(product, rating=5)
    review(product, rating=2)
    review(other, rating=4)

    with django_assert_num_queries(1):
        summaries = selectors.rating_summaries(product_ids=[product.pk, other.pk, unrated.pk])

    assert (summaries[product.pk].count, summaries[product.pk].average) == (2, Decimal("3.50"))
    assert [row.count for row in summaries[product.pk].distribution] == [1, 0, 0, 1, 0]
    assert [row.percent for row in summaries[product.pk].distribution] == [50, 0, 0, 50, 0]
    assert summaries[other.pk].average == Decimal("4.00")
    assert (summaries[unrated.pk].count, summaries[unrated.pk].average) == (0, Decimal("0.00"))


def test_listing_can_sort_and_filter_on_the_rating(channel: Any, product: Product) -> None:
    from comptoir.catalog.tests.factories import published_product

    other = published_product(channel=channel, slug="scie", name="Scie")
    review(product, rating=3)
    review(other, rating=5)
    best = Product.objects.filter(rating__average__gte=4).order_by("-rating__average")
    assert list(best) == [other]


# --- the author's own review ----------------------------------------------------------------


def test_editing_sends_the_review_back_to_moderation(product: Product, lea: User) -> None:
    mine = review(product, user=lea, rating=5)
    updated = services.review_update(
        user=lea, review_id=mine.pk, rating=2, title="Déçue", text="Moins bien."
    )
    assert (updated.status, updated.rating) == (PENDING, 2)
    assert rating_of(product)[0] == 0  # out of the rating until approved again


def test_nobody_else_can_edit_or_delete_a_review(product: Product, lea: User, marc: User) -> None:
    mine = review(product, user=lea)
    refused(
        "REVIEW_NOT_FOUND",
        services.review_update,
        user=marc,
        review_id=mine.pk,
        rating=1,
        title="x",
        text="x",
    )
    refused("REVIEW_NOT_FOUND", services.review_of_author, user=marc, review_id=mine.pk)
    mine.refresh_from_db()
    assert (mine.rating, mine.status) == (5, APPROVED)


# --- helpful votes ---------------------------------------------------------------------------


def test_one_helpful_vote_per_user(product: Product, lea: User, marc: User) -> None:
    theirs = review(product, user=lea)
    first = services.review_vote(user=marc, review_id=theirs.pk)
    again = services.review_vote(user=marc, review_id=theirs.pk)
    assert (first.created, first.helpful_count) == (True, 1)
    assert (again.created, again.helpful_count) == (False, 1)
    assert ReviewVote.objects.count() == 1


def test_no_vote_on_ones_own_review(product: Product, lea: User) -> None:
    mine = review(product, user=lea)
    refused("OWN_REVIEW", services.review_vote, user=lea, review_id=mine.pk)
    assert Review.objects.get(pk=mine.pk).helpful_count == 0


def test_no_vote_on_a_review_that_is_not_public(product: Product, marc: User) -> None:
    pending = review(product, approved=False)
    refused("REVIEW_NOT_FOUND", services.review_vote, user=marc, review_id=pending.pk)
    refused("REVIEW_NOT_FOUND", services.review_vote, user=marc, review_id=10**9)


# --- questions and answers -------------------------------------------------------------------


def test_questions_and_answers_are_moderated(product: Product, lea: User, marc: User) -> None:
    asked = services.question_create(user=lea, product=product, text="Poids ?")
    assert asked.status == PENDING
    assert selectors.product_questions(product_id=product.pk) == []
    refused("QUESTION_NOT_FOUND", services.answer_create, user=marc, question_id=asked.pk, text="x")

    services.questions_moderate(question_ids=[asked.pk], status=APPROVED)
    answered = services.answer_create(user=marc, question_id=asked.pk, text="1,2 kg")
    assert (answered.status, answered.by_staff) == (PENDING, False)
    [shown] = selectors.product_questions(product_id=product.pk)
    assert shown.public_answers == []  # type: ignore[attr-defined]

    services.answers_moderate(answer_ids=[answered.pk], status=APPROVED)
    [shown] = selectors.product_questions(product_id=product.pk)
    assert [a.text for a in shown.public_answers] == ["1,2 kg"]  # type: ignore[attr-defined]


def test_staff_answers_are_the_shops_and_public_at_once(
    product: Product, staff: User, marc: User
) -> None:
    asked = question(product)
    services.answer_create(user=marc, question_id=asked.pk, text="Je crois que oui.")
    shop = services.answer_create(user=staff, question_id=asked.pk, text="Oui, 2 Ah.")
    assert (shop.status, shop.by_staff, shop.moderated_by) == (APPROVED, True, staff)
    services.answers_moderate(
        answer_ids=list(Answer.objects.values_list("pk", flat=True)), status=APPROVED
    )
    [shown] = selectors.product_questions(product_id=product.pk)
    assert [a.by_staff for a in shown.public_answers] == [True, False]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "code"), [("", "TEXT_REQUIRED"), ("?" * 1001, "TEXT_TOO_LONG")])
def test_bad_questions_are_refused(product: Product, lea: User, text: str, code: str) -> None:
    refused(code, services.question_create, user=lea, product=product, text=text)
    assert not Question.objects.exists()


# --- rate limits -----------------------------------------------------------------------------


@override_settings(COMPTOIR_REVIEWS_RATE_LIMITS={"question": (2, 100, 3600)})
def test_questions_per_user_are_limited(product: Product, lea: User, marc: User) -> None:
    for n in range(2):
        services.question_create(user=lea, product=product, text=f"Question {n}")
    error = refused("RATE_LIMITED", services.question_create, user=lea, product=product, text="3")
    assert error.status == 429
    assert 0 < error.retry_after <= 3600  # type: ignore[attr-defined]
    assert Question.objects.count() == 2
    services.question_create(user=marc, product=product, text="Autre client")  # not limited


@override_settings(COMPTOIR_REVIEWS_RATE_LIMITS={"review": (10, 2, 3600)})
def test_reviews_per_address_are_limited(channel: Any, product: Product) -> None:
    from comptoir.catalog.tests.factories import published_product

    products = [product] + [
        published_product(channel=channel, slug=f"p{n}", name=f"P{n}") for n in range(2)
    ]
    for item in products[:2]:
        services.review_create(
            user=UserFactory.create(),
            product=item,
            rating=5,
            title="t",
            text="x",
            client_ip="203.0.113.9",
        )
    refused(
        "RATE_LIMITED",
        services.review_create,
        user=UserFactory.create(),
        product=products[2],
        rating=5,
        title="t",
        text="x",
        client_ip="203.0.113.9",
    )
    services.review_create(
        user=UserFactory.create(),
        product=products[2],
        rating=5,
        title="t",
        text="x",
        client_ip="198.51.100.1",
    )
    assert Review.objects.count() == 3
