"""Work the inventory's process races run in other processes (comptoir.core.processes):
module-level functions taking ids and returning "ok"."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from comptoir.channels.models import Channel
from comptoir.inventory import services


def reserve(token: str, variant_id: int, channel_id: int) -> str:
    """Reserve one unit for the checkout `token`."""
    services.stock_reserve(
        token=token,
        lines=[(variant_id, 1)],
        channel=Channel.objects.get(pk=channel_id),
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    return "ok"


def expire_all() -> str:
    """The expiry worker, seeing every hold as expired."""
    services.reservations_expire(now=timezone.now() + timedelta(days=1))
    return "ok"


def commit(token: str) -> str:
    services.reservation_commit(token=token)
    return "ok"
