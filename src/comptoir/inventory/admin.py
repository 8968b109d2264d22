"""Back-office for the inventory. Every write goes through comptoir.inventory.services with
the staff member as actor: warehouses (recorded in their history by the services; the
admin's own LogEntry rows are turned off), stock received ("Add stock" is a receipt),
counted or adjusted from a stock row's page, and a CSV import from the stock list. Stock
quantities, the ledger and the reservations are read-only: nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.csv_files import upload_read
from comptoir.core.errors import DomainError
from comptoir.core.service_admin import (
    ReadOnlyMixin,
    ServiceAdmin,
    adopt,
    fresh,
    request_actor,
)
from comptoir.inventory import services
from comptoir.inventory.models import (
    Reservation,
    ReservationHold,
    Stock,
    StockMovement,
    Warehouse,
)
from comptoir.inventory.services.csv_import import MAX_BYTES

WAREHOUSE_FIELDS = (
    "code",
    "name",
    "street_address",
    "postal_code",
    "city",
    "country",
    "priority",
    "is_active",
    "external_ref",
    "metadata",
)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by the services only: listed and shown, never added, changed or
    deleted here."""


# --- warehouses ---------------------------------------------------------------------------


@admin.register(Warehouse)
class WarehouseAdmin(ServiceAdmin):
    list_display = ("code", "name", "city", "country", "priority", "is_active", "channel_codes")
    list_filter = ("is_active", "channels")
    search_fields = ("code", "name", "city", "external_ref")
    filter_horizontal = ("channels",)
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("code", "name", "priority", "is_active", "channels")}),
        (_("Address"), {"fields": ("street_address", "postal_code", "city", "country")}),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Warehouse]:
        return super().get_queryset(request).prefetch_related("channels")

    @admin.display(description=_("channels"))
    def channel_codes(self, obj: Warehouse) -> str:
        return ", ".join(sorted(c.code for c in obj.channels.all())) or str(_("all"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stock rows keep their warehouse: deactivate it instead

    # The services record every write in the warehouse's history.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def save_model(self, request: HttpRequest, obj: Warehouse, form: Any, change: bool) -> None:
        data: dict[str, Any] = {f: form.cleaned_data.get(f) for f in WAREHOUSE_FIELDS}
        for text in ("street_address", "postal_code", "city"):
            data[text] = data[text] or ""
        data["external_ref"] = data["external_ref"] or None
        data["metadata"] = data["metadata"] or {}
        data["channels"] = list(form.cleaned_data.get("channels") or [])
        if change:
            saved = services.warehouse_update(
                warehouse=fresh(obj), actor=request_actor(request), **data
            )
        else:
            saved = services.warehouse_create(actor=request_actor(request), **data)
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The channels were set by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- stock --------------------------------------------------------------------------------


class LowStockFilter(admin.SimpleListFilter):
    title = _("low stock")
    parameter_name = "low"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        low = {"low_stock_threshold__isnull": False, "free__lte": F("low_stock_threshold")}
        if self.value() in ("yes", "no"):
            queryset = queryset.alias(free=F("quantity") - F("quantity_allocated"))
            return queryset.filter(**low) if self.value() == "yes" else queryset.exclude(**low)
        return queryset


class ReceiveForm(forms.ModelForm):
    """ "Add stock": a receipt of units of a variant into a warehouse."""

    quantity = forms.IntegerField(label=_("units received"), min_value=1)
    reference = forms.CharField(
        label=_("reference"), max_length=100, required=False, help_text=_("Purchase order.")
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Stock
        fields = ("warehouse", "variant")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """Receiving into an existing stock row adds to it: not a duplicate."""

    def validate_constraints(self) -> None:
        """Same: the (warehouse, variant) constraint is the service's business."""


class StockForm(forms.ModelForm):
    """A stock row's page: its threshold, and a receipt or a count to record."""

    received = forms.IntegerField(label=_("units received"), min_value=1, required=False)
    counted = forms.IntegerField(
        label=_("units counted"),
        min_value=0,
        required=False,
        help_text=_("After a count: the on-hand quantity becomes this (an adjustment)."),
    )
    delta = forms.IntegerField(
        label=_("adjust by"),
        required=False,
        help_text=_("Signed change, e.g. -2 for two broken units. Give a count or this."),
    )
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("note (reason)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Stock
        fields = ("low_stock_threshold",)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [f for f in ("received", "counted", "delta") if data.get(f) is not None]
        if len(given) > 1:
            raise forms.ValidationError(_("Record a receipt, a count or an adjustment: one."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, at most 2 MB; columns as shown above.")
    )


@admin.register(Stock)
class StockAdmin(ServiceAdmin):
    list_display = (
        "sku",
        "warehouse",
        "quantity",
        "quantity_allocated",
        "free",
        "low_stock_threshold",
        "is_low",
    )
    list_filter = ("warehouse", LowStockFilter)
    list_select_related = ("warehouse", "variant")
    search_fields = ("variant__sku", "variant__product__name", "warehouse__code")
    autocomplete_fields = ("variant",)
    change_list_template = "admin/inventory/stock/change_list.html"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = StockForm if obj is not None else ReceiveForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("warehouse", "variant", "quantity", "reference", "note")
        return (
            ("warehouse", "variant"),
            ("quantity", "quantity_allocated", "free"),
            "low_stock_threshold",
            "received",
            ("counted", "delta"),
            "reference",
            "note",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("warehouse", "variant", "quantity", "quantity_allocated", "free")

    @admin.display(description=_("SKU"), ordering="variant__sku")
    def sku(self, obj: Stock) -> str:
        return obj.variant.sku

    @admin.display(description=_("free"))
    def free(self, obj: Stock) -> int:
        return obj.quantity_free

    @admin.display(description=_("low"), boolean=True)
    def is_low(self, obj: Stock) -> bool:
        threshold = obj.low_stock_threshold
        return threshold is not None and obj.quantity_free <= threshold

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the ledger keeps its stock rows

    # The movements carry the actor; the threshold is recorded by its service.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None

    def save_model(self, request: HttpRequest, obj: Stock, form: Any, change: bool) -> None:
        data = form.cleaned_data
        who = request_actor(request)
        if not change:
            stock = services.stock_receive(
                warehouse=data["warehouse"],
                variant=data["variant"],
                quantity=data["quantity"],
                reference=data.get("reference") or "",
                note=data.get("note") or "",
                actor=who,
            )
            adopt(obj, stock)
            return
        stock = fresh(obj)
        if "low_stock_threshold" in form.changed_data:
            stock = services.stock_threshold_set(
                stock=stock, threshold=data.get("low_stock_threshold"), actor=who
            )
        texts = {"reference": data.get("reference") or "", "note": data.get("note") or ""}
        if data.get("received") is not None:
            services.stock_receive(
                warehouse=stock.warehouse,
                variant=stock.variant,
                quantity=data["received"],
                actor=who,
                **texts,
            )
        elif data.get("counted") is not None or data.get("delta") is not None:
            services.stock_adjust(
                stock=stock,
                counted=data.get("counted"),
                delta=data.get("delta"),
                actor=who,
                **texts,
            )
        adopt(obj, fresh(obj))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"can_import": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="inventory_stock_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of stock levels: on success the counts as a message and back to the
        list; on failure the form again with every bad row listed, nothing imported."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        line_errors: list[tuple[str, list[str]]] = []
        if request.method == "POST" and form.is_valid():
            try:
                data = upload_read(form.cleaned_data["file"], max_bytes=MAX_BYTES)
                result = services.stock_import_csv(data=data, actor=request_actor(request))
            except DomainError as exc:
                form.add_error(None, exc.detail)
                line_errors = [(k, v) for k, v in exc.errors.items() if k != "file"]
            else:
                self.message_user(
                    request,
                    _(
                        "Imported %(rows)s rows: %(received)s received, %(adjusted)s adjusted, "
                        "%(unchanged)s unchanged (reference %(reference)s)."
                    )
                    % {
                        "rows": result.rows,
                        "received": result.received,
                        "adjusted": result.adjusted,
                        "unchanged": result.unchanged,
                        "reference": result.reference,
                    },
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:inventory_stock_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "line_errors": line_errors,
            "title": _("Import stock levels"),
        }
        return TemplateResponse(request, "admin/inventory/stock/import_csv.html", context)


# --- ledger and reservations (read-only) ---------------------------------------------------


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "sku", "warehouse", "quantity", "reference", "actor")
    list_filter = ("kind", "stock__warehouse")
    list_select_related = ("stock__warehouse", "stock__variant", "actor")
    search_fields = ("stock__variant__sku", "reference", "note")
    date_hierarchy = "created_at"

    @admin.display(description=_("SKU"), ordering="stock__variant__sku")
    def sku(self, obj: StockMovement) -> str:
        return obj.stock.variant.sku

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, obj: StockMovement) -> str:
        return obj.stock.warehouse.code


class ExpiredFilter(admin.SimpleListFilter):
    title = _("expired")
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(expires_at__lte=timezone.now())
        if self.value() == "no":
            return queryset.filter(expires_at__gt=timezone.now())
        return queryset


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("token", "sku", "warehouse", "quantity", "expires_at", "created_at")
    list_filter = (ExpiredFilter, "stock__warehouse")
    list_select_related = ("stock__warehouse", "stock__variant")
    search_fields = ("token", "stock__variant__sku")

    @admin.display(description=_("SKU"), ordering="stock__variant__sku")
    def sku(self, obj: Reservation) -> str:
        return obj.stock.variant.sku

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, obj: Reservation) -> str:
        return obj.stock.warehouse.code


@admin.register(ReservationHold)
class ReservationHoldAdmin(ReadOnlyAdmin):
    list_display = ("token", "expires_at", "backordered", "created_at", "updated_at")
    list_filter = (ExpiredFilter,)
    search_fields = ("token",)
