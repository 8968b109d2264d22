"""Writes for shared catalogs: which categories and products a set of companies may see
and buy. Every change bumps the shared catalogs' version once it commits, so every
process reads the assignments again (see comptoir.catalog.selectors.shared)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, Product, SharedCatalog
from comptoir.catalog.selectors.shared import SHARED_VERSION_KEY, shared_catalogs_reset
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    apply_changes,
    ensure_unique,
    given,
    text_checked,
    validate,
)
from comptoir.catalog.services.collections import products_by_ref
from comptoir.companies.models import Company
from comptoir.core.errors import InvalidInput
from comptoir.core.memo import cache_version_bump

MAX_ID = 2**63 - 1


def shared_catalogs_version_bump() -> int:
    shared_catalogs_reset()
    try:
        return cache_version_bump(SHARED_VERSION_KEY)
    finally:
        shared_catalogs_reset()


def _changed() -> None:
    transaction.on_commit(shared_catalogs_version_bump, robust=True)


def _unknown(field: str, code: str, refs: list[str]) -> InvalidInput:
    message = _("Unknown references: %(refs)s.") % {"refs": ", ".join(r[:60] for r in refs[:10])}
    return InvalidInput(message, code=code, errors={field: [message]})


def _categories(refs: Iterable[int | str]) -> list[Category]:
    """Categories named by id or slug (CATEGORY_NOT_FOUND otherwise)."""
    ids = {r for r in refs if isinstance(r, int) and not isinstance(r, bool)}
    slugs = {str(r) for r in refs if not isinstance(r, int) or isinstance(r, bool)}
    found = {
        c.pk: c
        for c in Category.objects.filter(pk__in={i for i in ids if 0 < i <= MAX_ID}).only("pk")
    }
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=slugs).only("pk", "slug")}
    missing = [str(i) for i in sorted(ids) if i not in found] + sorted(slugs - set(by_slug))
    if missing:
        raise _unknown("categories", "CATEGORY_NOT_FOUND", missing)
    found.update({c.pk: c for c in by_slug.values()})
    return [found[pk] for pk in sorted(found)]


def _companies(refs: Iterable[int]) -> list[Company]:
    """Companies named by id (COMPANY_NOT_FOUND otherwise)."""
    ids = set()
    for ref in refs:
        if not isinstance(ref, int) or isinstance(ref, bool):
            raise _unknown("companies", "COMPANY_NOT_FOUND", [str(ref)])
        ids.add(ref)
    found = {c.pk: c for c in Company.objects.filter(pk__in={i for i in ids if 0 < i <= MAX_ID})}
    missing = [str(i) for i in sorted(ids) if i not in found]
    if missing:
        raise _unknown("companies", "COMPANY_NOT_FOUND", missing)
    return [found[pk] for pk in sorted(found)]


def _save(catalog: SharedCatalog) -> None:
    try:
        with transaction.atomic():
            catalog.save()
    except IntegrityError:
        ensure_unique(
            SharedCatalog,
            field="code",
            value=catalog.code,
            code="CODE_TAKEN",
            exclude_pk=catalog.pk,
        )
        raise


@text_checked
@transaction.atomic
def shared_catalog_create(
    *,
    code: str,
    name: str,
    description: str = "",
    is_active: bool = True,
    categories: Iterable[int | str] = (),
    products: Iterable[int | str | Product] = (),
    companies: Iterable[int] = (),
) -> SharedCatalog:
    """Create a shared catalog (code: a slug, CODE_TAKEN 409) with its categories (ids or
    slugs), products (ids or slugs) and companies (ids). Everything named is checked
    before anything is written."""
    chosen_categories = _categories(list(categories))
    chosen_products = products_by_ref(products)
    chosen_companies = _companies(list(companies))
    ensure_unique(SharedCatalog, field="code", value=code, code="CODE_TAKEN")
    catalog = SharedCatalog(code=code, name=name, description=description, is_active=is_active)
    validate(catalog)
    _save(catalog)
    catalog.categories.set(chosen_categories)
    catalog.products.set(chosen_products)
    catalog.companies.set(chosen_companies)
    _changed()
    return catalog


@text_checked
@transaction.atomic
def shared_catalog_update(
    *,
    catalog: SharedCatalog,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    categories: Iterable[int | str] | Unset = UNSET,
    products: Iterable[int | str | Product] | Unset = UNSET,
    companies: Iterable[int] | Unset = UNSET,
) -> SharedCatalog:
    """Change the given fields; `categories`, `products` and `companies` replace theirs."""
    changes = given(code=code, name=name, description=description, is_active=is_active)
    chosen_categories = None if isinstance(categories, Unset) else _categories(list(categories))
    chosen_products = None if isinstance(products, Unset) else products_by_ref(products)
    chosen_companies = None if isinstance(companies, Unset) else _companies(list(companies))
    if "code" in changes:
        ensure_unique(
            SharedCatalog,
            field="code",
            value=changes["code"],
            code="CODE_TAKEN",
            exclude_pk=catalog.pk,
        )
    original = {f: getattr(catalog, f) for f in changes}
    apply_changes(catalog, changes)
    try:
        _save(catalog)
    except Exception:
        for f, value in original.items():
            setattr(catalog, f, value)
        raise
    if chosen_categories is not None:
        catalog.categories.set(chosen_categories)
    if chosen_products is not None:
        catalog.products.set(chosen_products)
    if chosen_companies is not None:
        catalog.companies.set(chosen_companies)
    _changed()
    return catalog


@transaction.atomic
def shared_catalog_delete(*, catalog: SharedCatalog) -> None:
    """Delete a shared catalog: its companies see the rest of theirs, or the public one."""
    catalog.delete()
    _changed()
