"""Forms of the customer account pages. They only parse input; the accounts services
decide (their errors are shown on the fields they name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.forms import NamesForm
from comptoir.storefront.forms import AddressForm

MAX_PASSWORD = 4096


class AddressBookForm(AddressForm):
    """An address of the book, and whether it is the default for delivery and billing."""

    is_default_shipping = forms.BooleanField(label=_("Default delivery address"), required=False)
    is_default_billing = forms.BooleanField(label=_("Default billing address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, section="", autocomplete=False, **kwargs)


class ProfileForm(NamesForm):
    language = forms.ChoiceField(
        label=_("Language of emails and pages"), choices=lambda: list(settings.LANGUAGES)
    )


class StoreSetPasswordForm(SetPasswordForm):
    """Django's form to set a first password (new one typed twice, validators shown), for an
    account made through a social login, which has none; the accounts service stores it and
    revokes the API tokens."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["maxlength"] = str(MAX_PASSWORD)
            field.validators.append(MaxLengthValidator(MAX_PASSWORD))
        # Plain text: the help is shown in a paragraph (Django's is an HTML list).
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class StorePasswordChangeForm(StoreSetPasswordForm, PasswordChangeForm):
    """The same with the current password checked first."""
