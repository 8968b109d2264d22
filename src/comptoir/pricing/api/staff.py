"""Staff and integration endpoints for price lists under /api/v1/admin/."""

from __future__ import annotations

from ninja import Router

from comptoir.accounts.auth import session_or_bearer

admin_router = Router(tags=["admin: pricing"], auth=session_or_bearer)
