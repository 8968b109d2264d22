"""Admin for variants: base prices per channel (which keep the product's `price_from`
current) and variant-level attribute values."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from comptoir.catalog import services
from comptoir.catalog.admin.base import ServiceAdmin, ServiceForm, ServiceInline, adopt, fresh
from comptoir.catalog.admin.forms import VariantAttributeValueForm
from comptoir.catalog.admin.products import VARIANT_FIELDS, AttributeValueInline
from comptoir.catalog.models import ProductVariant, VariantAttributeValue, VariantChannelPrice


class PriceForm(ServiceForm):
    class Meta:
        model = VariantChannelPrice
        fields = ("channel", "amount")

    def check(self, data: dict[str, Any]) -> None:
        channel, amount = data.get("channel"), data.get("amount")
        if channel is not None and amount is not None:
            data["amount"] = services.price_check(amount, currency=channel.currency)


class PriceInline(ServiceInline):
    model = VariantChannelPrice
    form = PriceForm
    fields = ("channel", "amount")
    static_choice_fields = ("channel",)
    verbose_name = _("base price")
    verbose_name_plural = _("base prices (tax included in B2C channels, excluded in B2B)")

    def service_save(self, parent: ProductVariant, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if not created and "channel" in form.changed_data:
            services.variant_price_remove(variant=parent, channel=fresh(form.instance).channel)
        return services.variant_price_set(
            variant=parent, channel=data["channel"], amount=data["amount"]
        )

    def service_delete(self, parent: ProductVariant, instance: VariantChannelPrice) -> None:
        services.variant_price_remove(variant=parent, channel=instance.channel)


class VariantAttributeValueInline(AttributeValueInline):
    model = VariantAttributeValue
    form = VariantAttributeValueForm

    def service_save(self, parent: ProductVariant, form: Any, *, created: bool) -> Any:
        attribute = form.cleaned_data["attribute"]
        if not created and "attribute" in form.changed_data:
            services.variant_attribute_set(
                variant=parent, attribute=fresh(form.instance).attribute, value=None
            )
        return services.variant_attribute_set(
            variant=parent, attribute=attribute, value=form.parsed
        )

    def service_delete(self, parent: ProductVariant, instance: VariantAttributeValue) -> None:
        services.variant_attribute_set(variant=parent, attribute=instance.attribute, value=None)


class VariantForm(ServiceForm):
    class Meta:
        model = ProductVariant
        fields = ("product", *VARIANT_FIELDS, "external_ref", "metadata")

    def check(self, data: dict[str, Any]) -> None:
        data["sku"] = services.sku_normalize(data.get("sku", ""))
        data["gtin"] = services.gtin_normalize(data.get("gtin", ""))
        services.measures_check(
            {f: data.get(f) for f in VARIANT_FIELDS if f.endswith(("_mm", "_grams"))}
        )


@admin.register(ProductVariant)
class VariantAdmin(ServiceAdmin):
    form = VariantForm
    list_display = ("sku", "product", "name", "gtin", "weight_grams", "prices")
    list_select_related = ("product",)
    list_filter = (("product__category", admin.RelatedOnlyFieldListFilter),)
    list_per_page = 50
    search_fields = ("sku", "gtin", "name", "product__name", "external_ref")
    search_help_text = _("SKU, GTIN, variant or product name, external reference.")
    autocomplete_fields = ("product",)
    inlines = (PriceInline, VariantAttributeValueInline)
    fieldsets = (
        (None, {"fields": ("product", "sku", "gtin", "name", "name_en", "position")}),
        (
            _("Weight and dimensions"),
            {"fields": ("weight_grams", ("length_mm", "width_mm", "height_mm"))},
        ),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductVariant]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "channel_prices",
                    queryset=VariantChannelPrice.objects.select_related("channel").order_by(
                        "channel_id"
                    ),
                )
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("product",) if obj is not None else ()

    @admin.display(description=_("base prices"))
    def prices(self, obj: ProductVariant) -> SafeString:
        return format_html_join(
            "",
            "<div>{} {}</div>",
            ((price.channel.code, price.amount) for price in obj.channel_prices.all()),
        )

    def save_model(
        self, request: HttpRequest, obj: ProductVariant, form: Any, change: bool
    ) -> None:
        data = {field: form.cleaned_data.get(field) for field in VARIANT_FIELDS}
        for text in ("gtin", "name", "name_en"):
            data[text] = data[text] or ""
        data["external_ref"] = form.cleaned_data.get("external_ref") or None
        data["metadata"] = form.cleaned_data.get("metadata") or {}
        if change:
            adopt(obj, services.variant_update(variant=fresh(obj), **data))
        else:
            product = form.cleaned_data["product"]
            adopt(obj, services.variant_create(product=product, **data))

    def delete_model(self, request: HttpRequest, obj: ProductVariant) -> None:
        services.variant_delete(variant=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductVariant]) -> None:
        # One service call per variant, in primary-key order: each refreshes `price_from`.
        for variant in queryset.order_by("pk"):
            services.variant_delete(variant=variant)
