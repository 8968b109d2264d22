"""Category reads: the localized tree, one category, descendant ids kept in the process,
the tree version."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.selectors import categories as categories_selectors
from comptoir.catalog.selectors import (
    category_descendant_ids,
    category_get,
    category_tree,
    category_tree_version,
    category_tree_version_bump,
)
from comptoir.catalog.tests.factories import CategoryFactory
from comptoir.core.errors import NotFound

pytestmark = pytest.mark.django_db


# --- categories -------------------------------------------------------------------------


def test_category_tree_is_ordered_and_hides_inactive_subtrees(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        roots = category_tree(language="fr")

    assert [r.slug for r in roots] == ["maison", "outillage"]
    assert [c.slug for c in roots[1].children] == ["scies", "perceuses"]
    assert roots[1].name == "Outillage"
    assert roots[1].children[0].parent_id == tree["outillage"].id


def test_category_tree_in_english_uses_translations_in_two_queries(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        roots = category_tree(language="en-GB")

    outillage = roots[1]
    assert (outillage.name, outillage.description) == ("Tools", "<p>All <b>tools</b></p>")
    # No translation: the base (French) text.
    assert roots[0].name == "Maison"


def test_category_translation_falls_back_within_itself(tree: dict[str, Any]) -> None:
    # Given French SEO texts and English translations: one with a name only, one with a
    # description only
    garden: Any = CategoryFactory(
        slug="jardin", seo_title="Jardin pas cher", seo_description="Outils de jardin"
    )
    CategoryTranslation.objects.create(category=garden, language="en", name="Garden")

    # when read in English
    garden_en = category_get(slug="jardin", language="en")
    tools_en = category_get(slug="outillage", language="en")
    garden_fr = category_get(slug="jardin", language="fr")

    # then the SEO texts come from the translation row, never from the French columns
    assert (garden_en.name, garden_en.description) == ("Garden", "")
    assert (garden_en.seo_title, garden_en.seo_description) == ("Garden", "")
    assert (tools_en.seo_title, tools_en.seo_description) == ("Tools", "All tools")
    assert (garden_fr.seo_title, garden_fr.seo_description) == (
        "Jardin pas cher",
        "Outils de jardin",
    )


def test_category_without_translation_uses_the_base_columns(tree: dict[str, Any]) -> None:
    tree["maison"].seo_title = "Maison et déco"
    tree["maison"].save()

    node = category_get(slug="maison", language="en")

    assert (node.name, node.seo_title) == ("Maison", "Maison et déco")


def test_tree_version_is_stable_until_bumped_and_renewed_when_evicted(clean_cache: None) -> None:
    first = category_tree_version()

    assert category_tree_version() == first
    bumped = category_tree_version_bump()
    assert bumped != first
    assert category_tree_version() == bumped
    assert (category_tree_version_bump(), category_tree_version()) == (bumped + 1, bumped + 1)
    # Evicted (or the cache cleared): a fresh random version, never one seen before, so that
    # no process keeps a copy keyed by an old one.
    cache.delete(categories_selectors.TREE_VERSION_KEY)
    renewed = category_tree_version()
    assert renewed not in (first, bumped, bumped + 1)
    assert category_tree_version() == renewed


def test_category_get_returns_the_subtree(tree: dict[str, Any]) -> None:
    node = category_get(slug="outillage", language="en")

    assert node.name == "Tools"
    assert [c.slug for c in node.children] == ["scies", "perceuses"]


@pytest.mark.parametrize("slug", ["nope", "archive", "sous-archive", ""])
def test_category_get_unknown_or_inactive_is_not_found(tree: dict[str, Any], slug: str) -> None:
    with pytest.raises(NotFound) as exc:
        category_get(slug=slug, language="fr")
    assert exc.value.code == "CATEGORY_NOT_FOUND"


def test_category_descendant_ids(tree: dict[str, Any]) -> None:
    ids = category_descendant_ids(slug="outillage")

    assert ids == sorted([tree["outillage"].id, tree["perceuses"].id, tree["scies"].id])
    assert category_descendant_ids(slug="scies") == [tree["scies"].id]
    with pytest.raises(NotFound):
        category_descendant_ids(slug="sous-archive")
    with pytest.raises(NotFound):
        category_descendant_ids(slug="archive")


def test_descendant_ids_are_kept_in_the_process_until_the_tree_version_changes(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    # Given the tree loaded once
    category_descendant_ids(slug="outillage")
    with django_assert_num_queries(0):
        before = category_descendant_ids(slug="outillage")
    # when "scies" moves under "maison" (a category service bumps the version on commit)
    Category.objects.filter(pk=tree["scies"].pk).update(parent=tree["maison"])
    with django_assert_num_queries(0):
        stale = category_descendant_ids(slug="outillage")
    category_tree_version_bump()

    # then the next call reads the tree again
    with django_assert_num_queries(1):
        after = category_descendant_ids(slug="outillage")
    assert stale == before == sorted([tree[s].id for s in ("outillage", "perceuses", "scies")])
    assert after == sorted([tree["outillage"].id, tree["perceuses"].id])
    assert category_descendant_ids(slug="maison") == sorted([tree["maison"].id, tree["scies"].id])


def test_a_bump_by_another_process_is_seen_at_once_with_a_local_cache(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    Category.objects.filter(pk=tree["perceuses"].pk).update(is_active=False)

    cache.incr(categories_selectors.TREE_VERSION_KEY)  # another process's bump

    with django_assert_num_queries(1):
        assert category_descendant_ids(slug="outillage") == sorted(
            [tree["outillage"].id, tree["scies"].id]
        )


def test_with_a_shared_cache_the_version_is_read_at_most_every_check_interval(
    tree: dict[str, Any],
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    # Given a cache outside the process (files here, Redis in production)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    category_tree_version_bump()  # drops the copy made under the local-memory cache
    category_descendant_ids(slug="outillage")
    monkeypatch.setattr(categories_selectors, "VERSION_CHECK_SECONDS", 3600)
    CategoryFactory(slug="meuleuses", parent=tree["outillage"])
    cache.incr(categories_selectors.TREE_VERSION_KEY)  # another process's bump

    # within the interval the copy is used as it is, without reading the cache
    with django_assert_num_queries(0):
        stale = category_descendant_ids(slug="outillage")
    # after it, the version is read again, and the tree with it
    monkeypatch.setattr(categories_selectors, "VERSION_CHECK_SECONDS", 0)
    with django_assert_num_queries(1):
        fresh = category_descendant_ids(slug="outillage")

    assert len(stale) == 3
    assert len(fresh) == 4


def test_the_copy_is_reloaded_after_its_maximum_age(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    monkeypatch.setattr(categories_selectors, "MAX_AGE_SECONDS", 0)

    with django_assert_num_queries(1):
        category_descendant_ids(slug="outillage")


def test_an_unknown_slug_reads_the_tree_again_before_it_is_not_found(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    garden: Any = CategoryFactory(slug="jardin")  # not bumped (as by another process)

    with django_assert_num_queries(1):
        assert category_descendant_ids(slug="jardin") == [garden.id]
    with django_assert_num_queries(1), pytest.raises(NotFound) as exc:
        category_descendant_ids(slug="inconnue")
    assert exc.value.code == "CATEGORY_NOT_FOUND"
