"""Back-office for price lists. Every save and delete goes through
comptoir.pricing.services with the staff member as `actor`, so the same rules apply as in
the API and every change is written once to the price list's history (the admin's own
LogEntry calls are turned off here: the services write richer ones, e.g. the old and new
price of an entry). A price list's page links to its entries, to a CSV import form (errors
listed per line) and to a CSV export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.errors import DomainError, InvalidInput
from comptoir.core.service_admin import (
    ServiceAdmin,
    ServiceForm,
    adopt,
    fresh,
    inline_pairs,
    request_actor,
)
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.services.csv_io import MAX_BYTES

LIST_FIELDS = (
    "code",
    "name",
    "channel",
    "currency",
    "company",
    "customer_group",
    "valid_from",
    "valid_until",
    "is_active",
    "allows_promotions",
    "priority",
    "external_ref",
    "metadata",
)


class PricingAdmin(ServiceAdmin):
    """Saves through the services, which record every write in the price list's history;
    the admin's own LogEntry rows would repeat them with less detail."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return []


# --- price lists --------------------------------------------------------------------------


class PriceListForm(ServiceForm):
    class Meta:
        model = PriceList
        fields = LIST_FIELDS

    currency = forms.CharField(
        label=_("currency"),
        max_length=3,
        required=False,
        help_text=_("Empty: the channel's currency. A price list prices in its channel's."),
    )

    def check(self, data: dict[str, Any]) -> None:
        channel = data.get("channel")
        if channel is not None and not data.get("currency"):
            data["currency"] = channel.currency
        candidate = PriceList(pk=self.instance.pk, **{f: data.get(f) for f in LIST_FIELDS})
        candidate.metadata = data.get("metadata") or {}
        candidate._state.adding = self.instance.pk is None  # unique checks skip itself
        if candidate.channel_id is not None:
            services.price_list_check(candidate)

    def validate_unique(self) -> None:
        # The constraints are those `check` has already explained in words.
        if not self.errors:
            super().validate_unique()


class CompanyOrGroupFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "owner"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("company", _("A company (contract)")),
            ("group", _("A customer group")),
            ("none", _("No one (draft)")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "company":
            return queryset.filter(company__isnull=False)
        if self.value() == "group":
            return queryset.filter(customer_group__isnull=False)
        if self.value() == "none":
            return queryset.filter(company__isnull=True, customer_group__isnull=True)
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: sku, unit_price, min_quantity, max_quantity, increment, "
            "tier_quantities, tier_prices (tiers as 10|50 and 9.50|9.00). UTF-8, comma or "
            "semicolon. 5 MB and 100,000 rows at most."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace the whole list"),
        required=False,
        help_text=_("Also delete the entries whose SKU is not in the file."),
    )


