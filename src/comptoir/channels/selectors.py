"""Reads for sales channels."""

from __future__ import annotations

from django.conf import settings

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound


def channel_list() -> list[Channel]:
    return list(Channel.objects.filter(is_active=True).order_by("id"))


def channel_get(*, code: str | None) -> Channel:
    """The active channel with `code`, or the deployment's default channel when `code` is empty."""
    wanted = code or settings.COMPTOIR_DEFAULT_CHANNEL
    channel = Channel.objects.filter(code=wanted, is_active=True).first()
    if channel is None:
        raise NotFound(f"Unknown channel: {wanted}", code="CHANNEL_NOT_FOUND")
    return channel
