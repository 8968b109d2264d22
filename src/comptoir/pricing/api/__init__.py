"""Pricing endpoints: public price resolution and staff price lists."""

from comptoir.pricing.api.public import router
from comptoir.pricing.api.staff import admin_router

__all__ = ["admin_router", "router"]
