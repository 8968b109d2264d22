"""Back-office: approvals and rules, read-only (rules are managed by the companies'
administrators through the API, approvals decided by their approvers)."""

from __future__ import annotations

from django.contrib import admin

from comptoir.approvals.models import ApprovalRule, OrderApproval
from comptoir.core.service_admin import ReadOnlyMixin


@admin.register(OrderApproval)
class OrderApprovalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "company", "buyer", "status", "total_net", "current_level", "created_at")
    list_filter = ("status",)
    list_select_related = ("company", "buyer")
    search_fields = ("company__legal_name", "buyer__email", "checkout_ref")


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "company", "condition", "threshold", "is_active")
    list_filter = ("condition", "is_active")
    list_select_related = ("company",)
