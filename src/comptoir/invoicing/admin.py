"""Back-office of invoicing: read-only. Issued invoices and credit notes never change
(corrections are credit notes, issued through the staff API); billing accounts change
through the staff API, which keeps who changed them (docs/invoicing.md). Payment terms
are reference data, read here too."""

from __future__ import annotations

from django.contrib import admin

from comptoir.core.service_admin import ReadOnlyMixin
from comptoir.invoicing.models import (
    BillingAccount,
    BillingAccountChange,
    Invoice,
    PaymentAllocation,
    PaymentTerms,
    ReceivedPayment,
)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(PaymentTerms)
class PaymentTermsAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "net_days", "end_of_month", "discount_percent", "discount_days")


class ChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = BillingAccountChange
    fields = ("changed_at", "changed_by", "terms_code", "on_account_allowed", "credit_limit")
    readonly_fields = fields
    extra = 0


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdmin):
    list_display = ("company", "terms", "on_account_allowed", "credit_limit", "changed_by")
    list_select_related = ("company", "terms", "changed_by")
    search_fields = ("company__legal_name",)
    inlines = (ChangeInline,)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "status", "company", "issue_date", "due_date", "total_gross")
    list_filter = ("kind", "status")
    list_select_related = ("company",)
    search_fields = ("number", "order_number", "po_number", "company__legal_name")
    date_hierarchy = "issue_date"


class AllocationInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentAllocation
    fields = ("invoice", "amount")
    readonly_fields = fields
    extra = 0


@admin.register(ReceivedPayment)
class ReceivedPaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "company", "received_on", "amount", "unallocated", "method")
    list_select_related = ("company",)
    search_fields = ("reference", "company__legal_name")
    inlines = (AllocationInline,)
