"""Work run in spawned processes by the race tests (module-level functions only)."""

from __future__ import annotations

from comptoir.checkout import services
from comptoir.core.errors import DomainError


def place(token: str, key: str, card: str) -> tuple[int, str]:
    """Check out cart `token` with the test card; (status, order number or problem code)."""
    try:
        status, body = services.checkout_place(
            token=token,
            user=None,
            idempotency_key=key,
            body={"payment_method": "test_card", "payment_source": card},
        )
    except DomainError as exc:
        return exc.status, exc.code
    if status == 201:
        return status, body["order"]["number"]
    return status, body.get("code") or body.get("status", "")
