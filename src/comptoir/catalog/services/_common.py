"""Shared helpers for the catalog services: uniqueness checks that raise stable codes,
translations, uploads and validated changes; with the UNSET sentinel of partial updates,
the check that text can be stored and model validation mapped to domain errors of
comptoir.core.validation, re-exported."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final

from django.db import models
from django.utils.translation import gettext as _

from comptoir.catalog.models import LANGUAGE_CHOICES
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.outbox import emit
from comptoir.core.uploads import read_upload, too_large, upload_name
from comptoir.core.validation import UNSET, Unset, ensure_unique, given, text_check, validate

__all__ = [
    "LANGUAGES",
    "PRODUCT_CHANGED",
    "UNSET",
    "Unset",
    "apply_changes",
    "ensure_language",
    "ensure_unique",
    "given",
    "product_changed",
    "read_upload",
    "save_changes",
    "slug_moved",
    "text_check",
    "text_checked",
    "too_large",
    "translation_save",
    "upload_name",
    "validate",
]


LANGUAGES: Final = frozenset(code for code, _label in LANGUAGE_CHOICES)
# What a product's searchable content changed (names, descriptions, brand, SKUs, attribute
# values, deletion): the search index follows through the outbox.
PRODUCT_CHANGED: Final = "catalog.product.changed"


def slug_moved(*, old_slug: str, new_slug: str, **target: models.Model) -> None:
    """Record that `target` (product= or category=) moved from `old_slug`, so its old URLs
    redirect; a redirect of the new slug (given back to this target) goes away."""
    from comptoir.catalog.models import SlugRedirect

    (field,) = target
    if old_slug == new_slug:
        return
    SlugRedirect.objects.filter(**{f"{field}__isnull": False}, old_slug=new_slug).delete()
    SlugRedirect.objects.filter(**{f"{field}__isnull": False}, old_slug=old_slug).delete()
    SlugRedirect.objects.create(old_slug=old_slug, **target)


def product_changed(product_id: int) -> None:
    """Record, inside the caller's transaction, that the product's content changed."""
    emit(PRODUCT_CHANGED, aggregate="product", aggregate_id=product_id, payload={})


def text_checked[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service so that every keyword argument goes through `text_check` before
    the service runs: no NUL character or lone surrogate reaches the database, where it
    would be a 500 (PostgreSQL) or stored as is (SQLite)."""

    @functools.wraps(service)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        text_check(**kwargs)
        return service(*args, **kwargs)

    return checked


def ensure_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(
            f"Unsupported language: {language!r}.",
            code="LANGUAGE_INVALID",
            errors={"language": [f"Use one of {', '.join(sorted(LANGUAGES))}."]},
        )


def translation_save[TranslationT: models.Model](
    model: type[TranslationT], *, owner: dict[str, models.Model], language: str, **fields: str
) -> TranslationT:
    """Create or replace the `language` translation row of `owner` (e.g. {"product": p}) with
    `fields`, validated like any other row (INVALID_INPUT, LANGUAGE_INVALID). Callers sanitise
    rich text before passing it."""
    ensure_language(language)
    translation = model._default_manager.filter(**owner, language=language).first()
    if translation is None:
        translation = model(**owner, language=language)
    for field, value in fields.items():
        setattr(translation, field, value)
    validate(translation)
    translation.save()
    return translation


def apply_changes(
    instance: models.Model, changes: Mapping[str, Any], *, exclude: list[str] | None = None
) -> None:
    """Set `changes` on `instance` and validate, without saving; on a validation error put
    the old values back so the caller's object is left as it was."""
    original = {field: getattr(instance, field) for field in changes}
    for field, value in changes.items():
        setattr(instance, field, value)
    try:
        validate(instance, exclude=exclude)
    except InvalidInput:
        for field, value in original.items():
            setattr(instance, field, value)
        raise


def save_changes(
    instance: models.Model, changes: Mapping[str, Any], *, exclude: list[str] | None = None
) -> None:
    """`apply_changes`, then save."""
    apply_changes(instance, changes, exclude=exclude)
    instance.save()


def in_use(code: str) -> Conflict:
    """Conflict for a product or variant other records must keep (its stock and movement
    ledger): deactivate or unpublish it instead of deleting it."""
    message = _("Stock records refer to it: unpublish it instead of deleting it.")
    return Conflict(message, code=code, errors={"__all__": [message]})
