"""Forms shared by the product and variant admins: attribute values typed by kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog import services
from comptoir.catalog.admin.base import ServiceForm
from comptoir.catalog.models import Attribute, AttributeChoice, AttributeKind
from comptoir.core.errors import DomainError

YES = {"oui", "yes", "true", "vrai", "1"}
NO = {"non", "no", "false", "faux", "0"}


def parse_value(attribute: Attribute, raw: str, choice: AttributeChoice | None) -> Any:
    """Turn what staff typed into the value the service expects for the attribute's kind
    (the service then checks it: a wrong kind stays wrong)."""
    raw = (raw or "").strip()
    if attribute.kind == AttributeKind.CHOICE:
        if choice is not None:
            return choice
        match = AttributeChoice.objects.filter(
            Q(slug=raw) | Q(value__iexact=raw) | Q(value_en__iexact=raw), attribute=attribute
        ).first()
        return match or raw
    if attribute.kind == AttributeKind.NUMBER:
        return raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if attribute.kind == AttributeKind.BOOLEAN:
        lowered = raw.lower()
        return True if lowered in YES else False if lowered in NO else raw
    return raw


def shown_value(instance: Any) -> str:
    if instance.value_boolean is not None:
        return str(_("yes") if instance.value_boolean else _("no"))
    if instance.value_number is not None:
        number: Decimal = instance.value_number.normalize()
        return f"{number:f}"
    return instance.value_text or ""


class AttributeValueForm(ServiceForm):
    """One row per attribute: type the value, or pick it for a choice attribute."""

    value = forms.CharField(
        label=_("value"),
        required=False,
        max_length=255,
        help_text=_("Text, a number, or yes/no. For a choice attribute, pick the choice."),
    )
    level = "product"

    class Meta:
        fields = ("attribute", "choice")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: Any = None
        if self.instance.pk:
            self.initial.setdefault("value", shown_value(self.instance))

    def allowed(self) -> bool:
        raise NotImplementedError

    def check(self, data: dict[str, Any]) -> None:
        attribute = data.get("attribute")
        if attribute is None:
            return
        if not self.allowed():
            self.add_error(
                "attribute", _("This attribute is not part of the product type at this level.")
            )
            return
        self.parsed = parse_value(attribute, data.get("value", ""), data.get("choice"))
        try:
            services.attribute_value_columns(attribute=attribute, value=self.parsed)
        except DomainError as exc:
            self.add_error(
                "choice" if attribute.kind == AttributeKind.CHOICE else "value", exc.detail
            )


class ProductAttributeValueForm(AttributeValueForm):
    def allowed(self) -> bool:
        product = self.instance.product
        attribute = self.cleaned_data["attribute"]
        return product.product_type.product_attributes.filter(pk=attribute.pk).exists()


class VariantAttributeValueForm(AttributeValueForm):
    def allowed(self) -> bool:
        product_type = self.instance.variant.product.product_type
        attribute = self.cleaned_data["attribute"]
        return product_type.variant_attributes.filter(pk=attribute.pk).exists()


def choice_label(choice: AttributeChoice) -> str:
    return f"{choice.attribute.name} : {choice.value}"
