"""Category services: slugs, the tree (no cycles), translations."""

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.catalog import services
from comptoir.catalog.models import Category
from comptoir.catalog.selectors.categories import category_tree_version
from comptoir.catalog.tests.factories import CategoryFactory
from comptoir.catalog.tests.test_services import CLEAN, DIRTY, raises
from comptoir.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


# Categories -----------------------------------------------------------------------------


def test_category_create_slugifies_and_sanitises() -> None:
    parent = services.category_create(name="Outillage à main")

    child = services.category_create(name="Tournevis", parent=parent, description=DIRTY)

    assert parent.slug == "outillage-a-main"
    assert child.parent == parent
    assert child.description == CLEAN


def test_category_slug_taken_is_a_conflict_and_creates_nothing() -> None:
    CategoryFactory.create(slug="jardin")

    with raises(Conflict, "SLUG_TAKEN"):
        services.category_create(name="Jardin")

    assert Category.objects.count() == 1


def test_category_cannot_move_under_itself_or_a_descendant() -> None:
    top = services.category_create(name="Cuisine")
    middle = services.category_create(name="Ustensiles", parent=top)
    leaf = services.category_create(name="Louches", parent=middle)

    with raises(InvalidInput, "PARENT_CYCLE"):
        services.category_update(category=top, parent=leaf)
    with raises(InvalidInput, "PARENT_CYCLE"):
        services.category_update(category=top, parent=top)

    top.refresh_from_db()
    assert top.parent is None


def test_category_update_restores_the_object_when_refused() -> None:
    category = services.category_create(name="Jardin")
    CategoryFactory.create(slug="deco")

    with raises(Conflict, "SLUG_TAKEN"):
        services.category_update(category=category, name="Déco", slug="deco")
    with raises(InvalidInput, "INVALID_INPUT"):
        services.category_update(category=category, name="x" * 121)

    assert (category.name, category.slug) == ("Jardin", "jardin")
    category.refresh_from_db()
    assert category.name == "Jardin"


def test_category_translation_is_upserted_and_sanitised() -> None:
    category = services.category_create(name="Jardin")

    services.category_translation_set(category=category, language="en", name="Gardn")
    translation = services.category_translation_set(
        category=category, language="en", name="Garden", description=DIRTY
    )

    assert category.translations.count() == 1
    assert (translation.name, translation.description) == ("Garden", CLEAN)
    with raises(InvalidInput, "LANGUAGE_INVALID"):
        services.category_translation_set(category=category, language="de", name="Garten")


# The category tree cache --------------------------------------------------------------------


def test_every_category_change_bumps_the_tree_version_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    versions = [category_tree_version()]
    garden = CategoryFactory.create(slug="jardin")
    changes: list[Callable[[], object]] = [
        lambda: services.category_create(name="Outillage"),
        lambda: services.category_update(category=garden, name="Jardinage"),
        lambda: services.category_translation_set(category=garden, language="en", name="Garden"),
        lambda: services.category_translation_delete(category=garden, language="en"),
        lambda: services.category_delete(category=garden),
    ]

    for change in changes:
        with django_capture_on_commit_callbacks(execute=True):
            change()
        versions.append(category_tree_version())

    assert len(set(versions)) == len(versions)  # a new version after each change


def test_the_tree_version_waits_for_the_commit_and_ignores_refusals(
    django_capture_on_commit_callbacks: Any,
) -> None:
    garden = CategoryFactory.create(slug="jardin")
    CategoryFactory.create(slug="tondeuses", parent=garden)
    start = category_tree_version()

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.category_update(category=garden, name="Jardinage")
        assert category_tree_version() == start  # not before the commit
    with django_capture_on_commit_callbacks(execute=True) as refused:
        with raises(Conflict, "CATEGORY_IN_USE"):
            services.category_delete(category=garden)
        with raises(Conflict, "SLUG_TAKEN"):
            services.category_create(name="Jardin")
        services.category_translation_delete(category=garden, language="en")  # none

    assert len(pending) == 1
    assert refused == []
    assert category_tree_version() == start
