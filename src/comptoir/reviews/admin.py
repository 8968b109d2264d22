"""The moderation queue: reviews, questions and answers listed pending first (the list shows
the pending ones unless another status is picked), approved or rejected in bulk through the
services, so each product's rating stays right. Texts are read-only here: staff decide,
customers write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.service_admin import ReadOnlyMixin, ServiceAdmin, request_actor
from comptoir.reviews import services
from comptoir.reviews.models import Answer, ModerationStatus, ProductRating, Question, Review

ALL = "all"


class StatusFilter(admin.SimpleListFilter):
    """Moderation status, pending by default (the queue)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*ModerationStatus.choices, (ALL, _("All"))]

    def value(self) -> str:
        return str(super().value() or ModerationStatus.PENDING)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset if value == ALL else queryset.filter(status=value)

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ModerationAdmin(ServiceAdmin):
    """Shared by the three queues: the subclass names its moderation service."""

    list_filter = (StatusFilter,)
    list_per_page = 50
    actions = ("approve", "reject")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def moderate(self, ids: list[int], status: str, actor: Any) -> int:
        raise NotImplementedError

    def _decide(self, request: HttpRequest, queryset: QuerySet[Any], status: str) -> None:
        changed = self.moderate(
            list(queryset.values_list("pk", flat=True)), status, request_actor(request)
        )
        self.message_user(
            request,
            ngettext("%(n)d item moderated.", "%(n)d items moderated.", changed) % {"n": changed},
            level=messages.SUCCESS,
        )

    @admin.action(description=_("Approve the selected items"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._decide(request, queryset, ModerationStatus.APPROVED)

    @admin.action(description=_("Reject the selected items"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._decide(request, queryset, ModerationStatus.REJECTED)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Only the status is editable: it changes through the moderation service."""
        if "status" in form.changed_data:
            self.moderate([obj.pk], obj.status, request_actor(request))


@admin.register(Review)
class ReviewAdmin(ModerationAdmin):
    list_display = (
        "title",
        "rating",
        "product",
        "author_name",
        "verified_purchase",
        "status",
        "created_at",
    )
    list_select_related = ("product",)
    search_fields = ("title", "product__name", "user__email")
    fields = (
        "product",
        "user",
        "author_name",
        "rating",
        "title",
        "text",
        "verified_purchase",
        "helpful_count",
        "status",
        "moderated_at",
        "moderated_by",
    )
    readonly_fields = tuple(name for name in fields if name != "status")

    def moderate(self, ids: list[int], status: str, actor: Any) -> int:
        return services.reviews_moderate(review_ids=ids, status=status, actor=actor)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.review_delete(review=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for review in queryset.order_by("pk"):
            services.review_delete(review=review)


@admin.register(Question)
class QuestionAdmin(ModerationAdmin):
    list_display = ("__str__", "product", "author_name", "status", "created_at")
    list_select_related = ("product",)
    search_fields = ("text", "product__name", "user__email")
    fields = ("product", "user", "author_name", "text", "status", "moderated_at", "moderated_by")
    readonly_fields = tuple(name for name in fields if name != "status")

    def moderate(self, ids: list[int], status: str, actor: Any) -> int:
        return services.questions_moderate(question_ids=ids, status=status, actor=actor)


@admin.register(Answer)
class AnswerAdmin(ModerationAdmin):
    list_display = ("__str__", "question", "author_name", "by_staff", "status", "created_at")
    list_select_related = ("question",)
    search_fields = ("text", "question__text", "user__email")
    fields = (
        "question",
        "user",
        "author_name",
        "text",
        "by_staff",
        "status",
        "moderated_at",
        "moderated_by",
    )
    readonly_fields = tuple(name for name in fields if name != "status")

    def moderate(self, ids: list[int], status: str, actor: Any) -> int:
        return services.answers_moderate(answer_ids=ids, status=status, actor=actor)


@admin.register(ProductRating)
class ProductRatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "product",
        "average",
        "count",
        "stars_5",
        "stars_4",
        "stars_3",
        "stars_2",
        "stars_1",
    )
    list_select_related = ("product",)
    ordering = ("-count",)
    search_fields = ("product__name",)
