"""POST /api/v1/prices: the caller's prices for lines of (sku, quantity)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["pricing"])
