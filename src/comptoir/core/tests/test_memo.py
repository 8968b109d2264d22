"""VersionedMemo and the cache versions it is keyed by."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from comptoir.core.memo import (
    VersionedMemo,
    cache_is_in_process,
    cache_version,
    cache_version_bump,
)

KEY = "tests:memo-version"


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """The data behind a memo: a value that changes, with counters of what the memo read."""

    def __init__(self) -> None:
        self.value = "v1"
        self.loads = 0
        self.version_reads = 0

    def load(self) -> str:
        self.loads += 1
        return self.value

    def version(self) -> int:
        self.version_reads += 1
        return cache_version(KEY)


def make_memo(
    source: Source, clock: Clock, *, check: float = 1.0, max_age: float = 60.0
) -> VersionedMemo[str]:
    return VersionedMemo(
        version=source.version,
        load=source.load,
        check_seconds=lambda: check,
        max_age_seconds=lambda: max_age,
        clock=clock,
    )


@pytest.fixture
def shared_cache(settings: Any, tmp_path: Path) -> None:
    """A cache outside the process (files here, Redis in production)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }


# --- cache_version ----------------------------------------------------------------------


def test_cache_version_is_stable_until_bumped() -> None:
    first = cache_version(KEY)

    assert cache_version(KEY) == first
    assert cache_version_bump(KEY) == first + 1
    assert cache_version(KEY) == first + 1


def test_an_evicted_version_is_renewed_at_random_never_reused() -> None:
    first = cache_version(KEY)
    cache.delete(KEY)

    renewed = cache_version(KEY)

    assert renewed not in (first, first + 1)
    assert 1 <= renewed <= 2**52
    assert cache_version(KEY) == renewed


def test_bumping_a_missing_version_sets_a_fresh_one() -> None:
    bumped = cache_version_bump(KEY)

    assert cache.get(KEY) == bumped
    assert cache_version(KEY) == bumped
    assert cache_version_bump(KEY) == bumped + 1


def test_versions_under_other_keys_are_independent() -> None:
    other = cache_version("tests:other-version")

    cache_version_bump(KEY)

    assert cache_version("tests:other-version") == other


def test_cache_is_in_process(shared_cache: None, settings: Any) -> None:
    assert not cache_is_in_process()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert cache_is_in_process()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert cache_is_in_process()


# --- VersionedMemo with a cache in the process (local memory) ----------------------------


def test_the_value_is_loaded_once_and_kept_while_the_version_holds() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock)

    assert memo.get() == "v1"
    source.value = "v2"  # changed without a bump
    clock.now += 30
    assert memo.get() == "v1"

    assert source.loads == 1


def test_a_bump_is_seen_at_once_with_a_cache_in_the_process() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock, check=3600)
    memo.get()
    source.value = "v2"

    cache_version_bump(KEY)  # another process's bump: no reset here

    assert memo.get() == "v2"
    assert source.loads == 2


def test_reload_and_reset_load_the_value_again() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock)
    memo.get()
    source.value = "v2"

    assert memo.get(reload=True) == "v2"
    source.value = "v3"
    memo.reset()
    assert memo.get() == "v3"
    assert source.loads == 3


def test_the_value_is_reloaded_after_its_maximum_age() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock, max_age=60)
    memo.get()
    source.value = "v2"

    clock.now += 59.9
    assert memo.get() == "v1"
    clock.now += 0.1  # 60 s after the load, though the version was checked since
    assert memo.get() == "v2"
    assert source.loads == 2


def test_the_version_is_read_before_loading() -> None:
    # Given a bump committed while the value loads
    source, clock = Source(), Clock()

    def load_then_bump() -> str:
        value = source.load()
        cache_version_bump(KEY)
        return value

    memo = VersionedMemo(
        version=source.version,
        load=load_then_bump,
        check_seconds=lambda: 1.0,
        max_age_seconds=lambda: 60.0,
        clock=clock,
    )
    memo.get()
    source.value = "v2"

    # then the copy is stale at once: it was kept under the version before the bump
    assert memo.get() == "v2"
    assert source.loads == 2


# --- VersionedMemo with a shared cache (Redis) -------------------------------------------


def test_with_a_shared_cache_the_version_is_read_at_most_every_check_interval(
    shared_cache: None,
) -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock, check=1.0)
    memo.get()
    reads_after_load = source.version_reads
    source.value = "v2"
    cache_version_bump(KEY)  # another process's bump

    # within the interval the copy is used as it is, without reading the version
    clock.now += 0.9
    stale = memo.get()
    assert source.version_reads == reads_after_load
    # after it, the version is read again, and the value with it
    clock.now += 0.1
    fresh = memo.get()

    assert (stale, fresh) == ("v1", "v2")
    assert source.loads == 2


