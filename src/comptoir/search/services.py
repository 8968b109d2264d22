"""Writing the search index from the catalog."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import transaction

from comptoir.catalog.models import (
    Product,
    ProductAttributeValue,
    ProductTranslation,
    ProductVariant,
)
from comptoir.catalog.selectors import plain_excerpt
from comptoir.search.models import SearchDocument

BATCH_SIZE = 500
_SEPARATORS = re.compile(r"[\W_]+")
# Descriptions are indexed up to this many characters (the start says what a product is).
TEXT_LIMIT = 4000


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def _documents(product_ids: Sequence[int]) -> list[SearchDocument]:
    """The documents of the products that exist among `product_ids` (four queries)."""
    products = Product.objects.filter(pk__in=product_ids).values(
        "id", "name", "brand", "description"
    )
    english: dict[int, tuple[str, str]] = {
        row["product_id"]: (row["name"], row["description"])
        for row in ProductTranslation.objects.filter(
            product_id__in=product_ids, language="en"
        ).values("product_id", "name", "description")
    }
    codes: dict[int, list[str]] = defaultdict(list)
    variant_names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for variant in ProductVariant.objects.filter(product_id__in=product_ids).values(
        "product_id", "sku", "gtin", "name", "name_en"
    ):
        pid = variant["product_id"]
        for code in (variant["sku"], variant["gtin"]):
            if code:
                # As typed and in words: "DRL-18V" is found by "drl-18v", "drl 18v" and "18v"
                # (PostgreSQL's parser would read "-18" as a negative number).
                codes[pid].extend([code, _SEPARATORS.sub(" ", code)])
        variant_names[pid].append((variant["name"], variant["name_en"]))
    values: dict[int, list[str]] = defaultdict(list)
    values_en: dict[int, list[str]] = defaultdict(list)
    for value in ProductAttributeValue.objects.filter(product_id__in=product_ids).values(
        "product_id", "value_text", "choice__value", "choice__value_en"
    ):
        french = value["choice__value"] or value["value_text"] or ""
        values[value["product_id"]].append(french)
        values_en[value["product_id"]].append(value["choice__value_en"] or french)
    documents = []
    for row in products:
        pk = row["id"]
        name_en, description_en = english.get(pk, ("", ""))
        text_fr = " ".join(
            [
                plain_excerpt(row["description"], TEXT_LIMIT),
                *values[pk],
                *(name for name, _en in variant_names[pk] if name),
            ]
        )
        text_en = " ".join(
            [
                plain_excerpt(description_en, TEXT_LIMIT),
                *values_en[pk],
                *(en or name for name, en in variant_names[pk] if en or name),
            ]
        )
        documents.append(
            SearchDocument(
                product_id=pk,
                name_fr=row["name"],
                name_en=name_en,
                codes=" ".join([row["brand"], *codes[pk]]).strip(),
                text_fr=text_fr.strip(),
                text_en=text_en.strip(),
            )
        )
    return documents


def search_index(*, product_ids: Iterable[int]) -> int:
    """(Re)write the documents of `product_ids`; products that no longer exist lose theirs.
    Returns the number of documents written. Idempotent: the outbox may deliver twice."""
    written = 0
    for batch in _batches(sorted(set(product_ids)), BATCH_SIZE):
        documents = _documents(batch)
        with transaction.atomic():
            SearchDocument.objects.filter(product_id__in=batch).exclude(
                product_id__in=[d.product_id for d in documents]
            ).delete()
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=["name_fr", "name_en", "codes", "text_fr", "text_en", "indexed_at"],
            )
        written += len(documents)
    return written


def search_reindex_all(*, batch_size: int = BATCH_SIZE) -> int:
    """Rebuild the whole index (after a bulk import, or a new backend): every product's
    document rewritten, documents of deleted products dropped."""
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.exclude(product_id__in=Product.objects.values("pk")).delete()
    written = 0
    for batch in _batches(ids, batch_size):
        written += search_index(product_ids=batch)
    return written


def search_index_ensure() -> int:
    """Rebuild the index when it does not hold one document per product (rows written in
    bulk, around the services and their events); the number of documents written (0 when
    the index was complete). Two counts when there is nothing to do."""
    if SearchDocument.objects.count() == Product.objects.count():
        return 0
    return search_reindex_all()
