"""Back-office for tax classes and rates. Every save and delete goes through
comptoir.taxes.services (so the rate table every process keeps is refreshed); forms check
the same rules first and show their errors, and a refusal the service raises while saving
(a code taken meanwhile, the standard class) is shown on the page, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import DomainError
from comptoir.core.service_admin import ServiceAdmin, add_domain_error, adopt, fresh
from comptoir.taxes import services
from comptoir.taxes.models import STANDARD, TaxClass, TaxRate

CLASS_FIELDS = ("code", "name", "name_en", "position")


class TaxClassForm(forms.ModelForm):
    class Meta:
        model = TaxClass
        fields = CLASS_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        if self.instance.pk and self.instance.code == STANDARD and code and code != STANDARD:
            self.add_error("code", _("The standard tax class keeps its code."))
        return data


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ("tax_class", "country", "rate")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if data.get("rate") is not None:
                data["rate"] = services.tax_rate_parse(data["rate"])
        except DomainError as exc:
            add_domain_error(self, exc)
        return data


class TaxRateInlineForm(TaxRateForm):
    class Meta:
        model = TaxRate
        fields = ("country", "rate")


class TaxRateInline(admin.TabularInline):
    model = TaxRate
    form = TaxRateInlineForm
    fields = ("country", "rate")
    extra = 0


@admin.register(TaxClass)
class TaxClassAdmin(ServiceAdmin):
    form = TaxClassForm
    list_display = ("name", "code", "name_en", "position")
    search_fields = ("code", "name", "name_en")
    prepopulated_fields = {"code": ("name",)}
    inlines = (TaxRateInline,)

    def save_model(self, request: HttpRequest, obj: TaxClass, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in CLASS_FIELDS}
        if change:
            saved = services.tax_class_update(tax_class=fresh(obj), **data)
        else:
            saved = services.tax_class_create(**data)
        adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The rates through tax_rate_set / tax_rate_delete: removals and moved rows first,
        so that a row may take the country another row leaves."""
        tax_class = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        to_set = []
        for row in formset.initial_forms:
            if row.instance.pk is None:
                continue
            old_country = str(row.initial["country"])
            if row in formset.deleted_forms:
                services.tax_rate_delete(tax_class=tax_class, country=old_country)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                if "country" in row.changed_data:
                    services.tax_rate_delete(tax_class=tax_class, country=old_country)
                to_set.append((row, formset.changed_objects))
        for row in formset.extra_forms:
            if row.has_changed() and not (formset.can_delete and formset._should_delete_form(row)):
                to_set.append((row, formset.new_objects))
        for row, log in to_set:
            saved = services.tax_rate_set(
                tax_class=tax_class,
                country=str(row.cleaned_data["country"]),
                rate=row.cleaned_data["rate"],
            )
            log.append((saved, row.changed_data) if log is formset.changed_objects else saved)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # The standard class is shown as protected: the admin refuses to delete it on the
        # object page and in the bulk action alike (tax_class_delete would refuse too).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            _("%(tax_class)s: products without a class are taxed at it.") % {"tax_class": obj}
            for obj in objs
            if obj.code == STANDARD
        ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: TaxClass) -> None:
        services.tax_class_delete(tax_class=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TaxClass]) -> None:
        for tax_class in queryset.order_by("pk"):
            services.tax_class_delete(tax_class=tax_class)


@admin.register(TaxRate)
class TaxRateAdmin(ServiceAdmin):
    form = TaxRateForm
    list_display = ("country", "tax_class", "rate")
    list_filter = ("country", "tax_class")
    list_select_related = ("tax_class",)
    ordering = ("country", "tax_class__position", "tax_class_id")

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            old = TaxRate.objects.select_related("tax_class").get(pk=obj.pk)
            if old.tax_class_id != data["tax_class"].pk or str(old.country) != str(data["country"]):
                services.tax_rate_delete(tax_class=old.tax_class, country=str(old.country))
        saved = services.tax_rate_set(
            tax_class=data["tax_class"], country=str(data["country"]), rate=data["rate"]
        )
        adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: TaxRate) -> None:
        services.tax_rate_delete(tax_class=obj.tax_class, country=str(obj.country))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TaxRate]) -> None:
        for tax_rate in queryset.select_related("tax_class").order_by("pk"):
            services.tax_rate_delete(tax_class=tax_rate.tax_class, country=str(tax_rate.country))
