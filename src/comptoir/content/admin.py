"""Content pages in the back-office: the form checks through `services.page_clean` (bodies
sanitised with nh3) and saves through `services.page_save`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from comptoir.content import services
from comptoir.content.models import Page
from comptoir.core.errors import InvalidInput


class PageForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = (
            "is_published",
            "in_footer",
            "position",
            "slug",
            "title",
            "body",
            "seo_title",
            "seo_description",
            "slug_en",
            "title_en",
            "body_en",
            "seo_title_en",
            "seo_description_en",
        )

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's hook, not in the stubs
        if self.errors:
            return
        try:
            services.page_clean(self.instance)
        except InvalidInput as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageForm
    list_display = ("title", "title_en", "slug", "slug_en", "is_published", "in_footer", "position")
    list_editable = ("position",)
    list_filter = ("is_published", "in_footer")
    search_fields = ("title", "title_en", "slug", "slug_en")
    fieldsets = (
        (None, {"fields": ("is_published", "in_footer", "position")}),
        ("Français", {"fields": ("slug", "title", "body", "seo_title", "seo_description")}),
        (
            "English",
            {"fields": ("slug_en", "title_en", "body_en", "seo_title_en", "seo_description_en")},
        ),
    )

    def save_model(self, request: HttpRequest, obj: Page, form: Any, change: bool) -> None:
        services.page_save(page=obj)

    def delete_model(self, request: HttpRequest, obj: Page) -> None:
        services.page_delete(page=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for page in queryset:
            services.page_delete(page=page)
