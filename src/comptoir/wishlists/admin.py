"""Wishlists in the back-office: read-only (customers change them)."""

from __future__ import annotations

from django.contrib import admin

from comptoir.core.service_admin import ReadOnlyMixin
from comptoir.wishlists.models import Wishlist, WishlistItem


class WishlistItemInline(ReadOnlyMixin, admin.TabularInline):
    model = WishlistItem
    fields = ("product", "variant", "added_at")
    readonly_fields = fields
    extra = 0


@admin.register(Wishlist)
class WishlistAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "created_at", "updated_at")
    search_fields = ("user__email",)
    readonly_fields = ("user", "created_at", "updated_at")
    exclude = ("share_token",)
    inlines = (WishlistItemInline,)
