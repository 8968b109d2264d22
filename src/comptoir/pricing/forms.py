"""Forms of the pricing back-office pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from comptoir.channels.models import Channel
from comptoir.companies.models import Company


class SimulatorForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.filter(is_active=True).order_by("legal_name"),
        required=False,
        empty_label=_("A visitor (no company)"),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.filter(is_active=True).order_by("id")
    )
    sku = forms.CharField(label=_("SKU"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)
    country = forms.ChoiceField(
        label=_("Delivery country"),
        required=False,
        choices=lambda: [("", _("The company's, else the channel's")), *countries],
    )
