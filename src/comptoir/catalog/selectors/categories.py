"""Category reads: the localized tree in two queries, one category, descendant ids."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.selectors.records import BASE_LANGUAGE, CategoryNode, normalize_language
from comptoir.core.errors import NotFound
from comptoir.core.html import sanitize_html

_CATEGORY_FIELDS = (
    "id",
    "parent_id",
    "slug",
    "name",
    "description",
    "seo_title",
    "seo_description",
    "position",
)


def _category_not_found(slug: str) -> NotFound:
    return NotFound(_("Unknown category: %(slug)s") % {"slug": slug}, code="CATEGORY_NOT_FOUND")


def _build_nodes(language: str) -> tuple[list[CategoryNode], dict[str, CategoryNode]]:
    """All active categories as a forest (roots, and every node by slug).

    A category under an inactive parent is hidden with it. One query for the categories,
    one for their translations when `language` is not the base language.
    """
    rows = list(
        Category.objects.filter(is_active=True).order_by("position", "id").values(*_CATEGORY_FIELDS)
    )
    translations: dict[int, dict[str, Any]] = {}
    if language != BASE_LANGUAGE:
        translations = {
            row["category_id"]: dict(row)
            for row in CategoryTranslation.objects.filter(language=language).values(
                "category_id", "name", "description", "seo_title", "seo_description"
            )
        }
    nodes: dict[int, CategoryNode] = {}
    for row in rows:
        tr: dict[str, Any] = translations.get(row["id"], {})
        nodes[row["id"]] = CategoryNode(
            id=row["id"],
            slug=row["slug"],
            name=tr.get("name") or row["name"],
            description=sanitize_html(tr.get("description") or row["description"]),
            seo_title=tr.get("seo_title") or row["seo_title"],
            seo_description=tr.get("seo_description") or row["seo_description"],
            parent_id=row["parent_id"],
            position=row["position"],
        )
    roots: list[CategoryNode] = []
    for node in nodes.values():  # rows come ordered by position, so children are too
        if node.parent_id is None:
            roots.append(node)
        elif node.parent_id in nodes:
            nodes[node.parent_id].children.append(node)
    # Keep only what hangs from an active root (drops subtrees of inactive categories).
    by_slug: dict[str, CategoryNode] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        by_slug[node.slug] = node
        stack.extend(node.children)
    return roots, by_slug


def category_tree(*, language: str) -> list[CategoryNode]:
    """The active category tree, localized, ordered by position. Two queries at most."""
    roots, _by_slug = _build_nodes(normalize_language(language))
    return roots


def category_get(*, slug: str, language: str) -> CategoryNode:
    """One active category with its subtree, localized; NotFound CATEGORY_NOT_FOUND otherwise."""
    _roots, by_slug = _build_nodes(normalize_language(language))
    node = by_slug.get(slug)
    if node is None:
        raise _category_not_found(slug)
    return node


def category_descendant_ids(*, slug: str) -> list[int]:
    """Ids of the active category `slug` and of all its active descendants (one query).

    Raises NotFound CATEGORY_NOT_FOUND for an unknown or hidden category.
    """
    rows = list(Category.objects.filter(is_active=True).values_list("id", "parent_id", "slug"))
    children: dict[int | None, list[int]] = {}
    start: int | None = None
    parents: dict[int, int | None] = {}
    for cid, parent_id, cslug in rows:
        children.setdefault(parent_id, []).append(cid)
        parents[cid] = parent_id
        if cslug == slug:
            start = cid
    if start is None:
        raise _category_not_found(slug)
    # Hidden if an ancestor is inactive (missing from the active rows).
    ancestor = parents[start]
    seen: set[int] = {start}
    while ancestor is not None:
        if ancestor not in parents or ancestor in seen:
            raise _category_not_found(slug)
        seen.add(ancestor)
        ancestor = parents[ancestor]
    result: list[int] = []
    stack = [start]
    while stack:
        cid = stack.pop()
        result.append(cid)
        stack.extend(children.get(cid, []))
    return sorted(result)
