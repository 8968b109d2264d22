"""Forms of the company administration pages (docs/b2b-portal.md, "Company
administration"). They only parse input: the companies services decide, and their
refusals are shown on the fields they name (`add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.companies.models import AddressKind, CompanyRole
from comptoir.companies.permissions import CompanyPermission, role_label
from comptoir.storefront.forms import AddressForm


def role_choices(roles: Sequence[CompanyRole]) -> list[tuple[str, str]]:
    """The company's roles as choices: built-in ones in the reader's language, then custom."""
    return [(str(role.pk), role_label(role.code, role.name)) for role in roles]


class RoleChoiceForm(forms.Form):
    """A role of the company (a member's new role, an invitation's or a join request's)."""

    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: Sequence[CompanyRole], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(roles)


class InvitationForm(RoleChoiceForm):
    # Checked by the service (INVALID_EMAIL), so the page says what the API says.
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    field_order = ("email", "role")


class CompanyProfileForm(forms.Form):
    """What a company's administrators change themselves: the legal identity (name, VAT
    number, SIREN, SIRET) is kept by the shop's staff, as in the API (`PATCH company`)."""

    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email_domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, such as atelier-martin.fr: people with an email address at one "
            "of them may ask to join the company."
        ),
    )

    def domains(self) -> list[str]:
        text = str(self.cleaned_data.get("email_domains") or "")
        return [part for part in text.replace(",", " ").split() if part]


class CompanyAddressForm(AddressForm):
    """A billing address or shipping site of the company: a company name is required, a
    person's name is not (the companies service checks both, with the accounts' rules)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AddressKind.choices)
    label = forms.CharField(label=_("Label (optional)"), required=False, max_length=100)
    is_default = forms.BooleanField(label=_("Default address of its kind"), required=False)
    field_order = ("kind", "label", "company_name")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, section="", autocomplete=False, **kwargs)
        self.fields["first_name"].required = False
        self.fields["first_name"].label = _("First name (optional)")
        self.fields["last_name"].required = False
        self.fields["last_name"].label = _("Last name (optional)")
        self.fields["company_name"].required = True
        self.fields["company_name"].label = _("Company")
        if editing:  # the kind of an address does not change (as in the API)
            del self.fields["kind"]


class _AnyChoices(forms.MultipleChoiceField):
    """Checkboxes whose values the service checks (INVALID_PERMISSION with its message)."""

    def valid_value(self, value: str) -> bool:
        return True


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    permissions = _AnyChoices(
        label=_("Permissions"),
        required=False,
        choices=CompanyPermission.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class JoinRequestForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"))
    message = forms.CharField(
        label=_("Message to the administrators (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, companies: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["company"])
        field.choices = [(str(pk), name) for pk, name in companies]
        if len(companies) == 1:
            field.widget = forms.HiddenInput()
