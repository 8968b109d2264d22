"""Back-office for customers and staff. Actions call services; addresses and API tokens are
shown read-only (customers manage their addresses through validated services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.accounts import services
from comptoir.accounts.models import Address, ApiToken, User


def _clean_email(form: forms.ModelForm[User]) -> str:
    email = services.email_normalize(form.cleaned_data.get("email") or "")
    taken = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        taken = taken.exclude(pk=form.instance.pk)
    if taken.exists():
        raise forms.ValidationError(_("An account already exists for this email address."))
    return email


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes: dict[str, Any] = {}

    def clean_email(self) -> str:
        return _clean_email(self)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, Any] = {}

    def clean_email(self) -> str:
        return _clean_email(self)


class PasswordChangeAdminForm(AdminPasswordChangeForm):
    """Django's form validates; saving goes through the service, which also revokes the
    user's API tokens (a token must not outlive the password it was obtained with)."""

    def save(self, commit: bool = True) -> User:
        user = self.user
        assert isinstance(user, User)
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.user_set_password(user=user, password=password)


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    can_delete = False
    show_change_link = False
    fields = (
        "first_name",
        "last_name",
        "company_name",
        "street_address_1",
        "postal_code",
        "city",
        "country",
        "phone",
        "is_default_shipping",
        "is_default_billing",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    change_password_form = PasswordChangeAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Integration"), {"classes": ("collapse",), "fields": ("external_ref", "metadata")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "language")
    search_fields = ("email", "first_name", "last_name", "external_ref")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = [AddressInline]
    actions = [
        "deactivate_users",
        "activate_users",
        "send_password_reset",
        "revoke_api_tokens",
    ]

    def get_actions(
        self, request: HttpRequest, action_location: Any = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # bypasses services; delete one by one
        return actions

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return list(self.inlines) if obj is not None else []

    @admin.action(
        description=_("Deactivate selected users (and revoke their API tokens)"),
        permissions=["change"],
    )
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            if user.pk == request.user.pk:  # staff never lock themselves out
                continue
            services.user_deactivate(user=user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Activate selected users"), permissions=["change"])
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            services.user_activate(user=user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d user activated.", "%(count)d users activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send a password reset email"), permissions=["change"])
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            services.password_reset_request(email=user.email)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Password reset requested for %(count)d user.",
                "Password reset requested for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke API tokens"), permissions=["change"])
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = sum(services.api_token_revoke_all(user=user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """View-only: tokens are created by `POST /api/v1/auth/token`; staff can revoke them."""

    list_display = ("id", "user", "created_at", "expires_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    list_filter = ("expires_at",)
    ordering = ("-created_at",)
    fields = ("user", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("user", "created_at", "expires_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(
        self, request: HttpRequest, action_location: Any = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset:
            services.api_token_delete(token=token)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
