"""Customer reviews (1-5 stars, title, text), helpful votes, the denormalised rating of each
product, and product questions with their answers. Texts are plain text (no HTML), cleaned
by the services and autoescaped on output. Only approved reviews, questions and answers are
public; `ProductRating` counts approved reviews only and is rewritten in the transaction of
every moderation decision."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product
from comptoir.orders.models import Order

TITLE_MAX = 150
REVIEW_TEXT_MAX = 5000
QUESTION_TEXT_MAX = 1000
ANSWER_TEXT_MAX = 2000
AUTHOR_MAX = 100


class ModerationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Moderated(models.Model):
    """What reviews, questions and answers share: an author, a moderation status and who
    decided it, when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("shown as"), max_length=AUTHOR_MAX)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("moderated by"),
    )

    class Meta:
        abstract = True


class Review(Moderated):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"))
    # The author had a paid order of a variant of the product when writing (or editing).
    verified_purchase = models.BooleanField(_("verified purchase"), default=False)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="reviews_review_one_per_user"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="reviews_review_rating_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-id"], name="reviews_review_public"),
            models.Index(fields=["status", "id"], name="reviews_review_queue"),
            models.Index(fields=["user", "-id"], name="reviews_review_user"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 {self.title}"


class ReviewVote(models.Model):
    """A "this review helped me" vote: one per user and review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("helpful vote")
        verbose_name_plural = _("helpful votes")
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.review_id}"


class ProductRating(models.Model):
    """The approved reviews of a product, counted: listing pages filter and sort on it
    without an aggregate. Written only by `comptoir.reviews.services` (rating_refresh)."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, primary_key=True, related_name="rating"
    )
    count = models.PositiveIntegerField(_("reviews"), default=0)
    average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, default=Decimal("0.00")
    )
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product rating")
        verbose_name_plural = _("product ratings")
        indexes = [models.Index(fields=["-average", "-count"], name="reviews_rating_sort")]

    def __str__(self) -> str:
        return f"{self.average} ({self.count})"


class Question(Moderated):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="questions", verbose_name=_("product")
    )
    text = models.TextField(_("question"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["product", "status", "-id"], name="reviews_question_public"),
            models.Index(fields=["status", "id"], name="reviews_question_queue"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Answer(Moderated):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    text = models.TextField(_("answer"))
    # Written by a staff member: shown as the shop's answer.
    by_staff = models.BooleanField(_("staff answer"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["question", "status", "id"], name="reviews_answer_public"),
            models.Index(fields=["status", "id"], name="reviews_answer_queue"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReviewRequest(models.Model):
    """The "review your purchase" email of a delivered order: one per order."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    products = models.JSONField(default=list)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self) -> str:
        return str(self.order_id)
