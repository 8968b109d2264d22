"""Back-office for shipping: zones (countries a channel ships to) and their methods, a
method's weight brackets inline. Every save and delete goes through
comptoir.shipping.services with the staff member as `actor`, so the same rules apply as in
the API and each change is written once to the object's history (the admin's own LogEntry
calls are turned off here)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import (
    ServiceAdmin,
    ServiceForm,
    adopt,
    fresh,
    inline_pairs,
    request_actor,
)
from comptoir.shipping import services
from comptoir.shipping.models import ShippingMethod, ShippingZone, WeightBracket

METHOD_FIELDS = services.METHOD_FIELDS


class ShippingAdmin(ServiceAdmin):
    """Saves through the services, which record every write in the object's history."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return []


# --- zones ------------------------------------------------------------------------------------


class ZoneForm(ServiceForm):
    countries = forms.CharField(
        label=_("countries"),
        max_length=2000,
        help_text=_("ISO 3166-1 alpha-2 codes separated by commas or spaces: FR, MC."),
    )

    class Meta:
        model = ShippingZone
        fields = ("channel", "name", "countries", "is_active", "external_ref", "metadata")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "countries" in self.fields:
            self.initial["countries"] = ", ".join(self.instance.countries or ())

    def clean_countries(self) -> list[str]:
        raw = self.cleaned_data.get("countries") or ""
        try:
            return services.countries_parse([c for c in re.split(r"[\s,;]+", raw) if c])
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None


class MethodLinks:
    """The methods of a zone as links, on its page and in the list."""

    @admin.display(description=_("methods"))
    def method_links(self, obj: ShippingZone) -> SafeString | str:
        if obj.pk is None:
            return _("Save the zone first, then add its methods.")
        url = reverse("admin:shipping_shippingmethod_changelist")
        add = reverse("admin:shipping_shippingmethod_add")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:shipping_shippingmethod_change", args=[m.pk]), m.name)
                for m in obj.methods.all()
            ),
        )
        return format_html(
            '{} · <a href="{}?zone__id__exact={}">{}</a> · <a href="{}?zone={}">{}</a>',
            links or "—",
            url,
            obj.pk,
            _("list"),
            add,
            obj.pk,
            _("add a method"),
        )


@admin.register(ShippingZone)
class ShippingZoneAdmin(MethodLinks, ShippingAdmin):
    form = ZoneForm
    list_display = ("name", "channel", "country_list", "is_active", "method_count")
    list_select_related = ("channel",)
    list_filter = ("channel", "is_active")
    search_fields = ("name", "external_ref")
    readonly_fields = ("method_links",)
    fieldsets = (
        (None, {"fields": ("channel", "name", "countries", "is_active", "method_links")}),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShippingZone]:
        return (
            super()
            .get_queryset(request)
            .annotate(method_total=Count("methods"))
            .prefetch_related("methods")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The methods' prices are in the channel's currency: a zone keeps its channel.
        return ("channel", "method_links") if obj is not None else ("method_links",)

    @admin.display(description=_("countries"))
    def country_list(self, obj: ShippingZone) -> str:
        return ", ".join(obj.countries or ())

    @admin.display(description=_("methods"), ordering="method_total")
    def method_count(self, obj: ShippingZone) -> int:
        return getattr(obj, "method_total", 0)

    def save_model(self, request: HttpRequest, obj: ShippingZone, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data.get(f) for f in services.ZONE_FIELDS}
        data["external_ref"] = data["external_ref"] or None
        data["metadata"] = data["metadata"] or {}
        if change:
            adopt(
                obj,
                services.shipping_zone_update(
                    zone=fresh(obj), actor=request_actor(request), **data
                ),
            )
        else:
            adopt(
                obj,
                services.shipping_zone_create(
                    channel=form.cleaned_data["channel"], actor=request_actor(request), **data
                ),
            )

    def delete_model(self, request: HttpRequest, obj: ShippingZone) -> None:
        services.shipping_zone_delete(zone=obj, actor=request_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ShippingZone]) -> None:
        for zone in queryset.order_by("pk"):
            services.shipping_zone_delete(zone=zone, actor=request_actor(request))


# --- methods and brackets ---------------------------------------------------------------------


class WeightBracketInline(admin.TabularInline):
    """Saved with its method by the method's service, which replaces every bracket at
    once (see ShippingMethodAdmin.save_related)."""

    model = WeightBracket
    fields = ("up_to_grams", "price")
    extra = 1
    verbose_name_plural = _("weight brackets (weight-based methods: the lightest that holds it)")


class MethodForm(ServiceForm):
    class Meta:
        model = ShippingMethod
        fields = ("zone", *METHOD_FIELDS)

    def validate_unique(self) -> None:
        # The service explains a taken code in words (METHOD_CODE_TAKEN).
        if not self.errors:
            super().validate_unique()


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ShippingAdmin):
    form = MethodForm
    inlines = (WeightBracketInline,)
    list_display = (
        "name",
        "code",
        "zone",
        "channel",
        "kind",
        "price",
        "free_over",
        "bracket_summary",
        "position",
        "is_active",
    )
    list_select_related = ("zone", "zone__channel")
    list_filter = ("zone__channel", "zone", "kind", "is_active")
    search_fields = ("code", "name", "name_en", "zone__name", "external_ref")
    fieldsets = (
        (None, {"fields": ("zone", "code", "name", "name_en", "kind", "is_active", "position")}),
        (_("Description"), {"fields": ("description", "description_en")}),
        (
            _("Price"),
            {"fields": ("price", "free_over", "tax_class", "min_weight_grams", "max_weight_grams")},
        ),
        (
            _("Delivery"),
            {"fields": ("pickup_warehouse", "delivery_days_min", "delivery_days_max")},
        ),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShippingMethod]:
        return super().get_queryset(request).prefetch_related("brackets")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("zone",) if obj is not None else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        zone = request.GET.get("zone")
        if zone and zone.isdigit():
            initial["zone"] = zone
        return initial

    @admin.display(description=_("channel"), ordering="zone__channel")
    def channel(self, obj: ShippingMethod) -> str:
        return str(obj.zone.channel)

    @admin.display(description=_("weight brackets"))
    def bracket_summary(self, obj: ShippingMethod) -> str:
        return ", ".join(f"≤ {b.up_to_grams} g: {b.price}" for b in obj.brackets.all())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved with its brackets in `save_related`."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        brackets = inline_pairs(formsets, "up_to_grams", "price")
        obj = form.instance
        data = {f: form.cleaned_data.get(f) for f in METHOD_FIELDS}
        data["external_ref"] = data["external_ref"] or None
        data["metadata"] = data["metadata"] or {}
        if change:
            method = services.shipping_method_update(
                method=fresh(obj), brackets=brackets, actor=request_actor(request), **data
            )
        else:
            method = services.shipping_method_create(
                zone=form.cleaned_data["zone"],
                brackets=brackets,
                actor=request_actor(request),
                **data,
            )
        adopt(obj, method)

    def delete_model(self, request: HttpRequest, obj: ShippingMethod) -> None:
        services.shipping_method_delete(method=obj, actor=request_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ShippingMethod]) -> None:
        for method in queryset.order_by("pk"):
            services.shipping_method_delete(method=method, actor=request_actor(request))
