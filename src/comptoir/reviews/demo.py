"""The reviews part of the demo store (idempotent, deterministic, through the services):
a few reviewers, approved reviews on the 18 V drill driver (Léa's, a verified purchase: she
bought it in the demo's past order), the 12 V drill driver and the terracotta pot, one
review left pending for the moderation queue, and a question on the 18 V drill answered by
a customer and by the shop. Products missing from a partial demo (`--products N`) are
skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from comptoir.catalog.models import Product
from comptoir.reviews import services
from comptoir.reviews.models import ModerationStatus, Question, Review

Log = Callable[[str], None]
ADMIN = "admin@comptoir.test"
LEA = "lea@example.fr"
# email, first name, last name: customers with no password (they cannot sign in).
REVIEWERS = (
    ("julien.bernard@example.fr", "Julien", "Bernard"),
    ("claire.petit@example.fr", "Claire", "Petit"),
    ("thomas.roux@example.fr", "Thomas", "Roux"),
)
# SKU of a variant of the product, author, rating, title, text, approved
REVIEWS = (
    (
        "PVS-0201",
        LEA,
        5,
        "Parfaite pour la maison",
        "Légère, puissante et la batterie tient longtemps. Montage d'une cuisine entière sans recharger.",
        True,
    ),
    (
        "PVS-0201",
        "julien.bernard@example.fr",
        4,
        "Très bon rapport qualité-prix",
        "Couple suffisant pour visser dans le chêne. Le mandrin pourrait serrer plus fort.",
        True,
    ),
    (
        "PVS-0201",
        "claire.petit@example.fr",
        3,
        "Correcte",
        "Fait le travail, mais un peu bruyante. La lampe LED est pratique.",
        True,
    ),
    (
        "PVS-0101",
        "thomas.roux@example.fr",
        5,
        "Idéale pour le montage de meubles",
        "Compacte, elle passe partout. Parfaite pour les petits travaux.",
        True,
    ),
    (
        "POT-0101",
        "claire.petit@example.fr",
        4,
        "Joli pot",
        "Belle terre cuite, trou de drainage bien placé.",
        True,
    ),
    (
        "POT-0101",
        "thomas.roux@example.fr",
        2,
        "Arrivé ébréché",
        "Le pot est beau mais le bord était ébréché à la livraison.",
        False,  # waits in the moderation queue
    ),
)
QUESTION = (
    "PVS-0201",
    "julien.bernard@example.fr",
    "La batterie est-elle fournie avec ce modèle ?",
)
ANSWERS = (
    ("thomas.roux@example.fr", "Oui, avec la version « 2 batteries » que j'ai achetée."),
    (
        ADMIN,
        "Selon la variante : la version « sans batterie » n'en contient pas, les autres en ont une ou deux.",
    ),
)


def _quiet(message: str) -> None:
    """Say nothing."""


def _product(sku: str) -> Product | None:
    return Product.objects.filter(variants__sku=sku).first()


def _reviewers() -> dict[str, Any]:
    users = get_user_model()
    for email, first_name, last_name in REVIEWERS:
        if not users.objects.filter(email=email).exists():
            users.objects.create_user(email, None, first_name=first_name, last_name=last_name)
    emails = [LEA, ADMIN, *(email for email, _first, _last in REVIEWERS)]
    return {user.email: user for user in users.objects.filter(email__in=emails)}


@transaction.atomic
def demo_reviews_load(*, log: Log = _quiet) -> int:
    """Load the demo reviews and questions; returns how many reviews were added."""
    users = _reviewers()
    admin = users.get(ADMIN)
    added = 0
    for sku, email, rating, title, text, approved in REVIEWS:
        product, author = _product(sku), users.get(email)
        if product is None or author is None:
            continue
        if Review.objects.filter(product=product, user=author).exists():
            continue
        created = services.review_create(
            user=author, product=product, rating=rating, title=title, text=text
        )
        if approved:
            services.reviews_moderate(
                review_ids=[created.pk], status=ModerationStatus.APPROVED, actor=admin
            )
        added += 1
    _question(users, admin)
    if added:
        log(f"Demo reviews: {added} added.")
    return added


def _question(users: dict[str, Any], admin: Any) -> None:
    sku, email, text = QUESTION
    product, author = _product(sku), users.get(email)
    if product is None or author is None:
        return
    if Question.objects.filter(product=product, user=author).exists():
        return
    question = services.question_create(user=author, product=product, text=text)
    services.questions_moderate(
        question_ids=[question.pk], status=ModerationStatus.APPROVED, actor=admin
    )
    for answer_email, answer_text in ANSWERS:
        if (answerer := users.get(answer_email)) is None:
            continue
        answer = services.answer_create(user=answerer, question_id=question.pk, text=answer_text)
        if answer.status != ModerationStatus.APPROVED:
            services.answers_moderate(
                answer_ids=[answer.pk], status=ModerationStatus.APPROVED, actor=admin
            )
