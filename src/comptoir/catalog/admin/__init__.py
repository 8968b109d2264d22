"""Back-office for the catalog. Every save goes through comptoir.catalog.services (so
descriptions are sanitised, `price_from` refreshed and thumbnails generated exactly as
through the API); forms pre-check with the same validators and show their errors."""

from comptoir.catalog.admin import collections, products, shared, structure, variants  # noqa: F401

__all__ = ["products", "structure", "variants"]
