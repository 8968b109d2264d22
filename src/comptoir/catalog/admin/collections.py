"""Admin for collections: saved and deleted through comptoir.catalog.services.collections,
so the promotions that target a collection see its changes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.admin.base import ServiceAdmin, adopt, fresh
from comptoir.catalog.models import Collection
from comptoir.catalog.services import collections as services

FIELDS = ("name", "name_en", "slug", "is_active", "position")


@admin.register(Collection)
class CollectionAdmin(ServiceAdmin):
    list_display = ("name", "slug", "position", "is_active", "product_count")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("products",)
    fields = (*FIELDS, "products")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collection]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, obj: Collection) -> int:
        return getattr(obj, "product_total", 0)

    def save_model(self, request: HttpRequest, obj: Collection, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in FIELDS}
        products = list(form.cleaned_data.get("products") or [])
        if change:
            saved = services.collection_update(collection=fresh(obj), **data, products=products)
        else:
            saved = services.collection_create(**data, products=products)
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The products were set by the service; only inline formsets (none) are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Collection) -> None:
        services.collection_delete(collection=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Collection]) -> None:
        for collection in queryset.order_by("pk"):
            services.collection_delete(collection=collection)
