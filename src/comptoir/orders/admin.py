"""Back-office for orders: the list (filters, search by number or email), the order page
with its lines, parcels and timeline (read-only: an order is a snapshot), a staff note
field, and actions that go through the services (mark parcels delivered, cancel and give
the money back). Order number prefixes per channel are set on the sequences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import ReadOnlyMixin, ServiceAdmin, adopt
from comptoir.orders import services
from comptoir.orders.models import (
    ORDER_TOTALS,
    Fulfilment,
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderSequence,
)
from comptoir.payments import services as payments


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "sku",
        "product_name",
        "variant_name",
        "quantity",
        "quantity_fulfilled",
        "quantity_backordered",
        "quantity_refunded",
        "tax_rate",
        "unit_gross",
        "discount_gross",
        "total_gross",
    )


class FulfilmentInline(ReadOnlyInline):
    model = Fulfilment
    fields = readonly_fields = (
        "sequence",
        "status",
        "carrier",
        "tracking_number",
        "tracking_url",
        "shipped_at",
        "delivered_at",
    )


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "data")
    verbose_name_plural = _("timeline")


class OrderForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Add a staff note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the timeline; never shown to the customer."),
    )

    class Meta:
        model = Order
        fields = ()


ORDER_FIELDS = (
    "number",
    "channel",
    "status",
    "payment_status",
    "payment_method",
    "placed_at",
    "updated_at",
    "user",
    "company",
    "placed_by_staff",
    "email",
    "language",
    "po_number",
    "cost_centre",
    "customer_note",
)
TOTAL_FIELDS = (
    "currency",
    "prices_include_tax",
    *ORDER_TOTALS,
    "amount_paid",
    "amount_refunded",
    "tax_breakdown",
    "tax_treatment",
    "legal_mention",
    "discounts",
    "coupon_codes",
)
DELIVERY_FIELDS = (
    "shipping_method_code",
    "shipping_method_name",
    "pickup_warehouse",
    "shipping_address",
    "billing_address",
)
INTEGRATION_FIELDS = ("checkout_ref", "external_ref", "metadata")


@admin.register(Order)
class OrderAdmin(ServiceAdmin):
    form = OrderForm
    inlines = (OrderLineInline, FulfilmentInline, OrderEventInline)
    list_display = (
        "number",
        "placed_at",
        "channel",
        "email",
        "status",
        "payment_status",
        "total_gross",
        "currency",
    )
    list_filter = ("status", "payment_status", "channel", "payment_method", "placed_at")
    list_select_related = ("channel",)
    search_fields = ("number", "email")
    date_hierarchy = "placed_at"
    readonly_fields = ORDER_FIELDS + TOTAL_FIELDS + DELIVERY_FIELDS + INTEGRATION_FIELDS
    fieldsets = (
        (None, {"fields": (*ORDER_FIELDS, "note")}),
        (_("Totals and taxes"), {"fields": TOTAL_FIELDS}),
        (_("Delivery and addresses"), {"fields": DELIVERY_FIELDS}),
        (_("Integration"), {"fields": INTEGRATION_FIELDS, "classes": ("collapse",)}),
    )
    actions = ("mark_delivered", "cancel_orders")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by checkout

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an order is a record; cancel it instead

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        """Nothing of the order is edited here; a note goes to the timeline."""
        note = form.cleaned_data.get("note", "")
        if note.strip():
            services.order_note_add(order=obj, text=note, actor=request.user)

    @admin.action(description=_("Mark parcels in transit as delivered"), permissions=["change"])
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done, failed = 0, []
        parcels = Fulfilment.objects.filter(
            order__in=queryset, status=FulfilmentStatus.SHIPPED
        ).order_by("pk")
        for fulfilment in parcels:
            try:
                services.fulfilment_mark_delivered(fulfilment=fulfilment, actor=request.user)
                done += 1
            except DomainError as exc:
                failed.append(f"{fulfilment}: {exc.detail}")
        message = ngettext(
            "%(count)d parcel marked delivered.", "%(count)d parcels marked delivered.", done
        )
        self._report(request, done and message % {"count": done}, failed)

    @admin.action(description=_("Cancel and give the money back"), permissions=["change"])
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done, failed = 0, []
        for order in queryset.order_by("pk"):
            try:
                cancelled = services.order_cancel(
                    order=order, actor=request.user, reason=str(_("Cancelled in the back-office."))
                )
            except DomainError as exc:
                failed.append(f"{order.number}: {exc.detail}")
                continue
            done += 1
            for error in payments.order_pay_back(order=cancelled, actor=request.user):
                failed.append(f"{order.number} ({error['reference']}): {error['detail']}")
        message = ngettext("%(count)d order cancelled.", "%(count)d orders cancelled.", done)
        self._report(request, done and message % {"count": done}, failed)

    def _report(self, request: HttpRequest, message: str | int, failed: list[str]) -> None:
        if message:
            self.message_user(request, str(message), level=messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, level=messages.ERROR)


class OrderSequenceForm(forms.ModelForm):
    class Meta:
        model = OrderSequence
        fields = ("channel", "prefix")


@admin.register(OrderSequence)
class OrderSequenceAdmin(ServiceAdmin):
    form = OrderSequenceForm
    list_display = ("channel", "prefix", "last")
    list_select_related = ("channel",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("channel", "last") if obj is not None else ("last",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # numbers would start again at 1

    def save_model(self, request: HttpRequest, obj: OrderSequence, form: Any, change: bool) -> None:
        channel = obj.channel if change else form.cleaned_data["channel"]
        saved = services.order_sequence_set_prefix(
            channel=channel, prefix=form.cleaned_data["prefix"]
        )
        adopt(obj, saved)
