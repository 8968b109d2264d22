"""The demo reviews: loaded once (a second run adds nothing), approved ones counted in the
products' ratings, Léa's review a verified purchase (her demo order has the drill), one
review left in the queue, and a question answered by a customer and by the shop."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.models import Channel
from comptoir.orders.tests.factories import make_order
from comptoir.reviews import demo
from comptoir.reviews.models import Answer, ModerationStatus, ProductRating, Question, Review

pytestmark = pytest.mark.django_db


def test_the_demo_reviews_load_once(channel: Channel) -> None:
    lea = UserFactory.create(email=demo.LEA, first_name="Léa", last_name="Moreau")
    StaffFactory.create(email=demo.ADMIN)
    for email in (demo.KARIM, demo.SOPHIE, demo.LOTTE):
        UserFactory.create(email=email)
    for sku in ("PVS-0101", "PVS-0201", "POT-0101"):
        product = published_product(channel=channel, slug=sku.lower())
        ProductVariant.objects.filter(product=product).update(sku=sku)
    drill = ProductVariant.objects.get(sku="PVS-0201")
    make_order(items=[(drill, 1)], channel=channel, user=lea, paid=True)

    assert demo.demo_reviews_load() == len(demo.REVIEWS)
    assert demo.demo_reviews_load() == 0
    assert Review.objects.count() == len(demo.REVIEWS)

    rating = ProductRating.objects.get(pk=drill.product_id)
    assert (rating.count, rating.average) == (3, Decimal("4.00"))
    mine = Review.objects.get(user=lea)
    assert (mine.verified_purchase, mine.author_name) == (True, "Léa M.")
    assert Review.objects.filter(status=ModerationStatus.PENDING).count() == 1
    assert Question.objects.get().status == ModerationStatus.APPROVED
    assert list(Answer.objects.order_by("id").values_list("by_staff", "status")) == [
        (False, "approved"),
        (True, "approved"),
    ]


def test_products_missing_from_a_partial_demo_are_skipped(channel: Channel) -> None:
    UserFactory.create(email=demo.LEA)
    assert demo.demo_reviews_load() == 0
    assert not Question.objects.exists()
