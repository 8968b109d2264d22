"""Back-office for quotes, read-only: the list (filters by state, search by number or
company), each quote with its lines, revisions (what the buyer was sent), comments and
its audit trail (who changed what). Negotiation goes through the staff API, which calls
the services (docs/quotes.md)."""

from __future__ import annotations

from django.contrib import admin

from comptoir.core.service_admin import ReadOnlyMixin
from comptoir.quotes.models import (
    QUOTE_TOTALS,
    Quote,
    QuoteComment,
    QuoteEvent,
    QuoteLine,
    QuoteRevision,
)


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = readonly_fields = (
        "sku",
        "product_name",
        "quantity",
        "list_unit_net",
        "target_unit_net",
        "unit_net",
        "tax_rate",
        "total_net",
    )


class QuoteRevisionInline(ReadOnlyInline):
    model = QuoteRevision
    fields = readonly_fields = ("version", "author", "comment", "created_at", "snapshot")


class QuoteCommentInline(ReadOnlyInline):
    model = QuoteComment
    fields = readonly_fields = ("author", "by_staff", "body", "created_at")


class QuoteEventInline(ReadOnlyInline):
    model = QuoteEvent
    fields = readonly_fields = ("created_at", "actor", "kind", "data")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "company", "state", "total_net", "expires_at", "version")
    list_filter = ("state",)
    list_select_related = ("company",)
    search_fields = ("number", "company__legal_name")
    readonly_fields = (
        "number",
        "company",
        "requested_by",
        "channel",
        "currency",
        "state",
        "expires_at",
        "version",
        "order",
        "discount_percent",
        "shipping_method_name",
        "tax_treatment",
        *QUOTE_TOTALS,
    )
    fields = readonly_fields
    inlines = (QuoteLineInline, QuoteRevisionInline, QuoteCommentInline, QuoteEventInline)
