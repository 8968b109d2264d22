"""Requisition lists in the back-office: read-only (company members change them), e.g. to
help a buyer on the phone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from comptoir.core.service_admin import ReadOnlyMixin
from comptoir.requisitions.models import RequisitionList, RequisitionListLine


class RequisitionListLineInline(ReadOnlyMixin, admin.TabularInline):
    model = RequisitionListLine
    fields = ("variant", "quantity", "note", "created_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("variant")


@admin.register(RequisitionList)
class RequisitionListAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "company", "owner", "shared", "updated_at")
    list_filter = ("shared",)
    list_select_related = ("company", "owner")
    search_fields = ("name", "company__legal_name", "owner__email")
    readonly_fields = ("company", "owner", "name", "shared", "created_at", "updated_at")
    inlines = (RequisitionListLineInline,)
