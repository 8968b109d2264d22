"""Forms of the account pages. They only parse input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import DomainError


def add_domain_errors(
    form: forms.Form, exc: DomainError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's errors on the form: per field where the form has the field (after
    renaming through `fields`), else as a form-wide error."""
    fields = fields or {}
    if not exc.errors:
        form.add_error(None, exc.detail)
        return
    for name, messages in exc.errors.items():
        target = fields.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NamesForm(forms.Form):
    """A customer's first and last name (registration, the account's profile page)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class RegisterForm(NamesForm):
    field_order = ("email", "first_name", "last_name", "password1", "password2")

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class PasswordResetRequestForm(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class SetPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("New password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    new_password2 = forms.CharField(
        label=_("New password (again)"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("new_password1")
            and cleaned.get("new_password2")
            and cleaned["new_password1"] != cleaned["new_password2"]
        ):
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned
