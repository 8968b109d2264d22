"""API of cart: public routes on `router` (/api/v1/carts...: quick order first, so that
`lines/bulk` is not read as `lines/{line_id}`), staff routes on `admin_router` (mounted
under /api/v1/admin/)."""

from ninja import Router

from comptoir.cart.api.bulk import bulk_router
from comptoir.cart.api.public import router as public_router
from comptoir.cart.api.staff import admin_router

router = Router()
router.add_router("", bulk_router)
router.add_router("", public_router)

__all__ = ["admin_router", "router"]
