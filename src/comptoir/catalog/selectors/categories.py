"""Category reads: the localized tree in two queries, one category, descendant ids (from a
copy kept in the process), the SQL of hidden categories, and the tree version that caches of
the tree are keyed by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, CategoryTranslation
from comptoir.catalog.selectors.localize import localized_text
from comptoir.catalog.selectors.records import BASE_LANGUAGE, CategoryNode, normalize_language
from comptoir.core.errors import NotFound
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump

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


TREE_VERSION_KEY = "catalog:tree-version"
# A shared cache (Redis) costs a round trip: processes read the tree version at most this
# often for their own copies. A cache in the process (local memory, dummy) is read each time.
VERSION_CHECK_SECONDS = 1.0
# Process copies are reloaded at least this often, should a bump never reach the process (a
# local-memory cache in a multi-process deployment, an eviction).
MAX_AGE_SECONDS = 60.0


def category_tree_version() -> int:
    """The current version of the category tree. Caches of the tree, or of anything derived
    from it, put it in their key so that a bump makes them stale. Set to a fresh random
    number when missing from the cache (never bumped, or evicted)."""
    return cache_version(TREE_VERSION_KEY)


def category_tree_version_bump() -> int:
    """Make every cached copy of the category tree stale; returns the new version.

    A cache write, not a database one: category services call it after any change to a
    category (create, update, move, (de)activate, translate, delete), through
    `transaction.on_commit(category_tree_version_bump)` so that no request can cache the
    old tree under the new version before the change is committed.
    """
    _subtrees.reset()
    try:
        return cache_version_bump(TREE_VERSION_KEY)
    finally:
        # Also after: a load racing the bump must not keep the old tree in this process.
        _subtrees.reset()


def hidden_categories_sql(connection: BaseDatabaseWrapper) -> str:
    """`SELECT id` of the categories hidden from the public: inactive ones and everything
    under them. A recursive CTE, valid as a subquery on SQLite and PostgreSQL; it takes one
    parameter, False (the is_active value to start from)."""
    table = connection.ops.quote_name(Category._meta.db_table)
    # Only a quoted table name is interpolated: no input reaches this SQL.
    return (
        "WITH RECURSIVE comptoir_hidden_category(id) AS ("  # noqa: S608
        f"SELECT id FROM {table} WHERE is_active = %s "
        f"UNION SELECT c.id FROM {table} c "
        "JOIN comptoir_hidden_category h ON c.parent_id = h.id"
        ") SELECT id FROM comptoir_hidden_category"
    )


class OutsideHiddenCategories(Expression):
    """A condition: the category id at `category_id` (a field path) is not a hidden
    category's. `filter(OutsideHiddenCategories("product__category_id"))`.

    The hidden ids are computed once per statement, so the check costs no extra query. On
    PostgreSQL it reads `NOT (id = ANY(ARRAY(...)))`: unlike `NOT IN (subquery)`, which the
    planner assumes drops half the rows, it keeps the row estimates, and so the plans, of
    the queries it is added to.
    """

    output_field = BooleanField()

    def __init__(self, category_id: str) -> None:
        super().__init__()
        self.category_id: Any = F(category_id)

    def get_source_expressions(self) -> list[Any]:
        return [self.category_id]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.category_id,) = exprs

    def _sql(self, compiler: SQLCompiler, template: str) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.category_id)
        hidden = hidden_categories_sql(compiler.connection)
        return template.format(column=column, hidden=hidden), (*params, False)

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, "NOT ({column} IN ({hidden}))")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, "NOT ({column} = ANY(ARRAY({hidden})))")


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
        text = localized_text(base=row, translation=translations.get(row["id"]))
        nodes[row["id"]] = CategoryNode(
            id=row["id"],
            slug=row["slug"],
            name=text.name,
            description=text.description,
            seo_title=text.seo_title,
            seo_description=text.seo_description,
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


def _load_subtrees() -> dict[str, tuple[int, ...]]:
    """Every visible category's slug -> its id and its visible descendants' ids, sorted.
    Categories under an inactive one are left out with it. One query."""
    rows = list(Category.objects.filter(is_active=True).values_list("id", "parent_id", "slug"))
    children: dict[int | None, list[int]] = {}
    for cid, parent_id, _slug in rows:
        children.setdefault(parent_id, []).append(cid)
    # Walk down from the roots: what is reached hangs from active categories only.
    below: dict[int, list[int]] = {}
    order: list[int] = []
    stack = list(children.get(None, []))
    seen: set[int] = set()
    while stack:
        cid = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        order.append(cid)
        stack.extend(children.get(cid, []))
    for cid in reversed(order):  # children before their parents
        ids = [cid]
        for child in children.get(cid, []):
            ids.extend(below[child])
        below[cid] = ids
    return {slug: tuple(sorted(below[cid])) for cid, _parent, slug in rows if cid in below}


_subtrees = VersionedMemo(
    version=category_tree_version,
    load=_load_subtrees,
    # Read on every call, so that tests can change them.
    check_seconds=lambda: VERSION_CHECK_SECONDS,
    max_age_seconds=lambda: MAX_AGE_SECONDS,
)


def category_descendant_ids(*, slug: str) -> list[int]:
    """Ids of the active category `slug` and of all its active descendants, sorted.

    From the process's copy of the tree (no query while it is current, see
    `comptoir.core.memo`); an unknown slug reloads it once, in case the category is newer.
    Raises NotFound CATEGORY_NOT_FOUND for an unknown or hidden category.
    """
    ids = _subtrees.get().get(slug)
    if ids is None:
        ids = _subtrees.get(reload=True).get(slug)
    if ids is None:
        raise _category_not_found(slug)
    return list(ids)


def slug_redirect(*, slug: str, kind: str) -> str | None:
    """The current slug of the product (`kind` "product") or category ("category") that
    used to be `slug`, if one did (one query)."""
    from comptoir.catalog.models import SlugRedirect

    if not slug or len(slug) > 160 or "\x00" in slug:
        return None
    field = "product" if kind == "product" else "category"
    return (
        SlugRedirect.objects.filter(old_slug=slug, **{f"{field}__isnull": False})
        .values_list(f"{field}__slug", flat=True)
        .first()
    )
