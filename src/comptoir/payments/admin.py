"""Back-office for payments: read-only payments with their ledger; bank transfers are
marked received (for what is still due) through `payments.services.payment_mark_received`,
like the API does. Refunds and voids go through the staff API or the order's page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.errors import DomainError
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentMethod, PaymentTransaction


class TransactionInline(admin.TabularInline):
    model = PaymentTransaction
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "kind",
        "result",
        "amount",
        "provider_ref",
        "error_code",
        "key",
        "actor",
        "raw",
    )
    readonly_fields = fields
    ordering = ("pk",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("payments.view_payment"))


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "method",
        "state",
        "amount",
        "currency",
        "amount_captured",
        "amount_refunded",
        "order",
        "created_at",
    )
    list_filter = ("method", "state")
    search_fields = ("reference", "provider_ref", "checkout_ref", "order__number", "email")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    inlines = [TransactionInline]
    actions = ["mark_received"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Payments are never edited here (the page is read-only); the change permission
        is what the "mark received" action asks for."""
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Mark bank transfers received"), permissions=["change"])
    def mark_received(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        done = 0
        for payment in queryset.filter(method=PaymentMethod.BANK_TRANSFER).order_by("pk"):
            due = payment.amount - payment.amount_captured
            try:
                services.payment_mark_received(payment=payment, amount=due, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{payment.reference}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        skipped = queryset.exclude(method=PaymentMethod.BANK_TRANSFER).count()
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d payment is not a bank transfer and was left as it is.",
                    "%(n)d payments are not bank transfers and were left as they are.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(n)d bank transfer marked received.",
                    "%(n)d bank transfers marked received.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
