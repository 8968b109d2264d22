"""Back-office for promotions and coupons. Every save and delete goes through
comptoir.promotions.services (same checks as the API); a batch of single-use codes is
generated from the coupon list ("Generate codes") and downloaded as CSV."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import ReadOnlyMixin, ServiceAdmin, adopt, fresh
from comptoir.promotions import services
from comptoir.promotions.models import (
    Coupon,
    CouponRedemption,
    Promotion,
    PromotionKind,
)
from comptoir.promotions.selectors.staff import live_condition
from comptoir.promotions.services.coupons import MAX_GENERATED
from comptoir.promotions.services.promotions import SCALAR_FIELDS

TARGETS = ("channels", "customer_groups", "products", "categories", "collections")
COUPON_FIELDS = (
    "usage_limit",
    "per_customer_limit",
    "min_subtotal",
    "valid_from",
    "valid_until",
    "is_active",
)


class RunningFilter(admin.SimpleListFilter):
    title = _("running now")
    parameter_name = "running"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        condition = live_condition(timezone.now())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


def csv_response(filename: str, rows: list[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["code", "batch", "usage_limit", "per_customer_limit", "times_used"])
    writer.writerows(rows)
    return response


def coupon_rows(coupons: QuerySet[Coupon]) -> list[list[str]]:
    return [
        [
            c.code,
            c.batch,
            str(c.usage_limit or ""),
            str(c.per_customer_limit or ""),
            str(c.times_used),
        ]
        for c in coupons.order_by("id")
    ]


@admin.register(Promotion)
class PromotionAdmin(ServiceAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "reward_type",
        "reward_value",
        "priority",
        "stacking",
        "is_active",
        "starts_at",
        "ends_at",
        "coupon_link",
    )
    list_filter = ("kind", "reward_type", "stacking", "is_active", RunningFilter, "requires_coupon")
    search_fields = ("code", "name", "name_en", "external_ref")
    filter_horizontal = TARGETS
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "kind", "is_active")}),
        (_("Reward"), {"fields": ("reward_type", "reward_value", "currency")}),
        (
            _("Conditions"),
            {
                "fields": (
                    "min_subtotal",
                    "min_quantity",
                    "buy_quantity",
                    "get_quantity",
                    "requires_coupon",
                )
            },
        ),
        (_("Schedule and stacking"), {"fields": ("starts_at", "ends_at", "priority", "stacking")}),
        (_("Who"), {"fields": ("channels", "customer_groups")}),
        (_("What"), {"fields": ("products", "categories", "collections")}),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    @admin.display(description=_("coupons"))
    def coupon_link(self, obj: Promotion) -> str:
        if obj.kind != PromotionKind.CART or not obj.requires_coupon:
            return "-"
        url = reverse("admin:promotions_coupon_changelist")
        return format_html('<a href="{}?promotion__id__exact={}">{}</a>', url, obj.pk, _("coupons"))

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        data: dict[str, Any] = {
            f: form.cleaned_data[f] for f in SCALAR_FIELDS if f in form.cleaned_data
        }
        data["external_ref"] = data.get("external_ref") or None
        for target in TARGETS:
            data[target] = list(form.cleaned_data.get(target) or [])
        if change:
            adopt(obj, services.promotion_update(promotion=fresh(obj), **data))
        else:
            adopt(obj, services.promotion_create(**data))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The targets were set by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Promotion) -> None:
        services.promotion_delete(promotion=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Promotion]) -> None:
        for promotion in queryset.order_by("pk"):
            services.promotion_delete(promotion=promotion)


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ("promotion", "code", *COUPON_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "promotion" in self.fields:
            self.fields["promotion"].queryset = Promotion.objects.filter(  # type: ignore[attr-defined]
                kind=PromotionKind.CART, requires_coupon=True
            )


class GenerateForm(forms.Form):
    promotion = forms.ModelChoiceField(
        label=_("promotion"),
        queryset=Promotion.objects.filter(kind=PromotionKind.CART, requires_coupon=True),
    )
    count = forms.IntegerField(label=_("number of codes"), min_value=1, max_value=MAX_GENERATED)
    code_prefix = forms.CharField(label=_("prefix"), max_length=20, required=False)
    length = forms.IntegerField(label=_("random characters"), min_value=6, max_value=32, initial=10)
    usage_limit = forms.IntegerField(label=_("total uses"), min_value=1, initial=1, required=False)
    per_customer_limit = forms.IntegerField(
        label=_("uses per customer"), min_value=1, initial=1, required=False
    )
    min_subtotal = forms.DecimalField(
        label=_("minimum order amount"), max_digits=12, decimal_places=2, required=False
    )
    valid_from = forms.DateTimeField(label=_("valid from"), required=False)
    valid_until = forms.DateTimeField(label=_("valid until"), required=False)


@admin.register(Coupon)
class CouponAdmin(ServiceAdmin):
    form = CouponForm
    list_display = (
        "code",
        "promotion",
        "times_used",
        "usage_limit",
        "per_customer_limit",
        "valid_from",
        "valid_until",
        "is_active",
        "batch",
    )
    list_filter = ("is_active", "promotion")
    list_select_related = ("promotion",)
    search_fields = ("code", "batch", "promotion__code", "promotion__name")
    readonly_fields = ("times_used", "batch", "created_at")
    actions = ("export_csv",)
    change_list_template = "admin/promotions/coupon/change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Coupon | None = None) -> Any:
        if obj is not None:
            return ("promotion", "code", *self.readonly_fields)
        return self.readonly_fields

    def get_urls(self) -> list[Any]:
        return [
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="promotions_coupon_generate",
            ),
            *super().get_urls(),
        ]

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        """A form that generates a batch of codes and downloads them as CSV."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateForm(request.POST or None, initial=request.GET.dict() or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["prefix"] = data.pop("code_prefix") or ""
            try:
                batch = services.coupons_generate(**data)
            except DomainError as exc:
                for field, errors in exc.errors.items():
                    for message in errors:
                        target = "code_prefix" if field == "prefix" else field
                        form.add_error(target if target in form.fields else None, message)
                if not exc.errors:
                    form.add_error(None, exc.detail)
            else:
                rows = coupon_rows(Coupon.objects.filter(batch=batch.batch))
                return csv_response(f"coupons-{batch.batch}.csv", rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Generate coupon codes"),
        }
        return TemplateResponse(request, "admin/promotions/coupon/generate.html", context)

    @admin.action(description=_("Download the selected codes as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Coupon]) -> HttpResponse:
        return csv_response("coupons.csv", coupon_rows(queryset))

    def save_model(self, request: HttpRequest, obj: Coupon, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in COUPON_FIELDS if f in form.cleaned_data}
        if change:
            adopt(obj, services.coupon_update(coupon=fresh(obj), **data))
        else:
            adopt(
                obj,
                services.coupon_create(
                    promotion=form.cleaned_data["promotion"], code=form.cleaned_data["code"], **data
                ),
            )

    def delete_model(self, request: HttpRequest, obj: Coupon) -> None:
        services.coupon_delete(coupon=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Coupon]) -> None:
        for coupon in queryset.order_by("pk"):
            services.coupon_delete(coupon=coupon)


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: redemptions are made by order placement and released by cancellation."""

    list_display = ("coupon", "order_reference", "email", "user", "created_at")
    list_select_related = ("coupon", "user")
    search_fields = ("coupon__code", "order_reference", "email")
    readonly_fields = ("coupon", "user", "email", "order_reference", "created_at")
