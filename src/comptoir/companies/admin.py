"""Back-office for customer groups and companies (with their members). Every save and
delete goes through comptoir.companies.services; forms run the services' checks, so bad
identifiers are shown on their fields, normalised values are what gets stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.companies import services
from comptoir.companies.models import (
    AssistedSession,
    Company,
    CompanyMember,
    CompanyRole,
    CustomerGroup,
)
from comptoir.companies.permissions import role_label
from comptoir.core.errors import DomainError
from comptoir.core.service_admin import ServiceAdmin, add_domain_error, adopt, fresh

# --- customer groups ----------------------------------------------------------------------


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ServiceAdmin):
    fields = ("name", "code", "description")
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def save_model(self, request: HttpRequest, obj: CustomerGroup, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in ("code", "name", "description")}
        if change:
            saved = services.customer_group_update(group=fresh(obj), **data)
        else:
            saved = services.customer_group_create(**data)
        adopt(obj, saved)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # A group in use (companies, price lists, promotions) is shown as protected: the
        # admin then refuses to delete it, as customer_group_delete would.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            _("%(group)s: companies, price lists or promotions use this group.") % {"group": g}
            for g in objs
            if services.customer_group_in_use(group=g)
        ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: CustomerGroup) -> None:
        services.customer_group_delete(group=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CustomerGroup]) -> None:
        for group in queryset.order_by("pk"):
            services.customer_group_delete(group=group)


# --- companies ----------------------------------------------------------------------------

COMPANY_FIELDS = (
    "legal_name",
    "country",
    "vat_number",
    "siren",
    "siret",
    "customer_group",
    "tax_status",
    "is_active",
    "po_number_required",
    "allow_assisted_shopping",
    "external_ref",
    "metadata",
    "phone",
    "email_domains",
    "account_manager",
)


class CompanyForm(forms.ModelForm):
    # Typed as people write them ("FR 40 303 265 045"); stored normalised by clean().
    vat_number = forms.CharField(label=_("VAT number"), max_length=40, required=False)
    siren = forms.CharField(label=_("SIREN"), max_length=40, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=40, required=False)

    class Meta:
        model = Company
        fields = COMPANY_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"country", "vat_number", "siren", "siret"} & set(self.errors):
            return data
        try:
            identity = services.company_identity_check(
                country=str(data.get("country") or ""),
                vat_number=data.get("vat_number") or "",
                siren=data.get("siren") or "",
                siret=data.get("siret") or "",
            )
        except DomainError as exc:
            add_domain_error(self, exc)
            return data
        data.update(vat_number=identity.vat_number, siren=identity.siren, siret=identity.siret)
        return data


class CompanyMemberFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        company = self.instance if self.instance.pk else None
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.errors:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            user = form.cleaned_data.get("user")
            if user is None or (form.instance.pk and "user" not in form.changed_data):
                continue
            try:
                services.company_member_check(company=company, user=user)
            except DomainError as exc:
                add_domain_error(form, exc)


class CompanyMemberInline(admin.TabularInline):
    model = CompanyMember
    formset = CompanyMemberFormSet
    fields = ("user", "role", "is_active", "job_title", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        role = formset.form.base_fields["role"]
        # The company's own roles; a new company's member gets the default role.
        role.queryset = (
            CompanyRole.objects.filter(company=obj) if obj is not None else role.queryset.none()
        )
        role.required = False
        return formset


def _member_data(row: Any) -> dict[str, Any]:
    """The role and job title of an inline row, for the member services (no role: the
    default one)."""
    data: dict[str, Any] = {"job_title": row.cleaned_data.get("job_title") or ""}
    if row.cleaned_data.get("role") is not None:
        data["role"] = row.cleaned_data["role"]
    if row.instance.pk and "is_active" in row.changed_data:
        data["is_active"] = row.cleaned_data["is_active"]
    return data


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    form = CompanyForm
    inlines = (CompanyMemberInline,)
    list_display = (
        "legal_name",
        "country",
        "vat_number",
        "vies_status",
        "customer_group",
        "tax_status",
        "is_active",
    )
    list_filter = ("country", "customer_group", "tax_status", "vies_status", "is_active")
    list_select_related = ("customer_group",)
    search_fields = ("legal_name", "vat_number", "siren", "siret", "external_ref")
    readonly_fields = (
        "vies_status",
        "vies_checked_at",
        "created_at",
        "updated_at",
        "roles",
        "assisted_shopping",
    )
    actions = ("check_vies",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "legal_name",
                    "country",
                    "customer_group",
                    "is_active",
                    "po_number_required",
                )
            },
        ),
        (
            _("Profile"),
            {"fields": ("phone", "email_domains", "account_manager", "roles")},
        ),
        (
            _("Assisted shopping"),
            {"fields": ("allow_assisted_shopping", "assisted_shopping")},
        ),
        (
            _("Identifiers and taxes"),
            {
                "fields": (
                    "vat_number",
                    "vies_status",
                    "vies_checked_at",
                    "siren",
                    "siret",
                    "tax_status",
                )
            },
        ),
        (
            _("Integration"),
            {
                "fields": ("external_ref", "metadata", "created_at", "updated_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: Company, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in COMPANY_FIELDS}
        data["country"] = str(data["country"])
        data["external_ref"] = data["external_ref"] or None
        data["email_domains"] = data["email_domains"] or []
        if change:
            # The stored row, not the form's instance: the service compares the VAT number
            # with the stored one.
            saved = services.company_update(company=fresh(obj), **data)
        else:
            saved = services.company_create(**data)
        adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CompanyMember:  # the roles: read-only
            return
        company = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        # Additions first, then changes, then removals: a company may get its new
        # administrator and demote or remove the previous one in the same save.
        for row in formset.extra_forms:
            if not row.has_changed() or formset._should_delete_form(row):
                continue
            added = services.company_member_add(
                company=company, user=row.cleaned_data["user"], **_member_data(row)
            )
            if not row.cleaned_data.get("is_active", True):
                added = services.company_member_update(member=added, is_active=False)
            formset.new_objects.append(added)
        rows = [row for row in formset.initial_forms if row.instance.pk is not None]
        for row in rows:
            member = row.instance
            if row in formset.deleted_forms:
                continue
            if "user" in row.changed_data:
                old_user = CompanyMember.objects.get(pk=member.pk).user
                services.company_member_remove(company=company, user=old_user)
                added = services.company_member_add(
                    company=company, user=row.cleaned_data["user"], **_member_data(row)
                )
                formset.changed_objects.append((added, ["user"]))
            elif row.changed_data:
                data = _member_data(row)
                data.setdefault("role", fresh(member).role)
                updated = services.company_member_update(member=fresh(member), **data)
                formset.changed_objects.append((updated, row.changed_data))
        for row in rows:
            if row in formset.deleted_forms:
                services.company_member_remove(company=company, user=row.instance.user)
                formset.deleted_objects.append(row.instance)

    @admin.display(description=_("Roles"))
    def roles(self, obj: Company) -> str:
        """The company's roles with their permissions, read-only: custom roles are managed
        through the API (`company/roles`), which checks their permission codes."""
        if obj.pk is None:
            return "-"
        return "; ".join(
            f"{role_label(r.code, r.name)} ({', '.join(r.permissions) or '-'})"
            for r in CompanyRole.objects.filter(company=obj).order_by("id")
        )

    @admin.display(description=_("Shop on behalf of"))
    def assisted_shopping(self, obj: Company) -> str:
        """A button per active member: the storefront signed in as that member, for the
        account manager or a holder of `companies.shop_on_behalf` (the view asks
        `assisted_session_check`). The buttons submit the change form, with its CSRF token,
        to the start view (`formaction`): no form nested in the admin's, no script."""
        if obj.pk is None:
            return "-"
        if not obj.allow_assisted_shopping:
            return str(_("The company has not allowed assisted shopping."))
        members = (
            CompanyMember.objects.filter(company=obj, is_active=True, user__is_active=True)
            .exclude(user__is_staff=True)
            .select_related("user")
            .order_by("id")
        )
        url = reverse("storefront:assist_start")
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'formnovalidate name="user_pk" value="{}">{}</button>',
            (
                (url, m.user_id, _("Shop as %(member)s") % {"member": m.user.get_full_name()})
                for m in members
            ),
        )
        return buttons or str(_("No active member."))

    def delete_model(self, request: HttpRequest, obj: Company) -> None:
        services.company_delete(company=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        for company in queryset.order_by("pk"):
            services.company_delete(company=company)

    @admin.action(description=_("Check VAT numbers in VIES"), permissions=["change"])
    def check_vies(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        scheduled = sum(
            services.company_vies_check_schedule(company=company)
            for company in queryset.exclude(vat_number="").order_by("pk")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d VAT number will be checked in VIES.",
                "%(count)d VAT numbers will be checked in VIES.",
                scheduled,
            )
            % {"count": scheduled},
            level=messages.SUCCESS,
        )


@admin.register(AssistedSession)
class AssistedSessionAdmin(admin.ModelAdmin):
    """Who shopped on behalf of whom, when and from where: read-only (written by the
    assisted shopping services)."""

    list_display = ("started_at", "staff", "user", "company", "ip_address", "ended_at")
    list_filter = ("company",)
    list_select_related = ("staff", "user", "company")
    search_fields = ("staff__email", "user__email", "company__legal_name")
    fields = (
        "staff",
        "user",
        "company",
        "ip_address",
        "started_at",
        "ended_at",
        "end_ip_address",
    )
    readonly_fields = fields
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
