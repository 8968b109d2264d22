"""Reads for sales channels."""

from __future__ import annotations

import re

from django.conf import settings

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound

_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def channel_list() -> list[Channel]:
    return list(Channel.objects.filter(is_active=True).order_by("id"))


def channel_get(*, code: str | None) -> Channel:
    """The active channel with `code`, or the deployment's default channel when `code` is empty."""
    wanted = code or settings.COMPTOIR_DEFAULT_CHANNEL
    if not _CODE.fullmatch(wanted):
        raise NotFound(f"Unknown channel: {wanted[:50]!r}", code="CHANNEL_NOT_FOUND")
    channel = Channel.objects.filter(code=wanted, is_active=True).first()
    if channel is None:
        raise NotFound(f"Unknown channel: {wanted}", code="CHANNEL_NOT_FOUND")
    return channel
