"""Writes for typed attributes (text, number with unit, choice, yes/no) and product types,
and the type check of an attribute value against its attribute's kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeKind,
    AttributeTranslation,
    ProductAttributeValue,
    ProductType,
    VariantAttributeValue,
)
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    ensure_unique,
    given,
    save_changes,
    text_checked,
    translation_save,
    validate,
)
from comptoir.core.errors import Conflict, InvalidInput

# The value columns are DecimalField(max_digits=14, decimal_places=4).
NUMBER_MAX_INTEGER_DIGITS = 10
NUMBER_DECIMAL_PLACES = 4

type AttributeValue = str | int | Decimal | bool | AttributeChoice


@dataclass(frozen=True, slots=True)
class ChoiceSpec:
    """A choice of a choice attribute: French value, English value, optional slug."""

    value: str
    value_en: str = ""
    slug: str = ""


def _value_invalid(attribute: Attribute, message: str) -> InvalidInput:
    return InvalidInput(
        f"{attribute.name}: {message}",
        code="ATTRIBUTE_VALUE_INVALID",
        errors={attribute.slug: [message]},
    )


def attribute_value_columns(*, attribute: Attribute, value: AttributeValue) -> dict[str, Any]:
    """Check `value` against the attribute's kind and return the value columns to store.

    text: a non-empty string of at most 255 characters; number: a Decimal, an int or a
    numeric string (no floats, at most 10 integer digits and 4 decimals); choice: one of
    the attribute's own choices (the object or its slug); boolean: True or False.
    Raises InvalidInput(ATTRIBUTE_VALUE_INVALID) otherwise."""
    columns: dict[str, Any] = {
        "value_text": "",
        "value_number": None,
        "value_boolean": None,
        "choice": None,
    }
    kind = attribute.kind
    if kind == AttributeKind.TEXT:
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 255:
            raise _value_invalid(attribute, "Expected a text of 1 to 255 characters.")
        columns["value_text"] = value.strip()
    elif kind == AttributeKind.NUMBER:
        columns["value_number"] = _number(attribute, value)
    elif kind == AttributeKind.CHOICE:
        columns["choice"] = _choice(attribute, value)
    elif kind == AttributeKind.BOOLEAN:
        if not isinstance(value, bool):
            raise _value_invalid(attribute, "Expected yes or no (a boolean).")
        columns["value_boolean"] = value
    else:  # pragma: no cover - the kind column is constrained by its choices
        raise _value_invalid(attribute, f"Unknown attribute kind {kind!r}.")
    return columns


def _number(attribute: Attribute, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _value_invalid(attribute, "Expected a number (a decimal, not a float).")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _value_invalid(attribute, "Expected a number.") from None
    if not number.is_finite():
        raise _value_invalid(attribute, "Expected a finite number.")
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    integer_digits = len(str(abs(int(number)))) if abs(number) >= 1 else 0
    if decimals > NUMBER_DECIMAL_PLACES or integer_digits > NUMBER_MAX_INTEGER_DIGITS:
        raise _value_invalid(attribute, "At most 10 digits before and 4 after the point.")
    return number


def _choice(attribute: Attribute, value: object) -> AttributeChoice:
    if isinstance(value, AttributeChoice):
        if value.attribute_id != attribute.pk:
            raise _value_invalid(attribute, "This choice belongs to another attribute.")
        return value
    if isinstance(value, str):
        choice = AttributeChoice.objects.filter(attribute=attribute, slug=value).first()
        if choice is not None:
            return choice
    raise _value_invalid(attribute, "Expected one of the attribute's choices.")


def _choice_specs(choices: Iterable[ChoiceSpec | str]) -> list[ChoiceSpec]:
    specs = [ChoiceSpec(value=c) if isinstance(c, str) else c for c in choices]
    slugs = [spec.slug or slugify(spec.value) for spec in specs]
    if any(not slug for slug in slugs):
        raise InvalidInput(
            "Every choice needs a value.", code="ATTRIBUTE_CHOICE_INVALID", errors={"choices": []}
        )
    if len(set(slugs)) != len(slugs):
        raise Conflict(
            "Two choices have the same slug.",
            code="ATTRIBUTE_CHOICE_TAKEN",
            errors={"choices": ["ATTRIBUTE_CHOICE_TAKEN"]},
        )
    return [
        ChoiceSpec(value=spec.value, value_en=spec.value_en, slug=slug)
        for spec, slug in zip(specs, slugs, strict=True)
    ]


@text_checked
@transaction.atomic
def attribute_create(
    *,
    name: str,
    kind: str,
    slug: str = "",
    unit: str = "",
    filterable: bool = True,
    name_en: str = "",
    choices: Sequence[ChoiceSpec | str] = (),
) -> Attribute:
    """Create an attribute of `kind` (text, number, choice, boolean). Only numbers carry a
    unit; only choice attributes take `choices` (in order)."""
    if kind not in AttributeKind.values:
        raise InvalidInput(
            f"Unknown attribute kind {kind!r}.",
            code="ATTRIBUTE_KIND_INVALID",
            errors={"kind": [f"Use one of {', '.join(AttributeKind.values)}."]},
        )
    if unit and kind != AttributeKind.NUMBER:
        raise InvalidInput(
            "Only number attributes have a unit.",
            code="ATTRIBUTE_UNIT_INVALID",
            errors={"unit": ["Only number attributes have a unit."]},
        )
    if choices and kind != AttributeKind.CHOICE:
        raise InvalidInput(
            "Only choice attributes have choices.",
            code="ATTRIBUTE_CHOICES_INVALID",
            errors={"choices": ["Only choice attributes have choices."]},
        )
    specs = _choice_specs(choices)
    slug = slug or slugify(name)
    ensure_unique(Attribute, field="slug", value=slug, code="SLUG_TAKEN")
    attribute = Attribute(slug=slug, name=name, kind=kind, unit=unit, filterable=filterable)
    validate(attribute)
    attribute.save()
    for position, spec in enumerate(specs):
        choice = AttributeChoice(
            attribute=attribute,
            slug=spec.slug,
            value=spec.value,
            value_en=spec.value_en,
            position=position,
        )
        validate(choice, exclude=["attribute"])
        choice.save()
    if name_en:
        attribute_translation_set(attribute=attribute, language="en", name=name_en)
    return attribute


@text_checked
@transaction.atomic
def attribute_update(
    *,
    attribute: Attribute,
    name: str | Unset = UNSET,
    unit: str | Unset = UNSET,
    filterable: bool | Unset = UNSET,
) -> Attribute:
    """Change the name, unit or filterability. The kind never changes (stored values
    depend on it): create another attribute instead."""
    changes = given(name=name, unit=unit, filterable=filterable)
    if changes.get("unit") and attribute.kind != AttributeKind.NUMBER:
        raise InvalidInput(
            "Only number attributes have a unit.",
            code="ATTRIBUTE_UNIT_INVALID",
            errors={"unit": ["Only number attributes have a unit."]},
        )
    save_changes(attribute, changes)
    return attribute


@text_checked
@transaction.atomic
def attribute_translation_set(*, attribute: Attribute, language: str, name: str) -> None:
    translation_save(
        AttributeTranslation, owner={"attribute": attribute}, language=language, name=name
    )


@text_checked
@transaction.atomic
def attribute_translation_delete(*, attribute: Attribute, language: str) -> None:
    """Forget the `language` name of an attribute (nothing happens when there is none)."""
    AttributeTranslation.objects.filter(attribute=attribute, language=language).delete()


def _attribute_in_use(attribute: Attribute) -> Conflict:
    return Conflict(
        _("The attribute %(name)s is used by product types or products.")
        % {"name": attribute.name},
        code="ATTRIBUTE_IN_USE",
        errors={"attribute": ["ATTRIBUTE_IN_USE"]},
    )


@transaction.atomic
def attribute_delete(*, attribute: Attribute) -> None:
    """Delete an attribute with its choices and translations. An attribute that a product
    type lists, or that a product or variant holds a value of, is refused (Conflict
    ATTRIBUTE_IN_USE): take it out of the product types first."""
    in_use = (
        attribute.product_types.exists()
        or attribute.variant_product_types.exists()
        or ProductAttributeValue.objects.filter(attribute=attribute).exists()
        or VariantAttributeValue.objects.filter(attribute=attribute).exists()
    )
    if in_use:
        raise _attribute_in_use(attribute)
    try:
        with transaction.atomic():
            attribute.delete()
    except ProtectedError:  # a value was stored meanwhile
        raise _attribute_in_use(attribute) from None


@text_checked
@transaction.atomic
def attribute_choice_add(
    *,
    attribute: Attribute,
    value: str,
    value_en: str = "",
    slug: str = "",
    position: int | None = None,
) -> AttributeChoice:
    """Add a choice to a choice attribute (at the end unless `position` is given)."""
    if attribute.kind != AttributeKind.CHOICE:
        raise InvalidInput(
            "Only choice attributes have choices.",
            code="ATTRIBUTE_CHOICES_INVALID",
            errors={"choices": ["Only choice attributes have choices."]},
        )
    (spec,) = _choice_specs([ChoiceSpec(value=value, value_en=value_en, slug=slug)])
    ensure_unique(
        AttributeChoice,
        field="slug",
        value=spec.slug,
        code="ATTRIBUTE_CHOICE_TAKEN",
        scope={"attribute": attribute},
    )
    if position is None:
        last = attribute.choices.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    choice = AttributeChoice(
        attribute=attribute, slug=spec.slug, value=spec.value, value_en=spec.value_en
    )
    choice.position = position
    validate(choice)
    choice.save()
    return choice


@text_checked
@transaction.atomic
def attribute_choice_update(
    *,
    choice: AttributeChoice,
    value: str | Unset = UNSET,
    value_en: str | Unset = UNSET,
    position: int | Unset = UNSET,
) -> AttributeChoice:
    save_changes(choice, given(value=value, value_en=value_en, position=position))
    return choice


@transaction.atomic
def attribute_choice_delete(*, choice: AttributeChoice) -> None:
    """Remove a choice no product or variant uses (Conflict ATTRIBUTE_CHOICE_IN_USE)."""
    in_use = (
        ProductAttributeValue.objects.filter(choice=choice).exists()
        or VariantAttributeValue.objects.filter(choice=choice).exists()
    )
    if in_use:
        raise Conflict(
            f"The choice {choice.value!r} is in use.",
            code="ATTRIBUTE_CHOICE_IN_USE",
            errors={"choice": ["ATTRIBUTE_CHOICE_IN_USE"]},
        )
    choice.delete()


def _check_levels(
    product_attributes: Iterable[Attribute], variant_attributes: Iterable[Attribute]
) -> None:
    both = {a.pk for a in product_attributes} & {a.pk for a in variant_attributes}
    if both:
        raise InvalidInput(
            "An attribute is either a product attribute or a variant attribute, not both.",
            code="ATTRIBUTE_LEVEL_CONFLICT",
            errors={"variant_attributes": ["ATTRIBUTE_LEVEL_CONFLICT"]},
        )


@text_checked
@transaction.atomic
def product_type_create(
    *,
    name: str,
    slug: str = "",
    has_variants: bool = True,
    product_attributes: Sequence[Attribute] = (),
    variant_attributes: Sequence[Attribute] = (),
) -> ProductType:
    """Create a product type with the attributes its products and its variants carry."""
    _check_levels(product_attributes, variant_attributes)
    slug = slug or slugify(name)
    ensure_unique(ProductType, field="slug", value=slug, code="SLUG_TAKEN")
    product_type = ProductType(slug=slug, name=name, has_variants=has_variants)
    validate(product_type)
    product_type.save()
    product_type.product_attributes.set(product_attributes)
    product_type.variant_attributes.set(variant_attributes)
    return product_type


@text_checked
@transaction.atomic
def product_type_update(
    *,
    product_type: ProductType,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    has_variants: bool | Unset = UNSET,
    product_attributes: Sequence[Attribute] | Unset = UNSET,
    variant_attributes: Sequence[Attribute] | Unset = UNSET,
) -> ProductType:
    """Change a product type. Values of attributes removed from the type are deleted from
    its products and variants, so no product keeps an attribute its type no longer has."""
    new_product_attributes = (
        list(product_type.product_attributes.all())
        if isinstance(product_attributes, Unset)
        else list(product_attributes)
    )
    new_variant_attributes = (
        list(product_type.variant_attributes.all())
        if isinstance(variant_attributes, Unset)
        else list(variant_attributes)
    )
    _check_levels(new_product_attributes, new_variant_attributes)
    if not isinstance(slug, Unset):
        ensure_unique(
            ProductType, field="slug", value=slug, code="SLUG_TAKEN", exclude_pk=product_type.pk
        )
    save_changes(product_type, given(name=name, slug=slug, has_variants=has_variants))
    if not isinstance(product_attributes, Unset):
        product_type.product_attributes.set(new_product_attributes)
        ProductAttributeValue.objects.filter(product__product_type=product_type).exclude(
            attribute__in=new_product_attributes
        ).delete()
    if not isinstance(variant_attributes, Unset):
        product_type.variant_attributes.set(new_variant_attributes)
        VariantAttributeValue.objects.filter(variant__product__product_type=product_type).exclude(
            attribute__in=new_variant_attributes
        ).delete()
    return product_type


@transaction.atomic
def product_type_delete(*, product_type: ProductType) -> None:
    """Delete a product type that no product uses (Conflict PRODUCT_TYPE_IN_USE otherwise);
    its attributes stay."""
    in_use_error = Conflict(
        _("The product type %(name)s is used by products.") % {"name": product_type.name},
        code="PRODUCT_TYPE_IN_USE",
        errors={"product_type": ["PRODUCT_TYPE_IN_USE"]},
    )
    if product_type.products.exists():
        raise in_use_error
    try:
        with transaction.atomic():
            product_type.delete()
    except ProtectedError:  # a product was created meanwhile
        raise in_use_error from None
