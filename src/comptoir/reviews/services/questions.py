"""Writes of product questions and answers: customers ask, customers and staff answer, staff
moderate. A staff member's answer is the shop's: flagged `by_staff` and public at once
(the moderator wrote it); everything else waits for moderation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core.errors import NotFound
from comptoir.reviews.models import (
    ANSWER_TEXT_MAX,
    QUESTION_TEXT_MAX,
    Answer,
    ModerationStatus,
    Question,
)
from comptoir.reviews.services._common import (
    author_name,
    rate_limit_hit,
    status_check,
    text_clean,
)


def question_create(
    *,
    user: Any,
    product: Product,
    text: object,
    language: str = "fr",
    client_ip: str | None = None,
) -> Question:
    """A question about `product`, pending moderation. TEXT_REQUIRED, TEXT_TOO_LONG,
    INVALID_TEXT, RATE_LIMITED."""
    cleaned = text_clean(text, field="text", limit=QUESTION_TEXT_MAX, multiline=True)
    rate_limit_hit(action="question", user_id=user.pk, client_ip=client_ip)
    return Question.objects.create(
        product=product,
        user=user,
        author_name=author_name(user),
        language=language[:8],
        text=cleaned,
    )


def answer_create(
    *,
    user: Any,
    question_id: int,
    text: object,
    language: str = "fr",
    client_ip: str | None = None,
) -> Answer:
    """An answer to an approved question: pending moderation, or public at once and
    flagged as the shop's when `user` is staff. 404 QUESTION_NOT_FOUND for a question that
    is not public; TEXT_REQUIRED, TEXT_TOO_LONG, INVALID_TEXT, RATE_LIMITED."""
    question = Question.objects.filter(pk=question_id, status=ModerationStatus.APPROVED).first()
    if question is None:
        raise NotFound(_("No such question."), code="QUESTION_NOT_FOUND")
    cleaned = text_clean(text, field="text", limit=ANSWER_TEXT_MAX, multiline=True)
    staff = bool(getattr(user, "is_staff", False))
    if not staff:
        rate_limit_hit(action="answer", user_id=user.pk, client_ip=client_ip)
    return Answer.objects.create(
        question=question,
        user=user,
        author_name=author_name(user),
        language=language[:8],
        text=cleaned,
        by_staff=staff,
        status=ModerationStatus.APPROVED if staff else ModerationStatus.PENDING,
        moderated_at=timezone.now() if staff else None,
        moderated_by=user if staff else None,
    )


def _moderate(model: type[Model], ids: Iterable[int], status: object, actor: Any) -> int:
    new_status = status_check(status)
    with transaction.atomic():
        locked = list(
            model._default_manager.select_for_update().filter(pk__in=list(ids)).order_by("pk")
        )
        changed = [row for row in locked if getattr(row, "status", None) != new_status]
        now = timezone.now()
        for row in changed:
            row.status = new_status  # type: ignore[attr-defined]
            row.moderated_at = now  # type: ignore[attr-defined]
            row.moderated_by = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
            row.updated_at = now  # type: ignore[attr-defined]
        model._default_manager.bulk_update(
            changed, ["status", "moderated_at", "moderated_by", "updated_at"]
        )
    return len(changed)


def questions_moderate(*, question_ids: Iterable[int], status: object, actor: Any = None) -> int:
    """Set the moderation status of the questions; how many changed. INVALID_STATUS."""
    return _moderate(Question, question_ids, status, actor)


def answers_moderate(*, answer_ids: Iterable[int], status: object, actor: Any = None) -> int:
    """Set the moderation status of the answers; how many changed. INVALID_STATUS."""
    return _moderate(Answer, answer_ids, status, actor)
