"""Outbox handlers: the index follows catalog changes after they commit."""

from __future__ import annotations

from comptoir.core.models import OutboxEvent
from comptoir.search.services import search_index


def product_changed(event: OutboxEvent) -> None:
    """`catalog.product.changed`: rewrite the product's document (or drop it when the
    product was deleted)."""
    search_index(product_ids=[int(event.aggregate_id)])
