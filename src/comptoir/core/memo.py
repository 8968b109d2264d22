"""Values kept in the process, keyed by a version kept in the Django cache.

Some reads are needed by almost every request and change rarely (the active channels, the
category tree). Each process keeps a copy of them in a `VersionedMemo`, together with the
version it was loaded under. The version lives in the default cache under a key of its own
(`cache_version`); the services that change the rows bump it when they commit
(`cache_version_bump`), and every copy loaded under an older version is then stale:

- in the process that bumped it, at once (it also calls `VersionedMemo.reset`);
- in the others, within `check_seconds` when the cache is shared (Redis), whose version
  costs a round trip and is read at most that often; a cache in the process (local
  memory, dummy) is read on every call, as cheap as a dict lookup;
- whatever happens to the cache (a local-memory cache in a multi-process deployment, an
  eviction), within `max_age_seconds`, after which the copy is loaded again.

    VERSION_KEY = "channels:version"
    _memo = VersionedMemo(
        version=lambda: cache_version(VERSION_KEY),
        load=load_channels,
        check_seconds=lambda: 1.0,
        max_age_seconds=lambda: 60.0,
    )
    _memo.get()                     # no query while the copy is current
    _memo.get(reload=True)          # a fresh copy, say for a key the copy lacks
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections

logger = logging.getLogger(__name__)


def _new_version() -> int:
    # Random rather than 1: a cleared or evicted cache must never bring back a version that
    # some process still holds a copy for.
    return secrets.randbits(52) + 1


def cache_version(key: str) -> int:
    """The current version stored at `key` in the default cache.

    Set to a fresh random number when missing (never read, or evicted), so that a version
    lost with the cache is never given again to a different state of the data.
    """
    version = cache.get(key)
    if isinstance(version, int):
        return version
    fresh = _new_version()
    if cache.add(key, fresh, timeout=None):
        return fresh
    version = cache.get(key)  # another process set it first
    return version if isinstance(version, int) else fresh


def cache_version_bump(key: str) -> int:
    """Make every copy kept under the version at `key` stale; returns the new version.

    Call it once the change is committed (`transaction.on_commit`), so that no request can
    copy the old rows under the new version. An atomic increment, or a fresh random
    version when the key is missing.
    """
    try:
        return cache.incr(key)
    except ValueError:  # missing (never read, or evicted)
        fresh = _new_version()
        if cache.add(key, fresh, timeout=None):
            return fresh
        return cache.incr(key)


def cache_is_in_process() -> bool:
    """Whether the default cache lives in this process (local memory, dummy): reading a
    version from it costs no round trip."""
    return isinstance(caches["default"], LocMemCache | DummyCache)


def _in_transaction() -> bool:
    """Whether this thread is inside a transaction that may still roll back.

    Rule: any open atomic block, on any connection of this thread, counts, except the ones
    Django's test cases open around each test (marked `_from_testcase`), which stand for
    the committed state in tests. In production nothing is so marked: inside `atomic()` a
    load may read uncommitted rows, which must never be kept for other requests.
    """
    for connection in connections.all(initialized_only=True):
        if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            return True
    return False


def in_transaction() -> bool:
    """Public name of the rule above, for caches kept beside a memo: never keep what was
    read inside a transaction that may still roll back."""
    return _in_transaction()


@dataclass(frozen=True, slots=True)
class _Snapshot[T]:
    value: T
    version: int
    checked_at: float
    loaded_at: float


class VersionedMemo[T]:
    """A value loaded by `load`, kept in the process as of the version `version()` gave
    before loading it (see the module docstring).

    `check_seconds()` and `max_age_seconds()` are read on every call, so that a caller can
    keep them in constants that settings or tests change. `clock` is a monotonic clock in
    seconds. The value is replaced whole, never changed in place: threads of one worker may
    read it while another reloads it; loads are serialised by a lock, and a thread that
    waited for it uses the copy loaded meanwhile. Callers must not change the value they get.

    A value is returned but not kept when it was loaded inside a transaction (it may hold
    uncommitted rows), when `reset` was called while it loaded (it may predate the change),
    or when the version could not be read (the cache is down). A version that cannot be
    read leaves the current copy in use until `max_age_seconds`.
    """

    def __init__(
        self,
        *,
        version: Callable[[], int],
        load: Callable[[], T],
        check_seconds: Callable[[], float],
        max_age_seconds: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._version = version
        self._load = load
        self._check_seconds = check_seconds
        self._max_age_seconds = max_age_seconds
        self._clock = clock
        self._snapshot: _Snapshot[T] | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Drop the copy: the next `get` loads the value again, and a load under way when
        this is called is not kept."""
        self._generation += 1
        self._snapshot = None

    def _read_version(self) -> int | None:
        try:
            return self._version()
        except Exception:  # the cache is down: the caller falls back, the request goes on
            logger.warning("Could not read a cache version.", exc_info=True)
            return None

    def get(self, *, reload: bool = False) -> T:
        """The value, from the copy while it is current, loaded again otherwise (or always
        with `reload=True`)."""
        snapshot = self._snapshot
        now = self._clock()
        if (
            snapshot is not None
            and not reload
            and now - snapshot.loaded_at < self._max_age_seconds()
        ):
            if not cache_is_in_process() and now - snapshot.checked_at < self._check_seconds():
                return snapshot.value
            version = self._read_version()
            if version is None:
                return snapshot.value  # until its maximum age
            if version == snapshot.version:
                self._snapshot = _Snapshot(
                    snapshot.value, snapshot.version, now, snapshot.loaded_at
                )
                return snapshot.value
        with self._lock:
            current = self._snapshot
            if current is not None and current is not snapshot and current.loaded_at >= now:
                # Loaded by another thread while this one waited, after this call began.
                return current.value
            generation = self._generation
            # The version first: a bump committed while loading leaves this copy stale.
            version = self._read_version()
            loaded_at = self._clock()
            value = self._load()
            if version is not None and generation == self._generation and not _in_transaction():
                self._snapshot = _Snapshot(value, version, loaded_at, loaded_at)
        return value
