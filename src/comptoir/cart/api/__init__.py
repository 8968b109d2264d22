"""API of cart: public routes on `router` (/api/v1/carts...) and quick order on
`bulk_router`, mounted before it so that `lines/bulk` is not read as `lines/{line_id}`;
staff routes on `admin_router` (mounted under /api/v1/admin/)."""

from comptoir.cart.api.bulk import bulk_router
from comptoir.cart.api.public import router
from comptoir.cart.api.staff import admin_router

__all__ = ["admin_router", "bulk_router", "router"]
