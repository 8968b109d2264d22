"""API of cart: public routes on `router` (/api/v1/carts...), staff routes on `admin_router`
(mounted under /api/v1/admin/)."""

from comptoir.cart.api.public import router
from comptoir.cart.api.staff import admin_router

__all__ = ["admin_router", "router"]
