"""Back-office view of the outbox: read-only (events are facts; only the worker changes
them), with the delivery state and last error, and a "retry now" action for staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core import outbox
from comptoir.core.models import OutboxEvent
from comptoir.core.service_admin import ReadOnlyMixin


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("pending", _("Pending")),
            ("failing", _("Failing (retry scheduled)")),
            ("delivered", _("Delivered")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "pending":
            return queryset.filter(delivered_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(delivered_at__isnull=True, attempts__gt=0)
        if self.value() == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "topic",
        "aggregate",
        "aggregate_id",
        "created_at",
        "delivered",
        "attempts",
        "available_at",
    )
    list_filter = (DeliveryFilter, "topic")
    search_fields = ("=aggregate_id", "topic")
    readonly_fields = (
        "topic",
        "aggregate",
        "aggregate_id",
        "payload",
        "created_at",
        "available_at",
        "claimed_until",
        "attempts",
        "delivered_at",
        "last_error",
    )
    fields = readonly_fields
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    show_full_result_count = False

    @admin.display(description=_("delivered"), boolean=True)
    def delivered(self, event: OutboxEvent) -> bool:
        return event.delivered_at is not None

    @admin.action(description=_("Retry the selected undelivered events now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        count = outbox.retry_now(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d event will be delivered again.",
                "%(count)d events will be delivered again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """The model's change permission (events themselves are never edited here)."""
        return request.user.has_perm("core.change_outboxevent")
