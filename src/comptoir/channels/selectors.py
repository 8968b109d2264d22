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
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound

_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")

VERSION_KEY = "channels:version"
# A shared cache (Redis) costs a round trip: its version is read at most this often. A cache
# in this process (local memory, dummy) is read on every call, as cheap as a dict lookup.
VERSION_CHECK_SECONDS = 1.0
# Reloaded at least this often, should a bump never reach this process (a local-memory cache
# in a multi-process deployment, an eviction).
MAX_AGE_SECONDS = 60.0


def _new_version() -> int:
    # Random rather than 1: a cleared or evicted cache must never bring back a version that
    # some process still holds a copy for.
    return secrets.randbits(52) + 1


def channel_version() -> int:
    """The current version of the channels. Copies of channels put it in their key, so that
    a bump makes them stale. Set to a fresh random number when missing from the cache."""
    version = cache.get(VERSION_KEY)
    if isinstance(version, int):
        return version
    fresh = _new_version()
    if cache.add(VERSION_KEY, fresh, timeout=None):
        return fresh
    version = cache.get(VERSION_KEY)
    return version if isinstance(version, int) else fresh


def channel_version_bump() -> int:
    """Make every copy of the channels stale; returns the new version.

    Channel services call it through `transaction.on_commit(channel_version_bump)`, so that
    no request can copy the old rows under the new version before the change is committed.
    """
    _memo.reset()
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:  # missing (never read, or evicted)
        fresh = _new_version()
        if cache.add(VERSION_KEY, fresh, timeout=None):
            return fresh
        return cache.incr(VERSION_KEY)


def _cache_is_local() -> bool:
    return isinstance(caches["default"], LocMemCache | DummyCache)


@dataclass(frozen=True, slots=True)
class _Snapshot[T]:
    value: T
    version: int
    checked_at: float
    loaded_at: float


class _VersionedMemo[T]:
    """A value loaded from the database, kept in the process as of a version (see the
    module docstring). Replaced whole, never changed in place: threads of one worker may
    read it while another reloads it."""

    def __init__(self, version: Callable[[], int], load: Callable[[], T]) -> None:
        self._version = version
        self._load = load
        self._snapshot: _Snapshot[T] | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        self._snapshot = None

    def get(self, *, reload: bool = False) -> T:
        snapshot = self._snapshot
        now = time.monotonic()
        if snapshot is not None and not reload and now - snapshot.loaded_at < MAX_AGE_SECONDS:
            if not _cache_is_local() and now - snapshot.checked_at < VERSION_CHECK_SECONDS:
                return snapshot.value
            if self._version() == snapshot.version:
                self._snapshot = _Snapshot(
                    snapshot.value, snapshot.version, now, snapshot.loaded_at
                )
                return snapshot.value
        with self._lock:
            # The version first: a bump committed while loading leaves this copy stale.
            version = self._version()
            value = self._load()
            self._snapshot = _Snapshot(value, version, now, now)
        return value


def _load_channels() -> dict[str, Channel]:
    return {c.code: c for c in Channel.objects.filter(is_active=True).order_by("id")}


_memo = _VersionedMemo(channel_version, _load_channels)


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
