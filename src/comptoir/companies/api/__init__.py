"""API of companies: the buyer's own company on `router` (/api/v1/company...), staff
routes on `admin_router` (mounted under /api/v1/admin/)."""

from comptoir.companies.api.buyer import router
from comptoir.companies.api.staff import admin_router

__all__ = ["admin_router", "router"]
