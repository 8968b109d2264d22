"""Writes for collections (hand-picked sets of products that promotions and pages target).

Every change bumps COLLECTIONS_VERSION_KEY once it commits: the copy of the catalog
promotions (comptoir.promotions.selectors.active, which reads this key) depends on it,
since a promotion on a collection targets the products in it.

Also the staff reads of collections (`collection_admin_list`, `collection_admin_get`),
kept here until they move to comptoir.catalog.selectors.staff.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.models import Collection, Product
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    apply_changes,
    ensure_unique,
    given,
    text_checked,
    validate,
)
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.memo import cache_version_bump
from comptoir.core.pagination import PageRequest

COLLECTIONS_VERSION_KEY = "catalog:collections:version"
MAX_ID = 2**63 - 1


def collections_version_bump() -> int:
    return cache_version_bump(COLLECTIONS_VERSION_KEY)


def _changed() -> None:
    # After COMMIT only (a request could otherwise copy the old rows under the new
    # version); robust: a cache error is logged by Django, never a failed request.
    transaction.on_commit(collections_version_bump, robust=True)


def products_by_ref(refs: Iterable[int | str | Product]) -> list[Product]:
    """Products named by instance, id or slug; InvalidInput PRODUCT_NOT_FOUND otherwise."""
    instances: dict[int, Product] = {}
    ids: set[int] = set()
    slugs: set[str] = set()
    for ref in refs:
        if isinstance(ref, Product):
            instances[ref.pk] = ref
        elif isinstance(ref, int) and not isinstance(ref, bool):
            ids.add(ref)
        else:
            slugs.add(str(ref))
    missing: list[str] = []
    if ids:
        rows = Product.objects.filter(pk__in={i for i in ids if 0 < i <= MAX_ID}).only("pk")
        instances.update({p.pk: p for p in rows})
        missing += [str(i) for i in sorted(ids) if i not in instances]
    if slugs:
        by_slug = {p.slug: p for p in Product.objects.filter(slug__in=slugs).only("pk", "slug")}
        instances.update({p.pk: p for p in by_slug.values()})
        missing += sorted(s for s in slugs if s not in by_slug)
    if missing:
        message = _("Unknown products: %(refs)s.") % {
            "refs": ", ".join(m[:60] for m in missing[:10])
        }
        raise InvalidInput(message, code="PRODUCT_NOT_FOUND", errors={"products": [message]})
    return [instances[pk] for pk in sorted(instances)]


def _save(collection: Collection) -> None:
    """Save in a savepoint. A unique violation means another request took the slug between
    the check and the save: the same Conflict SLUG_TAKEN as the check (the other request
    has committed, so it sees its row now). Any other IntegrityError is raised as is."""
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError:
        ensure_unique(
            Collection,
            field="slug",
            value=collection.slug,
            code="SLUG_TAKEN",
            exclude_pk=collection.pk,
        )
        raise


@text_checked
@transaction.atomic
def collection_create(
    *,
    name: str,
    slug: str = "",
    name_en: str = "",
    is_active: bool = True,
    position: int = 0,
    products: Iterable[int | str | Product] = (),
) -> Collection:
    """Create a collection (slug defaults to the slugified name; SLUG_TAKEN 409) with its
    products given by instance, id or slug (PRODUCT_NOT_FOUND)."""
    slug = slug or slugify(name)
    chosen = products_by_ref(products)
    ensure_unique(Collection, field="slug", value=slug, code="SLUG_TAKEN")
    collection = Collection(
        name=name, slug=slug, name_en=name_en, is_active=is_active, position=position
    )
    validate(collection)
    _save(collection)
    if chosen:
        collection.products.set(chosen)
    _changed()
    return collection


@text_checked
@transaction.atomic
def collection_update(
    *,
    collection: Collection,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    name_en: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    position: int | Unset = UNSET,
    products: Iterable[int | str | Product] | Unset = UNSET,
) -> Collection:
    """Change the given fields; `products` replaces the products."""
    changes = given(name=name, slug=slug, name_en=name_en, is_active=is_active, position=position)
    chosen = None if isinstance(products, Unset) else products_by_ref(products)
    if "slug" in changes:
        ensure_unique(
            Collection,
            field="slug",
            value=changes["slug"],
            code="SLUG_TAKEN",
            exclude_pk=collection.pk,
        )
    original = {field: getattr(collection, field) for field in changes}
    apply_changes(collection, changes)
    try:
        _save(collection)
    except Exception:
        for field, value in original.items():
            setattr(collection, field, value)
        raise
    if chosen is not None:
        collection.products.set(chosen)
    _changed()
    return collection


@text_checked
@transaction.atomic
def collection_set_products(
    *, collection: Collection, products: Iterable[int | str | Product]
) -> Collection:
    """Replace the products of a collection (instances, ids or slugs)."""
    collection.products.set(products_by_ref(products))
    _changed()
    return collection


@transaction.atomic
def collection_delete(*, collection: Collection) -> None:
    """Delete a collection. One that promotions target is kept (Conflict COLLECTION_IN_USE):
    deleting it would leave a promotion without targets, that is on the whole catalog."""
    if collection.promotions.exists():
        raise Conflict(
            _("Promotions target the collection %(name)s.") % {"name": collection.name},
            code="COLLECTION_IN_USE",
            errors={"collection": ["COLLECTION_IN_USE"]},
        )
    collection.delete()
    _changed()


# --- staff reads --------------------------------------------------------------------------


def _collections() -> QuerySet[Collection]:
    return Collection.objects.prefetch_related("products")


def collection_admin_list(*, page: PageRequest) -> tuple[list[Collection], int]:
    rows = _collections().order_by("position", "id")
    count = rows.count()
    if page.offset >= count:
        return [], count
    return list(rows[page.offset : page.offset + page.page_size]), count


def collection_admin_get(*, collection_id: int) -> Collection:
    found = _collections().filter(pk=collection_id).first() if 0 < collection_id <= MAX_ID else None
    if found is None:
        raise NotFound(
            _("Unknown collection: %(key)s") % {"key": collection_id},
            code="COLLECTION_NOT_FOUND",
        )
    return found