def test_with_a_shared_cache_a_current_version_restarts_the_check_interval(
    shared_cache: None,
) -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock, check=1.0)
    memo.get()
    clock.now += 1.0
    memo.get()  # reads the version: unchanged
    reads = source.version_reads

    clock.now += 0.5
    memo.get()

    assert source.version_reads == reads
    assert source.loads == 1


def test_the_intervals_are_read_on_every_call(shared_cache: None) -> None:
    source, clock = Source(), Clock()
    intervals = {"check": 3600.0, "max_age": 7200.0}
    memo = VersionedMemo(
        version=source.version,
        load=source.load,
        check_seconds=lambda: intervals["check"],
        max_age_seconds=lambda: intervals["max_age"],
        clock=clock,
    )
    memo.get()
    cache_version_bump(KEY)
    clock.now += 10
    assert memo.get() == "v1"

    intervals["check"] = 0
    source.value = "v2"
    assert memo.get() == "v2"
    intervals["max_age"] = 0
    source.value = "v3"
    assert memo.get() == "v3"
    assert source.loads == 3


# --- VersionedMemo when the cache is down, inside transactions, across threads -----------

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1",  # nothing listens there
    }
}


def test_a_cache_down_serves_the_copy_until_its_maximum_age_then_loads_without_keeping() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock, check=1.0, max_age=60.0)
    memo.get()
    source.value = "v2"

    with override_settings(CACHES=REDIS_DOWN):
        clock.now += 30  # past the check interval: the version cannot be read
        assert memo.get() == "v1"
        clock.now += 30  # past the maximum age: loaded, but not kept under no version
        assert memo.get() == "v2"
        source.value = "v3"
        assert memo.get() == "v3"

    assert source.loads == 3


def test_a_cache_down_from_the_start_loads_on_every_call() -> None:
    source, clock = Source(), Clock()
    memo = make_memo(source, clock)

    with override_settings(CACHES=REDIS_DOWN):
        assert (memo.get(), memo.get()) == ("v1", "v1")

    assert source.loads == 2


@pytest.mark.django_db
def test_a_value_loaded_inside_a_transaction_is_not_kept() -> None:
    # Given a load inside atomic(): it may see rows that are not committed
    source, clock = Source(), Clock()
    memo = make_memo(source, clock)
    with transaction.atomic():
        source.value = "uncommitted"
        assert memo.get() == "uncommitted"
        assert memo.get() == "uncommitted"
    source.value = "committed"  # say the transaction rolled back

    # then it was never kept: outside, the value is loaded again, and kept
    assert (memo.get(), memo.get()) == ("committed", "committed")
    assert source.loads == 3


def test_a_load_during_which_the_memo_was_reset_is_not_kept() -> None:
    source, clock = Source(), Clock()

    def load_while_reset() -> str:
        value = source.load()
        if source.loads == 1:
            memo.reset()  # a change committed (and bumped) while this loaded
            source.value = "v2"
        return value

    memo = VersionedMemo(
        version=source.version,
        load=load_while_reset,
        check_seconds=lambda: 1.0,
        max_age_seconds=lambda: 60.0,
        clock=clock,
    )

    assert memo.get() == "v1"
    assert (memo.get(), memo.get()) == ("v2", "v2")
    assert source.loads == 2


def test_threads_that_waited_for_a_load_use_it() -> None:
    # Given a copy made stale by a bump, and 8 threads that all see it stale
    source, clock = Source(), Clock()
    gate = {"open": False}
    barrier = threading.Barrier(8)
    calls = itertools.count()

    def version() -> int:
        if gate["open"] and next(calls) < 8:
            barrier.wait(timeout=10)  # all 8 have read the version before any loads
        return cache_version(KEY)

    memo = VersionedMemo(
        version=version,
        load=source.load,
        check_seconds=lambda: 1.0,
        max_age_seconds=lambda: 60.0,
        clock=clock,
    )
    memo.get()
    source.value = "v2"
    cache_version_bump(KEY)
    gate["open"] = True
    results: list[str] = []

    def read() -> None:
        results.append(memo.get())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    # then one of them loads, the others use its copy
    assert results == ["v2"] * 8
    assert source.loads == 2
