"""Concurrency on PostgreSQL, with threads (each its own connection) released together past
the services' pre-checks: one review per customer and product, one vote per customer and
review, and concurrent moderation decisions that all count in the product's rating."""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product
from comptoir.core.testing import race
from comptoir.reviews import services
from comptoir.reviews.models import ModerationStatus, ProductRating, Review, ReviewVote
from comptoir.reviews.services import reviews
from comptoir.reviews.tests.factories import review

pytestmark = pytest.mark.postgres


def test_a_double_post_gives_one_review(
    transactional_db: Any, product: Product, lea: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = [
        lambda: services.review_create(user=lea, product=product, rating=5, title="t", text="x")
        for _ in range(3)
    ]
    outcomes = race(monkeypatch, reviews, "has_purchased", calls)
    assert Counter(outcomes) == {"ok": 1, "REVIEW_EXISTS": 2}
    assert Review.objects.filter(user=lea, product=product).count() == 1


def test_a_double_post_through_the_api_is_a_409(
    transactional_db: Any, product: Product, lea: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api_token_create(user=lea)[0]
    statuses: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        response = Client().post(
            "/api/v1/products/perceuse/reviews",
            data=json.dumps({"rating": 4, "title": "Bien", "text": "Solide."}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        with lock:
            statuses.append((response.status_code, response.json().get("code", "")))

    outcomes = race(monkeypatch, reviews, "has_purchased", [post, post])
    assert outcomes == ["ok", "ok"]
    assert sorted(statuses) == [(201, ""), (409, "REVIEW_EXISTS")]
    assert Review.objects.filter(user=lea).count() == 1


def test_concurrent_votes_count_once(
    transactional_db: Any, product: Product, lea: User, marc: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = review(product, user=lea)
    calls = [lambda: services.review_vote(user=marc, review_id=theirs.pk) for _ in range(3)]
    assert race(monkeypatch, reviews, "public_review", calls) == ["ok"] * 3
    assert ReviewVote.objects.filter(review=theirs).count() == 1
    assert Review.objects.get(pk=theirs.pk).helpful_count == 1


def _approve(review_id: int) -> int:
    return services.reviews_moderate(review_ids=[review_id], status=ModerationStatus.APPROVED)


def test_concurrent_approvals_all_count_in_the_rating(
    transactional_db: Any, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = [
        review(product, user=UserFactory.create(), rating=stars, approved=False)
        for stars in (5, 4, 3, 1)
    ]
    calls: list[Callable[[], Any]] = [functools.partial(_approve, row.pk) for row in pending]
    outcomes = race(monkeypatch, reviews, "status_check", calls)
    assert outcomes == ["ok"] * 4
    rating = ProductRating.objects.get(pk=product.pk)
    assert (rating.count, rating.average) == (4, Decimal("3.25"))
    assert (rating.stars_1, rating.stars_3, rating.stars_4, rating.stars_5) == (1, 1, 1, 1)
