"""The moderation queue in the back-office: pending items listed by default, bulk approve
and reject through the services (the product's rating follows), a status changed on the
item's page and a deletion going through the services too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import Product
from comptoir.reviews.models import Answer, ModerationStatus, ProductRating, Question, Review
from comptoir.reviews.tests.factories import question, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client, staff: User) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return client


def rating(product: Product) -> tuple[int, Decimal]:
    row = ProductRating.objects.get(pk=product.pk)
    return row.count, row.average


def test_the_queue_lists_pending_reviews_by_default(admin: Client, product: Product) -> None:
    review(product, title="En attente", approved=False)
    review(product, title="Déjà publié")

    queue = admin.get(reverse("admin:reviews_review_changelist")).content.decode()
    everything = admin.get(
        reverse("admin:reviews_review_changelist"), {"status": "all"}
    ).content.decode()

    assert "En attente" in queue
    assert "Déjà publié" not in queue
    assert "Déjà publié" in everything


def test_bulk_approve_and_reject_keep_the_rating_right(admin: Client, product: Product) -> None:
    five = review(product, rating=5, approved=False)
    two = review(product, rating=2, approved=False)
    changelist = reverse("admin:reviews_review_changelist")

    response = admin.post(
        changelist, {"action": "approve", "_selected_action": [five.pk, two.pk]}, follow=True
    )
    assert "2 items moderated." in response.content.decode()
    assert rating(product) == (2, Decimal("3.50"))
    assert Review.objects.get(pk=five.pk).moderated_by is not None

    admin.post(f"{changelist}?status=all", {"action": "reject", "_selected_action": [two.pk]})
    assert rating(product) == (1, Decimal("5.00"))


def test_status_changed_on_the_page_goes_through_the_service(
    admin: Client, product: Product
) -> None:
    pending = review(product, rating=4, approved=False)
    response = admin.post(
        reverse("admin:reviews_review_change", args=[pending.pk]), {"status": "approved"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rating(product) == (1, Decimal("4.00"))
    # texts are the customer's: the page cannot change them
    admin.post(
        reverse("admin:reviews_review_change", args=[pending.pk]),
        {"status": "approved", "title": "Changed"},
    )
    assert Review.objects.get(pk=pending.pk).title == "Très bien"


def test_deleting_an_approved_review_updates_the_rating(admin: Client, product: Product) -> None:
    kept = review(product, rating=5)
    gone = review(product, rating=1)
    response = admin.post(
        reverse("admin:reviews_review_changelist") + "?status=all",
        {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Review.objects.all()) == [kept]
    assert rating(product) == (1, Decimal("5.00"))


def test_questions_and_answers_queues(admin: Client, product: Product) -> None:
    asked = Question.objects.create(product=product, user=UserFactory.create(), text="Poids ?")
    public = question(product)
    reply = Answer.objects.create(question=public, user=UserFactory.create(), text="1 kg")

    assert "Poids ?" in admin.get(reverse("admin:reviews_question_changelist")).content.decode()
    admin.post(
        reverse("admin:reviews_question_changelist"),
        {"action": "approve", "_selected_action": [asked.pk]},
    )
    admin.post(
        reverse("admin:reviews_answer_changelist"),
        {"action": "reject", "_selected_action": [reply.pk]},
    )
    assert Question.objects.get(pk=asked.pk).status == ModerationStatus.APPROVED
    assert Answer.objects.get(pk=reply.pk).status == ModerationStatus.REJECTED
    assert admin.get(reverse("admin:reviews_productrating_changelist")).status_code == 200
    assert admin.get(reverse("admin:reviews_answer_change", args=[reply.pk])).status_code == 200


def test_moderation_needs_the_change_permission(client: Client, product: Product) -> None:
    pending = review(product, approved=False)
    viewer = StaffFactory.create(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_review"))
    client.force_login(viewer)
    response = client.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
    )
    assert response.status_code in {200, 302}
    assert Review.objects.get(pk=pending.pk).status == ModerationStatus.PENDING
