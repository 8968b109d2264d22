"""Reads for sales channels.

Every storefront page and public API request names a channel, and channels rarely change:
`channel_get` answers from a copy of the active channels kept in the process, keyed by
`channel_version()`. Channel services bump the version when they commit
(`channel_version_bump`), which makes every process reload its copy: at once in the process
that made the change, within `VERSION_CHECK_SECONDS` in the others when the cache is shared
(Redis), and within `MAX_AGE_SECONDS` whatever happens to the cache.
"""

from __future__ import annotations

import copy
import re

from django.conf import settings

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump

_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")

VERSION_KEY = "channels:version"
# A shared cache (Redis) costs a round trip: its version is read at most this often. A cache
# in this process (local memory, dummy) is read on every call, as cheap as a dict lookup.
VERSION_CHECK_SECONDS = 1.0
# Reloaded at least this often, should a bump never reach this process (a local-memory cache
# in a multi-process deployment, an eviction).
MAX_AGE_SECONDS = 60.0


def channel_version() -> int:
    """The current version of the channels. Copies of channels put it in their key, so that
    a bump makes them stale. Set to a fresh random number when missing from the cache."""
    return cache_version(VERSION_KEY)


def channel_version_bump() -> int:
    """Make every copy of the channels stale; returns the new version.

    Channel services call it through
    `transaction.on_commit(channel_version_bump, robust=True)`, so that
    no request can copy the old rows under the new version before the change is committed.
    """
    _memo.reset()
    try:
        return cache_version_bump(VERSION_KEY)
    finally:
        # Again, whether the bump worked or not (the cache is down: the error is logged by
        # the robust on_commit callback): a load that began before it is not kept.
        _memo.reset()


def _load_channels() -> dict[str, Channel]:
    return {c.code: c for c in Channel.objects.filter(is_active=True).order_by("id")}


_memo = VersionedMemo(
    version=channel_version,
    load=_load_channels,
    # Read on every call, so that tests can change them.
    check_seconds=lambda: VERSION_CHECK_SECONDS,
    max_age_seconds=lambda: MAX_AGE_SECONDS,
)


def channel_list() -> list[Channel]:
    return list(Channel.objects.filter(is_active=True).order_by("id"))


def channel_get(*, code: str | None) -> Channel:
    """The active channel with `code`, or the deployment's default channel when `code` is empty.

    No query while the process's copy of the channels is current (see the module docstring);
    an unknown code reloads the copy once, in case the channel is newer than it. Returns a
    copy of the process's instance: changing it changes nothing else.
    """
    wanted = code or settings.COMPTOIR_DEFAULT_CHANNEL
    if not _CODE.fullmatch(wanted):
        raise NotFound(f"Unknown channel: {wanted[:50]!r}", code="CHANNEL_NOT_FOUND")
    channel = _memo.get().get(wanted)
    if channel is None:
        channel = _memo.get(reload=True).get(wanted)
    if channel is None:
        raise NotFound(f"Unknown channel: {wanted}", code="CHANNEL_NOT_FOUND")
    mine = copy.copy(channel)
    mine.languages = list(channel.languages)  # the one mutable field value
    return mine


def channel_by_id(*, channel_id: int) -> Channel:
    """The channel `channel_id` (active or not): a copy of the process's instance while it
    is active and the copy current, else read from the database (an inactive channel's
    carts and orders still name it). Channel.DoesNotExist when there is none."""
    for channel in _memo.get().values():
        if channel.pk == channel_id:
            mine = copy.copy(channel)
            mine.languages = list(channel.languages)
            return mine
    return Channel.objects.get(pk=channel_id)


def channel_for_buyer(*, code: str | None, business: bool) -> Channel:
    """The channel named by `code`; without one, a company buyer's default is the first
    active business channel (when there is one), everyone else's the deployment default."""
    if code or not business:
        return channel_get(code=code)
    business_channels = sorted((c for c in _memo.get().values() if c.is_b2b), key=lambda c: c.pk)
    if not business_channels:
        return channel_get(code=None)
    return channel_get(code=business_channels[0].code)
