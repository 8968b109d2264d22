"""Writes for the category tree. Every change makes cached copies of the tree stale once
it commits (`category_tree_version_bump`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.selectors.categories import category_tree_version_bump
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    ensure_unique,
    given,
    save_changes,
    slug_moved,
    text_checked,
    translation_save,
    validate,
)
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.html import sanitize_html


def _tree_changed() -> None:
    """Bump the category tree version when the current transaction commits (never before:
    a request could otherwise cache the old tree under the new version)."""
    # Robust: a cache error after COMMIT is logged by Django, never a failed request.
    transaction.on_commit(category_tree_version_bump, robust=True)


def category_check_parent(*, category: Category | None, parent: Category | None) -> None:
    """Raise InvalidInput(PARENT_CYCLE) when `parent` is `category` itself or one of its
    descendants. `category` is None for a category that does not exist yet (never a cycle)."""
    if parent is None or category is None or category.pk is None:
        return
    parent_of = dict(Category.objects.values_list("id", "parent_id"))
    node: int | None = parent.pk
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == category.pk:
            raise InvalidInput(
                "A category cannot be placed under itself or one of its subcategories.",
                code="PARENT_CYCLE",
                errors={"parent": ["PARENT_CYCLE"]},
            )
        seen.add(node)
        node = parent_of.get(node)


@text_checked
@transaction.atomic
def category_create(
    *,
    name: str,
    slug: str = "",
    parent: Category | None = None,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
    seo_title: str = "",
    seo_description: str = "",
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Category:
    """Create a category; the slug defaults to the slugified name and must be free."""
    slug = slug or slugify(name)
    ensure_unique(Category, field="slug", value=slug, code="SLUG_TAKEN")
    ensure_unique(Category, field="external_ref", value=external_ref, code="EXTERNAL_REF_TAKEN")
    category = Category(
        name=name,
        slug=slug,
        parent=parent,
        description=sanitize_html(description),
        position=position,
        is_active=is_active,
        seo_title=seo_title,
        seo_description=seo_description,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    validate(category)
    category.save()
    _tree_changed()
    return category


@text_checked
@transaction.atomic
def category_update(
    *,
    category: Category,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    parent: Category | Unset | None = UNSET,
    description: str | Unset = UNSET,
    position: int | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    seo_title: str | Unset = UNSET,
    seo_description: str | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
) -> Category:
    """Change the given fields; moving a category under itself or a descendant is refused."""
    changes = given(
        name=name,
        slug=slug,
        parent=parent,
        description=description,
        position=position,
        is_active=is_active,
        seo_title=seo_title,
        seo_description=seo_description,
        external_ref=external_ref,
        metadata=metadata,
    )
    if "parent" in changes:
        category_check_parent(category=category, parent=changes["parent"])
    if "slug" in changes:
        ensure_unique(
            Category, field="slug", value=changes["slug"], code="SLUG_TAKEN", exclude_pk=category.pk
        )
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
        ensure_unique(
            Category,
            field="external_ref",
            value=changes["external_ref"],
            code="EXTERNAL_REF_TAKEN",
            exclude_pk=category.pk,
        )
    if "description" in changes:
        changes["description"] = sanitize_html(changes["description"])
    old_slug = category.slug
    save_changes(category, changes)
    if "slug" in changes:
        slug_moved(old_slug=old_slug, new_slug=category.slug, category=category)
    _tree_changed()
    return category


@text_checked
@transaction.atomic
def category_translation_set(
    *,
    category: Category,
    language: str,
    name: str,
    description: str = "",
    seo_title: str = "",
    seo_description: str = "",
) -> CategoryTranslation:
    """Create or replace the `language` translation of a category (description sanitised)."""
    translation = translation_save(
        CategoryTranslation,
        owner={"category": category},
        language=language,
        name=name,
        description=sanitize_html(description),
        seo_title=seo_title,
        seo_description=seo_description,
    )
    _tree_changed()
    return translation


@text_checked
@transaction.atomic
def category_translation_delete(*, category: Category, language: str) -> None:
    deleted, _rows = CategoryTranslation.objects.filter(
        category=category, language=language
    ).delete()
    if deleted:
        _tree_changed()


def _category_in_use(category: Category) -> Conflict:
    return Conflict(
        _("The category %(name)s still has products or subcategories.") % {"name": category.name},
        code="CATEGORY_IN_USE",
        errors={"category": ["CATEGORY_IN_USE"]},
    )


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category with its translations. A category that still holds products or
    subcategories is refused (Conflict CATEGORY_IN_USE): move or delete them first."""
    if category.products.exists() or category.children.exists():
        raise _category_in_use(category)
    try:
        with transaction.atomic():
            category.delete()
    except ProtectedError:  # a product or subcategory was added meanwhile
        raise _category_in_use(category) from None
    _tree_changed()
