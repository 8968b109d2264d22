"""Run test work in several OS processes against the test database (real concurrency: each
process has its own connection and its own interpreter). Imported by tests only.

    results = in_processes("comptoir.checkout.tests.work:place", [(token,), ...], processes=8)
    outcomes = each_in_process([(f"{WORK}:ship", (order_id,)), (f"{WORK}:cancel", (order_id,))])

`target` is a dotted path to a module-level function (module:function); each call's result
must be picklable. A DomainError becomes its code, any other exception its repr, so the
test's assertions fail on it instead of hanging the batch.

The processes are forked from a forkserver: a fresh interpreter started once per test
session (no thread, lock or connection of the test process is inherited) that set Django
up and loaded the URLconf beforehand (`comptoir.core.processes_preload`), so a process
starts in milliseconds instead of importing Django on its own. Each one points its
connection at the test database, imports the target, then waits at a barrier until every
other process is ready: the first calls really run at the same time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any

from django.conf import settings
from django.db import connection

TIMEOUT = 240  # seconds for the whole batch; a deadlock fails the test
PRELOAD = "comptoir.core.processes_preload"

type Job = tuple[int, tuple[Any, ...]]  # (index in `calls`, args)


def _database_url() -> str:
    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        raise RuntimeError("in_processes needs PostgreSQL (the test database is shared)")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _context() -> Any:
    """The forkserver context, its server started (once) with Django set up against this
    PostgreSQL server and this settings module."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
    with _environment(DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE=settings_module):
        forkserver.ensure_running()
    return context


def _outcome(function: Any, args: tuple[Any, ...]) -> Any:
    from django.db import connections

    from comptoir.core.errors import DomainError

    try:
        return function(*args)
    except DomainError as exc:
        return exc.code
    except BaseException as exc:  # reported to the test, which fails on it
        return repr(exc)
    finally:
        connections.close_all()


def _worker(
    database: dict[str, Any], target: str, jobs: list[Job], barrier: Any, results: Connection
) -> None:
    """In a forked process: use the test database, import the target, wait for the other
    processes, then run the jobs one after the other, sending (index, outcome) back."""
    from django.db import connections
    from django.utils.module_loading import import_string

    connections["default"].settings_dict.update(database)
    try:
        function = import_string(target.replace(":", "."))
        barrier.wait(TIMEOUT)
    except BaseException as exc:  # the others must not wait for this process
        barrier.abort()
        for index, _args in jobs:
            results.send((index, repr(exc)))
        return
    for index, args in jobs:
        outcome = _outcome(function, args)
        try:
            results.send((index, outcome))
        except Exception as exc:  # an unpicklable result
            results.send((index, f"unpicklable result {outcome!r}: {exc!r}"))


def in_processes(target: str, calls: Sequence[tuple[Any, ...]], *, processes: int = 4) -> list[Any]:
    """Run `target(*args)` for each args in `calls` across `processes` processes (each
    runs its share of the calls one at a time), released together once all of them are
    ready. Results are in the order of `calls`. Fails (AssertionError) when a call has
    not finished after TIMEOUT seconds."""
    if not calls:
        return []
    context = _context()
    count = min(processes, len(calls))
    barrier = context.Barrier(count)
    database = dict(connection.settings_dict)
    jobs: list[list[Job]] = [[] for _ in range(count)]
    for index, args in enumerate(calls):
        jobs[index % count].append((index, tuple(args)))
    workers, readers = [], []
    for share in jobs:
        reader, writer = context.Pipe(duplex=False)
        worker = context.Process(target=_worker, args=(database, target, share, barrier, writer))
        worker.start()
        writer.close()  # the worker holds the other end: its exit closes the pipe
        workers.append(worker)
        readers.append(reader)
    outcomes: dict[int, Any] = {}
    deadline = time.monotonic() + TIMEOUT
    while readers and (remaining := deadline - time.monotonic()) > 0:
        ready = wait(readers, remaining)
        for reader in [reader for reader in readers if reader in ready]:
            try:
                index, outcome = reader.recv()
            except EOFError:
                readers.remove(reader)
            else:
                outcomes[index] = outcome
    for worker in workers:
        worker.join(max(deadline - time.monotonic(), 1))
        if worker.is_alive():
            worker.kill()
            worker.join()
    for reader in readers:
        reader.close()
    missing = len(calls) - len(outcomes)
    assert not missing, f"{missing} of {len(calls)} calls never finished"
    return [outcomes[index] for index in range(len(calls))]


def each_in_process(calls: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    """Run each (target, args) of `calls` in its own process, all released together:
    different work racing at the same moment. Outcomes in the order of `calls`."""
    return in_processes(f"{__name__}:dispatch", list(calls), processes=len(calls))


def dispatch(target: str, args: tuple[Any, ...]) -> Any:
    """Run `target` (module:function) with `args` (the work of `each_in_process`)."""
    from django.utils.module_loading import import_string

    return import_string(target.replace(":", "."))(*args)
