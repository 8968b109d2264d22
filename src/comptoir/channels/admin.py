"""Back-office for sales channels; saves go through comptoir.channels.services."""

from __future__ import annotations

from typing import Any

from babel.numbers import is_currency
from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.channels.services import (
    channel_create,
    channel_delete,
    channel_in_use,
    channel_update,
)
from comptoir.core.errors import DomainError

FIELDS = (
    "name",
    "currency",
    "default_language",
    "languages",
    "price_display",
    "default_country",
    "is_active",
    "is_b2b",
)


class ChannelForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages the channel's customers can pick; include the default."),
    )
    default_language = forms.ChoiceField(label=_("default language"), choices=settings.LANGUAGES)

    class Meta:
        model = Channel
        fields = ("code", *FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        languages = data.get("languages") or []
        if data.get("default_language") and data["default_language"] not in languages:
            self.add_error("languages", _("Include the default language."))
        currency = (data.get("currency") or "").upper()
        if currency:
            if not is_currency(currency):
                self.add_error("currency", _("Use an ISO 4217 code such as EUR."))
            data["currency"] = currency
        return data


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = (
        "name",
        "code",
        "currency",
        "default_language",
        "language_list",
        "price_display",
        "is_b2b",
        "is_active",
    )
    list_filter = ("price_display", "is_b2b", "is_active", "currency")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "code", "is_active", "is_b2b")}),
        (
            _("Selling"),
            {"fields": ("currency", "price_display", "default_country")},
        ),
        (_("Languages"), {"fields": ("default_language", "languages")}),
    )

    @admin.display(description=_("languages"))
    def language_list(self, obj: Channel) -> str:
        return ", ".join(obj.languages or [])

    def get_readonly_fields(self, request: HttpRequest, obj: Channel | None = None) -> Any:
        # URLs, settings and integrations refer to a channel by its code.
        return ("code",) if obj is not None else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Channel | None = None) -> Any:
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in FIELDS}
        data["default_country"] = str(data["default_country"])
        try:
            if change:
                saved = channel_update(channel=Channel.objects.get(pk=obj.pk), **data)
            else:
                saved = channel_create(code=form.cleaned_data["code"], **data)
        except DomainError as exc:  # pragma: no cover - the form checks the same rules
            raise forms.ValidationError(exc.detail) from exc
        obj.__dict__.update(saved.__dict__)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # A channel in use is shown as protected: the admin then refuses to delete it, on
        # the object page and in the bulk action alike (channel_delete would refuse too).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            _("%(channel)s: products are listed or priced in this channel.") % {"channel": obj}
            for obj in objs
            if channel_in_use(channel=obj)
        ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Channel) -> None:
        channel_delete(channel=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        for channel in queryset:
            channel_delete(channel=channel)
