"""The reviews part of the demo store (idempotent, deterministic, through the services):
the demo accounts write approved reviews on the 18 V drill driver (Léa's, a verified purchase: she
bought it in the demo's past order), the 12 V drill driver and the terracotta pot, one
review left pending for the moderation queue, and a question on the 18 V drill answered by
a customer and by the shop. Products missing from a partial demo (`--products N`) are
skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef

from comptoir.catalog.models import Product, ProductVariant
from comptoir.reviews import services
from comptoir.reviews.models import ModerationStatus, Question, Review

Log = Callable[[str], None]
ADMIN = "admin@comptoir.test"
LEA = "lea@example.fr"
# The demo accounts (comptoir.catalog.demo.reference.ACCOUNTS) write the reviews.
KARIM = "acheteur@atelier-martin.fr"
SOPHIE = "direction@atelier-martin.fr"
LOTTE = "achats@bois-co.be"
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
        KARIM,
        4,
        "Très bon rapport qualité-prix",
        "Couple suffisant pour visser dans le chêne. Le mandrin pourrait serrer plus fort.",
        True,
    ),
    (
        "PVS-0201",
        SOPHIE,
        3,
        "Correcte",
        "Fait le travail, mais un peu bruyante. La lampe LED est pratique.",
        True,
    ),
    (
        "PVS-0101",
        LOTTE,
        5,
        "Idéale pour le montage de meubles",
        "Compacte, elle passe partout. Parfaite pour les petits travaux.",
        True,
    ),
    (
        "POT-0101",
        SOPHIE,
        4,
        "Joli pot",
        "Belle terre cuite, trou de drainage bien placé.",
        True,
    ),
    (
        "POT-0101",
        LOTTE,
        2,
        "Arrivé ébréché",
        "Le pot est beau mais le bord était ébréché à la livraison.",
        False,  # waits in the moderation queue
    ),
)
QUESTION = (
    "PVS-0201",
    KARIM,
    "La batterie est-elle fournie avec ce modèle ?",
)
ANSWERS = (
    (LOTTE, "Oui, avec la version « 2 batteries » que j'ai achetée."),
    (
        ADMIN,
        "Selon la variante : la version « sans batterie » n'en contient pas, les autres en ont une ou deux.",
    ),
)


def _quiet(message: str) -> None:
    """Say nothing."""


def _pending() -> tuple[dict[str, int], list[tuple[Any, ...]], bool]:
    """The products of the demo SKUs in the catalog, the demo reviews still to write and
    whether the question is still to ask, in one query (a second run costs just that)."""
    authors = sorted({row[1] for row in REVIEWS})
    flags: dict[str, Any] = {
        f"by_{n}": Exists(Review.objects.filter(product=OuterRef("product_id"), user__email=email))
        for n, email in enumerate(authors)
    }
    flags["asked"] = Exists(
        Question.objects.filter(product=OuterRef("product_id"), user__email=QUESTION[1])
    )
    skus = {row[0] for row in REVIEWS} | {QUESTION[0]}
    rows = {
        row["sku"]: row
        for row in ProductVariant.objects.filter(sku__in=skus)
        .annotate(**flags)
        .values("sku", "product_id", *flags)
    }
    reviews = [
        review
        for review in REVIEWS
        if review[0] in rows and not rows[review[0]][f"by_{authors.index(review[1])}"]
    ]
    ask = QUESTION[0] in rows and not rows[QUESTION[0]]["asked"]
    return {sku: row["product_id"] for sku, row in rows.items()}, reviews, ask


def demo_reviews_load(*, log: Log = _quiet) -> int:
    """Load the demo reviews and questions; returns how many reviews were added."""
    products, reviews, ask = _pending()
    if not reviews and not ask:
        return 0
    emails = {LEA, ADMIN, KARIM, SOPHIE, LOTTE}
    users = {user.email: user for user in get_user_model().objects.filter(email__in=emails)}
    admin = users.get(ADMIN)
    added = 0
    with transaction.atomic():
        for sku, email, rating, title, text, approved in reviews:
            if (author := users.get(email)) is None:
                continue
            created = services.review_create(
                user=author,
                product=Product(pk=products[sku]),
                rating=rating,
                title=title,
                text=text,
            )
            if approved:
                services.reviews_moderate(
                    review_ids=[created.pk], status=ModerationStatus.APPROVED, actor=admin
                )
            added += 1
        if ask:
            _question(users, admin, products[QUESTION[0]])
    if added:
        log(f"Demo reviews: {added} added.")
    return added


def _question(users: dict[str, Any], admin: Any, product_id: int) -> None:
    _sku, email, text = QUESTION
    if (author := users.get(email)) is None:
        return
    question = services.question_create(user=author, product=Product(pk=product_id), text=text)
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
