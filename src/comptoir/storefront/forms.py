"""Forms of the buying path. They only parse input; the cart, checkout and payment services
decide (their errors are shown on the fields they name, see `add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from comptoir.accounts.services import ADDRESS_TEXT_FIELDS
from comptoir.cart.services import MAX_QUANTITY
from comptoir.core.errors import DomainError

NEW_ADDRESS = "new"
MAX_CARD_NUMBER = 23  # 19 digits and spaces


def add_domain_errors(
    form: forms.Form, exc: DomainError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's errors on the form: on the field each error names (after renaming
    through `fields`, then with "." read as the form prefix's "-"), else form-wide."""
    fields = fields or {}
    if not exc.errors:
        form.add_error(None, exc.detail)
        return
    for name, messages in exc.errors.items():
        target = fields.get(name, name).replace(".", "-")
        if target not in form.fields:
            target = fields.get(name.split(".")[0], "")
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


def _quantity_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
        **kwargs,
    )


class AddToCartForm(forms.Form):
    sku = forms.CharField(label=_("Variant"), max_length=64, widget=forms.HiddenInput)
    quantity = _quantity_field()
    # The product page the form was on, to show it again with the errors.
    product = forms.SlugField(required=False, max_length=200, widget=forms.HiddenInput)

    def variants_offer(self, choices: Sequence[tuple[str, str]], *, status_url: str = "") -> None:
        """A product with several variants: the customer picks one (label: name and
        price); with one variant the SKU stays a hidden field. With `status_url` (the
        product page), choosing a variant asks htmx for the page's `variant-status` part
        (its price, stock and delivery dates) and puts it inside the page's live region
        (kept in place, so that screen readers announce the change)."""
        if len(choices) > 1:
            attrs = (
                {
                    "hx-get": status_url,
                    "hx-trigger": "change",
                    "hx-target": "#variant-status",
                    "hx-swap": "innerHTML",
                    "aria-controls": "variant-status",
                }
                if status_url
                else {}
            )
            self.fields["sku"].widget = forms.Select(choices=list(choices), attrs=attrs)


class LineForm(forms.Form):
    quantity = _quantity_field(required=False)
    action = forms.ChoiceField(
        choices=[("update", "update"), ("remove", "remove"), ("save", "save"), ("move", "move")]
    )


class CouponForm(forms.Form):
    code = forms.CharField(
        label=_("Promo code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _text(label: Any, *, required: bool = True, max_length: int, autocomplete: str) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class AddressForm(forms.Form):
    """An address as the accounts' rules take it (they check the postal code and phone
    formats for the country)."""

    first_name = _text(_("First name"), max_length=150, autocomplete="given-name")
    last_name = _text(_("Last name"), max_length=150, autocomplete="family-name")
    company_name = _text(
        _("Company (optional)"), required=False, max_length=200, autocomplete="organization"
    )
    street_address_1 = _text(_("Address"), max_length=255, autocomplete="address-line1")
    street_address_2 = _text(
        _("Address (continued, optional)"),
        required=False,
        max_length=255,
        autocomplete="address-line2",
    )
    postal_code = _text(_("Postal code"), max_length=20, autocomplete="postal-code")
    city = _text(_("City"), max_length=120, autocomplete="address-level2")
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: list(countries),
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def __init__(
        self,
        *args: Any,
        section: str,
        autocomplete: bool = True,
        country_codes: Collection[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if country_codes:  # the countries the shop delivers to, by name
            country = cast(forms.ChoiceField, self.fields["country"])
            country.choices = [(code, name) for code, name in countries if code in country_codes]
        # "shipping given-name", "billing address-line1": browsers fill each block apart.
        for field in self.fields.values():
            token = field.widget.attrs.get("autocomplete")
            if token:
                field.widget.attrs["autocomplete"] = f"{section} {token}" if autocomplete else token

    def snapshot(self) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(name) or "") for name in ADDRESS_TEXT_FIELDS}

    def make_optional(self) -> None:
        """Not validated (a saved address or "same as shipping" was chosen)."""
        for field in self.fields.values():
            field.required = False


class CheckoutForm(forms.Form):
    """The one-page checkout: email (guests), address choices, shipping and payment methods,
    card number, purchase order number (companies), note, and the per-render
    Idempotency-Key that makes a double submit place one order."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Your order confirmation is sent here."),
    )
    shipping_choice = forms.ChoiceField(
        label=_("Delivery address"), required=False, widget=forms.RadioSelect
    )
    billing_same = forms.BooleanField(
        label=_("The billing address is the delivery address"), required=False
    )
    billing_choice = forms.ChoiceField(
        label=_("Billing address"), required=False, widget=forms.RadioSelect
    )
    # Required to place the order (the view says so): the options depend on the address.
    shipping_method = forms.TypedChoiceField(
        label=_("Delivery method"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)
    card_number = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=MAX_CARD_NUMBER,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    po_number = forms.CharField(
        label=_("Purchase order number (optional)"), required=False, max_length=64
    )
    cost_centre = forms.CharField(label=_("Cost centre (optional)"), required=False, max_length=64)
    customer_note = forms.CharField(
        label=_("Note for the shop (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    # The total the customer reviewed (minor units): a change since is shown before paying.
    reviewed_total = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("update", "update"), ("place", "place")])

    def __init__(
        self,
        *args: Any,
        guest: bool,
        company: bool,
        saved_addresses: Sequence[tuple[str, str]],
        shipping_methods: Sequence[tuple[int, str]],
        payment_methods: Sequence[tuple[str, str]],
        nothing_to_pay: bool = False,
        po_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Coupons and free shipping cover the whole order: no card is asked for.
        self.nothing_to_pay = nothing_to_pay
        choices = [*saved_addresses, (NEW_ADDRESS, _("A new address"))]
        for name, options in (
            ("shipping_choice", choices),
            ("billing_choice", choices),
            ("shipping_method", list(shipping_methods)),
            ("payment_method", list(payment_methods)),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = options
        if not guest:
            del self.fields["email"]
        if not company:
            del self.fields["po_number"]
            del self.fields["cost_centre"]
        elif po_required:
            # Checked by checkout (PO_NUMBER_REQUIRED) when the order is placed, so that
            # "update the delivery options" still works without it.
            self.fields["po_number"].label = _("Purchase order number (required by your company)")
        self.has_saved_addresses = bool(saved_addresses)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["shipping_choice"] = cleaned.get("shipping_choice") or NEW_ADDRESS
        cleaned["billing_choice"] = (
            "" if cleaned.get("billing_same") else cleaned.get("billing_choice") or NEW_ADDRESS
        )
        card = " ".join(str(cleaned.get("card_number") or "").split())
        cleaned["card_number"] = card
        if (
            cleaned.get("action") == "place"
            and cleaned.get("payment_method") == "test_card"
            and not self.nothing_to_pay
        ):
            digits = card.replace(" ", "")
            if not digits:
                self.add_error("card_number", _("Enter the card number."))
            elif not digits.isascii() or not digits.isdigit():
                self.add_error("card_number", _("A card number has only digits."))
        return cleaned
