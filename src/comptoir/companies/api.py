"""Staff and integration endpoints of companies under /api/v1/admin/."""

from __future__ import annotations

from ninja import Router

from comptoir.accounts.auth import session_or_bearer

admin_router = Router(tags=["admin: companies"], auth=session_or_bearer)
