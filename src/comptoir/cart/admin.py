"""Back-office for carts: read-only. Carts change through their customers (the API and the
storefront) and checkout; staff look, e.g. to help someone on the phone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.cart.models import Cart, CartLine
from comptoir.core.service_admin import ReadOnlyMixin


class CartLineInline(ReadOnlyMixin, admin.TabularInline):
    model = CartLine
    extra = 0
    fields = ("variant", "quantity", "saved_for_later", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("variant")


@admin.register(Cart)
class CartAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Carts, most recently changed first. The token (a visitor's key to the cart) is not
    shown."""

    list_display = ("id", "status", "channel", "user", "email", "line_count", "updated_at")
    list_filter = ("status", "channel")
    list_select_related = ("channel", "user")
    search_fields = ("=id", "email", "user__email")
    ordering = ("-updated_at",)
    date_hierarchy = "updated_at"
    inlines = (CartLineInline,)
    fields = (
        "status",
        "channel",
        "user",
        "email",
        "language",
        "shipping_address",
        "billing_address",
        "shipping_method",
        "coupon_codes",
        "customer_note",
        "metadata",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, obj: Cart) -> int:
        return int(getattr(obj, "line_count", 0))
