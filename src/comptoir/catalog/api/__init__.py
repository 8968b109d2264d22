"""The catalog API: `router` (public reads, mounted at /api/v1/) and `admin_router` (staff
CRUD, mounted at /api/v1/admin/). Handlers parse input, call one service or selector and
shape the output; domain errors become problem+json in comptoir.api."""

from comptoir.catalog.api import (  # noqa: F401
    public,
    staff_catalog,
    staff_collections,
    staff_media,
    staff_products,
    staff_shared,
)
from comptoir.catalog.api.common import admin_router, router

__all__ = ["admin_router", "router"]
