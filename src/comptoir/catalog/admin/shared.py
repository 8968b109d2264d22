"""Admin for shared catalogs: saved and deleted through comptoir.catalog.services.shared,
which makes every process read the assignments again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from comptoir.catalog.admin.base import ServiceAdmin, adopt, fresh
from comptoir.catalog.models import SharedCatalog
from comptoir.catalog.services import shared as services

FIELDS = ("name", "code", "description", "is_active")
RELATED = ("categories", "products", "companies")


@admin.register(SharedCatalog)
class SharedCatalogAdmin(ServiceAdmin):
    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("categories",)
    autocomplete_fields = ("products", "companies")
    fields = (*FIELDS, *RELATED)

    def save_model(self, request: HttpRequest, obj: SharedCatalog, form: Any, change: bool) -> None:
        data: dict[str, Any] = {field: form.cleaned_data[field] for field in FIELDS}
        data["categories"] = [c.pk for c in form.cleaned_data.get("categories") or []]
        data["products"] = list(form.cleaned_data.get("products") or [])
        data["companies"] = [c.pk for c in form.cleaned_data.get("companies") or []]
        if change:
            saved = services.shared_catalog_update(catalog=fresh(obj), **data)
        else:
            saved = services.shared_catalog_create(**data)
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The related rows were set by the service; only inline formsets (none) are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: SharedCatalog) -> None:
        services.shared_catalog_delete(catalog=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SharedCatalog]) -> None:
        for catalog in queryset.order_by("pk"):
            services.shared_catalog_delete(catalog=catalog)
