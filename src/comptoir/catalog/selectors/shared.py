"""What a company may see and buy: the union of its active shared catalogs.

`restriction_for_company(company_id)` is None for a company assigned to no active shared
catalog (and for consumers): they see the public catalog. Otherwise it is a
`CatalogRestriction` that the price engine asks about each line (a product outside it is
NOT_FOR_SALE: cart, quick order, checkout, quotes and `POST prices` all refuse it) and that
listings apply as a ProductSubset (category pages, search, the API's product list).

The assignments are kept in each process (`VersionedMemo`, bumped by the shared catalog
services on commit): no query per request while the copy is current. Categories count
with their active descendants, read from the process's copy of the category tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, Product, SharedCatalog
from comptoir.catalog.selectors.categories import category_descendant_ids
from comptoir.catalog.selectors.records import ProductSubset
from comptoir.companies.models import Company
from comptoir.core.errors import NotFound
from comptoir.core.memo import VersionedMemo, cache_version
from comptoir.core.pagination import PageRequest

SHARED_VERSION_KEY = "catalog:shared:version"


@dataclass(frozen=True, slots=True)
class _Assignments:
    # company id -> the ids of its active shared catalogs, sorted
    catalogs_of: dict[int, tuple[int, ...]]
    # catalog id -> the slugs of its categories, and its hand-picked product ids
    category_slugs: dict[int, tuple[str, ...]]
    product_ids: dict[int, frozenset[int]]


def _load() -> _Assignments:
    """Three queries: companies, categories and products of the active shared catalogs."""
    catalogs_of: dict[int, list[int]] = {}
    links = SharedCatalog.companies.through.objects.filter(sharedcatalog__is_active=True)
    for company_id, catalog_id in links.values_list("company_id", "sharedcatalog_id"):
        catalogs_of.setdefault(company_id, []).append(catalog_id)
    slugs: dict[int, list[str]] = {}
    categories = SharedCatalog.categories.through.objects.filter(sharedcatalog__is_active=True)
    for catalog_id, slug in categories.values_list("sharedcatalog_id", "category__slug"):
        slugs.setdefault(catalog_id, []).append(slug)
    products: dict[int, set[int]] = {}
    picked = SharedCatalog.products.through.objects.filter(sharedcatalog__is_active=True)
    for catalog_id, product_id in picked.values_list("sharedcatalog_id", "product_id"):
        products.setdefault(catalog_id, set()).add(product_id)
    return _Assignments(
        catalogs_of={k: tuple(sorted(v)) for k, v in catalogs_of.items()},
        category_slugs={k: tuple(sorted(v)) for k, v in slugs.items()},
        product_ids={k: frozenset(v) for k, v in products.items()},
    )


_assignments: VersionedMemo[_Assignments] = VersionedMemo(
    version=lambda: cache_version(SHARED_VERSION_KEY),
    load=_load,
    check_seconds=lambda: 1.0,
    max_age_seconds=lambda: 60.0,
)


def shared_catalogs_warm() -> None:
    """Load this process's copy of the assignments now if it is stale (tests that count a
    request's statements warm it, like the other copies, the channels or tax rates)."""
    _assignments.get()


def shared_catalogs_reset() -> None:
    """Drop this process's copy (the services call it with the version bump)."""
    _assignments.reset()


@dataclass(frozen=True, slots=True)
class CatalogRestriction:
    """The products a company may see and buy: those of `category_ids` and `product_ids`."""

    catalog_ids: tuple[int, ...]
    category_ids: frozenset[int]
    product_ids: frozenset[int]
    _subset: list[ProductSubset] = field(default_factory=list, compare=False, hash=False)

    def allows(self, product_id: int, category_id: int | None) -> bool:
        return product_id in self.product_ids or (
            category_id is not None and category_id in self.category_ids
        )

    @property
    def key(self) -> str:
        return "shared:" + ",".join(map(str, self.catalog_ids))

    def subset(self) -> ProductSubset:
        """The restriction as a listing filter (an `IN (subquery)` of product ids)."""
        if not self._subset:
            ids = Product.objects.filter(
                Q(category_id__in=sorted(self.category_ids))
                | Q(shared_catalogs__in=self.catalog_ids)
            ).values("id")
            self._subset.append(ProductSubset(group="shared", key=self.key, product_ids=ids))
        return self._subset[0]


def restriction_for_company(company_id: int | None) -> CatalogRestriction | None:
    """The shared catalogs' restriction of `company_id`, or None (the public catalog)."""
    if company_id is None:
        return None
    assignments = _assignments.get()
    catalog_ids = assignments.catalogs_of.get(company_id)
    if not catalog_ids:
        return None
    category_ids: set[int] = set()
    product_ids: set[int] = set()
    for catalog_id in catalog_ids:
        for slug in assignments.category_slugs.get(catalog_id, ()):
            try:
                category_ids.update(category_descendant_ids(slug=slug))
            except NotFound:  # an inactive category: its products are hidden anyway
                continue
        product_ids |= assignments.product_ids.get(catalog_id, frozenset())
    return CatalogRestriction(
        catalog_ids=catalog_ids,
        category_ids=frozenset(category_ids),
        product_ids=frozenset(product_ids),
    )


# --- staff reads --------------------------------------------------------------------------


def _staff_rows() -> QuerySet[SharedCatalog]:
    return SharedCatalog.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.only("pk", "slug")),
        Prefetch("products", queryset=Product.objects.only("pk", "slug")),
        Prefetch("companies", queryset=Company.objects.only("pk")),
    )


def shared_catalog_admin_list(*, page: PageRequest) -> tuple[list[SharedCatalog], int]:
    rows = _staff_rows().order_by("name", "id")
    count = rows.count()
    if page.offset >= count:
        return [], count
    return list(rows[page.offset : page.offset + page.page_size]), count


def shared_catalog_admin_get(*, catalog_id: int) -> SharedCatalog:
    found = _staff_rows().filter(pk=catalog_id).first() if 0 < catalog_id < 2**63 else None
    if found is None:
        raise NotFound(
            _("Unknown shared catalog: %(key)s") % {"key": catalog_id},
            code="SHARED_CATALOG_NOT_FOUND",
        )
    return found
