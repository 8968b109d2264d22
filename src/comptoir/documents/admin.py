"""Back-office for the document library: every save and delete goes through
comptoir.documents.services, so a file is checked exactly as through the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from comptoir.core.service_admin import ServiceAdmin, adopt, fresh, read_upload, request_actor
from comptoir.documents import services
from comptoir.documents.models import LibraryDocument

FIELDS = ("title", "kind", "language", "description", "company", "product", "is_active")


@admin.register(LibraryDocument)
class LibraryDocumentAdmin(ServiceAdmin):
    fields = (*FIELDS, "file")
    list_display = ("title", "kind", "company", "product", "language", "is_active", "created_at")
    list_filter = ("kind", "language", "is_active")
    search_fields = ("title", "company__legal_name", "product__name")
    autocomplete_fields = ("company", "product")
    list_select_related = ("company", "product")

    def save_model(
        self, request: HttpRequest, obj: LibraryDocument, form: Any, change: bool
    ) -> None:
        data = {field: form.cleaned_data[field] for field in FIELDS}
        upload = form.cleaned_data.get("file") if "file" in form.changed_data else None
        file_args: dict[str, Any] = {}
        if upload is not None:
            content, name = read_upload(upload)
            file_args = {"file": content, "filename": name}
        if change:
            saved = services.library_document_update(document=fresh(obj), **data, **file_args)
        else:
            company = data.pop("company")
            is_active = data.pop("is_active")
            saved = services.library_document_add(
                **data, **file_args, company=company, created_by=request_actor(request)
            )
            if not is_active:
                saved = services.library_document_update(document=saved, is_active=False)
        adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: LibraryDocument) -> None:
        services.library_document_delete(document=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LibraryDocument]) -> None:
        for document in queryset.order_by("pk"):
            services.library_document_delete(document=document)