@admin.register(PriceList)
class PriceListAdmin(PricingAdmin):
    form = PriceListForm
    change_list_template = "admin/pricing/pricelist/change_list.html"
    list_display = (
        "code",
        "name",
        "channel",
        "currency",
        "owner",
        "valid_from",
        "valid_until",
        "is_active",
        "allows_promotions",
        "priority",
        "entries_link",
    )
    list_select_related = ("channel", "company", "customer_group")
    list_filter = (
        "channel",
        "is_active",
        CompanyOrGroupFilter,
        ("company", admin.RelatedOnlyFieldListFilter),
        ("customer_group", admin.RelatedOnlyFieldListFilter),
        "allows_promotions",
    )
    search_fields = ("code", "name", "external_ref")
    search_help_text = _("Code, name or external reference.")
    autocomplete_fields = ("company", "customer_group")
    readonly_fields = ("csv_links", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "channel", "currency")}),
        (_("Assigned to"), {"fields": ("company", "customer_group")}),
        (
            _("Validity and precedence"),
            {"fields": ("valid_from", "valid_until", "is_active", "allows_promotions", "priority")},
        ),
        (_("Prices"), {"fields": ("csv_links",)}),
        (
            _("Integration"),
            {
                "fields": ("external_ref", "metadata", "created_at", "updated_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PriceList]:
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=_("assigned to"))
    def owner(self, obj: PriceList) -> str:
        return str(obj.company or obj.customer_group or "—")

    def _entries_url(self, obj: PriceList) -> str:
        url = reverse("admin:pricing_pricelistentry_changelist")
        return f"{url}?price_list__id__exact={obj.pk}"

    @admin.display(description=_("entries"), ordering="entry_count")
    def entries_link(self, obj: PriceList) -> SafeString:
        count = getattr(obj, "entry_count", 0)
        return format_html('<a href="{}">{}</a>', self._entries_url(obj), count)

    @admin.display(description=_("entries and CSV"))
    def csv_links(self, obj: PriceList) -> SafeString | str:
        if obj.pk is None:
            return _("Save the list first, then import its prices.")
        count = getattr(obj, "entry_count", None)
        if count is None:
            count = obj.entries.count()
        info = self.opts.app_label, self.opts.model_name
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            self._entries_url(obj),
            ngettext("%(n)s entry", "%(n)s entries", count) % {"n": count},
            reverse("admin:{}_{}_import".format(*info), args=[obj.pk]),
            _("Import a CSV file"),
            reverse("admin:{}_{}_export".format(*info), args=[obj.pk]),
            _("Export as CSV"),
        )

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "<int:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def _object(self, request: HttpRequest, object_id: int) -> PriceList:
        price_list = self.get_object(request, str(object_id))
        if price_list is None:
            raise Http404
        return price_list

    def import_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Upload a CSV: on success the counts as a message and back to the list's page; on
        failure the form again with every bad line listed, nothing imported."""
        price_list = self._object(request, object_id)
        if not self.has_change_permission(request, price_list):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        line_errors: list[tuple[str, list[str]]] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size is not None and upload.size > MAX_BYTES:
                    message = _("The file is larger than %(n)s MB.") % {"n": MAX_BYTES >> 20}
                    raise InvalidInput(message, code="CSV_TOO_LARGE")
                result = services.price_list_import_csv(
                    price_list=price_list,
                    data=upload.read(),
                    replace=form.cleaned_data["replace"],
                    actor=request_actor(request),
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                line_errors = [(k, v) for k, v in exc.errors.items() if k != "file"]
            else:
                self.message_user(
                    request,
                    _(
                        "Imported: %(created)s created, %(updated)s changed, %(deleted)s "
                        "deleted, %(unchanged)s unchanged."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "deleted": result.deleted,
                        "unchanged": result.unchanged,
                    },
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:pricing_pricelist_change", args=[price_list.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": price_list,
            "form": form,
            "line_errors": line_errors,
            "title": _("Import prices into %(name)s") % {"name": price_list.name},
        }
        return TemplateResponse(request, "admin/pricing/pricelist/import_csv.html", context)

    def export_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        price_list = self._object(request, object_id)
        if not self.has_view_permission(request, price_list):
            raise PermissionDenied
        response = HttpResponse(
            services.price_list_export_csv(price_list=price_list),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{price_list.code}.csv"'
        return response

    def save_model(self, request: HttpRequest, obj: PriceList, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data.get(f) for f in LIST_FIELDS}
        data["external_ref"] = data["external_ref"] or None
        data["metadata"] = data["metadata"] or {}
        if change:
            adopt(
                obj,
                services.price_list_update(
                    price_list=fresh(obj), actor=request_actor(request), **data
                ),
            )
        else:
            adopt(obj, services.price_list_create(actor=request_actor(request), **data))

    def delete_model(self, request: HttpRequest, obj: PriceList) -> None:
        services.price_list_delete(price_list=obj, actor=request_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PriceList]) -> None:
        for price_list in queryset.order_by("pk"):
            services.price_list_delete(price_list=price_list, actor=request_actor(request))


# --- entries and tiers --------------------------------------------------------------------


class PriceTierInline(admin.TabularInline):
    """Saved with its entry by `price_list_entry_set`, which replaces all the tiers at once
    (see PriceListEntryAdmin.save_related)."""

    model = PriceTier
    fields = ("min_quantity", "unit_price")
    extra = 2
    verbose_name_plural = _("volume tiers (from a quantity, a lower unit price)")


class PriceListEntryForm(ServiceForm):
    class Meta:
        model = PriceListEntry
        fields = (
            "price_list",
            "variant",
            "unit_price",
            "min_quantity",
            "max_quantity",
            "increment",
        )

    def check(self, data: dict[str, Any]) -> None:
        price_list = data.get("price_list") or getattr(self.instance, "price_list", None)
        if price_list is None or data.get("unit_price") is None:
            return
        services.entry_check(
            currency=price_list.currency,
            unit_price=data["unit_price"],
            min_quantity=data.get("min_quantity") or 1,
            max_quantity=data.get("max_quantity"),
            increment=data.get("increment") or 1,
        )


@admin.register(PriceListEntry)
class PriceListEntryAdmin(PricingAdmin):
    form = PriceListEntryForm
    inlines = (PriceTierInline,)
    list_display = (
        "price_list",
        "sku",
        "product",
        "unit_price",
        "min_quantity",
        "max_quantity",
        "increment",
        "tier_summary",
    )
    list_select_related = ("price_list", "variant", "variant__product")
    list_filter = (("price_list", admin.RelatedOnlyFieldListFilter),)
    list_per_page = 50
    search_fields = ("variant__sku", "variant__product__name", "price_list__code")
    search_help_text = _("SKU, product name or price list code.")
    autocomplete_fields = ("price_list", "variant")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PriceListEntry]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("tiers", queryset=PriceTier.objects.order_by("min_quantity"))
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("price_list", "variant") if obj is not None else ()

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: PriceListEntry) -> str:
        return obj.variant.sku

    @admin.display(description=_("product"))
    def product(self, obj: PriceListEntry) -> str:
        return str(obj.variant.product)

    @admin.display(description=_("volume tiers"))
    def tier_summary(self, obj: PriceListEntry) -> str:
        return ", ".join(f"{t.min_quantity}+: {t.unit_price}" for t in obj.tiers.all())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved with its tiers in `save_related`."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        tiers = inline_pairs(formsets, "min_quantity", "unit_price")
        obj = form.instance
        price_list = obj.price_list if change else form.cleaned_data["price_list"]
        variant = obj.variant if change else form.cleaned_data["variant"]
        entry = services.price_list_entry_set(
            price_list=price_list,
            variant=variant,
            unit_price=form.cleaned_data["unit_price"],
            min_quantity=form.cleaned_data.get("min_quantity") or 1,
            max_quantity=form.cleaned_data.get("max_quantity"),
            increment=form.cleaned_data.get("increment") or 1,
            tiers=tiers,
            actor=request_actor(request),
        )
        adopt(obj, entry)

    def delete_model(self, request: HttpRequest, obj: PriceListEntry) -> None:
        services.price_list_entry_delete(entry=obj, actor=request_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PriceListEntry]) -> None:
        for entry in queryset.select_related("price_list", "variant").order_by("pk"):
            services.price_list_entry_delete(entry=entry, actor=request_actor(request))
