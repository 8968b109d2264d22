"""Process races: `run_together` runs calls in separate OS processes, each with its own
connection to the test database, released together by a barrier; and the work they run
(module-level functions taking ids and returning "ok").

The processes are forked from a forkserver (a fresh interpreter, not the test process:
no thread, lock or connection is inherited) that imported Django once
(forkserver_preload), so 20 processes start in a fraction of a second where 20 spawned
interpreters would each spend seconds importing Django. The barrier, rather than a
start time, guarantees that every call is running when the first one takes its locks."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from typing import Any

from django.utils import timezone

from comptoir.channels.models import Channel
from comptoir.inventory import services

TIMEOUT = 60  # seconds for the whole batch; a deadlock fails the test instead of hanging it


def _child(barrier: Any, results: Any, job: tuple[int, str, str, tuple[Any, ...]]) -> None:
    """In the forked process: point the connection at the test database, wait for every
    other call, run the work and report its outcome."""
    from django.db import connections

    from comptoir.core.errors import DomainError

    index, database, name, args = job
    connections["default"].settings_dict["NAME"] = database
    try:
        barrier.wait(TIMEOUT)
        outcome = WORK[name](*args)
    except DomainError as exc:
        outcome = exc.code
    except BaseException as exc:  # reported to the test, which fails on it
        outcome = repr(exc)
    finally:
        connections.close_all()
    results.put((index, outcome))


def run_together(calls: list[tuple[str, tuple[Any, ...]]]) -> list[str]:
    """Run each (work name, args) of `calls` in its own process against the test database;
    the outcomes ("ok", a DomainError code, or the repr of another exception) in the
    order of `calls`."""
    from django.db import connection

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["comptoir.inventory.tests.forkserver_preload"])
    barrier = context.Barrier(len(calls))
    results = context.SimpleQueue()
    database = connection.settings_dict["NAME"]
    processes = [
        context.Process(target=_child, args=(barrier, results, (i, database, name, args)))
        for i, (name, args) in enumerate(calls)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(TIMEOUT)
    stuck = [p for p in processes if p.is_alive()]
    for process in stuck:
        process.kill()
    assert not stuck, f"{len(stuck)} calls never finished"
    outcomes: dict[int, str] = {}
    while not results.empty():
        index, outcome = results.get()
        outcomes[index] = outcome
    return [outcomes.get(i, "no result") for i in range(len(calls))]


# --- the work -------------------------------------------------------------------------------


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


WORK: dict[str, Any] = {"reserve": reserve, "expire_all": expire_all, "commit": commit}
