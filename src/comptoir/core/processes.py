"""Run test work in several OS processes against the test database (real concurrency: each
process has its own connection and its own Python interpreter). Imported by tests only.

    results = in_processes("comptoir.checkout.tests.work:place", [(token,), ...], processes=8)

`target` is a dotted path to a module-level function (spawned processes import it); each
call's result must be picklable. A DomainError becomes its code, any other exception its
repr, so the test's assertions fail on it instead of hanging the pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection

TIMEOUT = 240  # seconds for the whole batch; a deadlock fails the test


def _database_url() -> str:
    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        raise RuntimeError("in_processes needs PostgreSQL (the test database is shared)")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _init(database_url: str, settings_module: str, target: str, ready: Any) -> None:
    """Set Django up, import the target and load the URLconf (the first `reverse` imports
    every API router: seconds), then wait until every process is ready, so that the
    calls really run at the same time."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 - loads the URLconf now
    import_string(target.replace(":", "."))
    ready.wait(TIMEOUT)


def _call(target: str, args: tuple[Any, ...]) -> Any:
    from django.db import connections
    from django.utils.module_loading import import_string

    from comptoir.core.errors import DomainError

    try:
        return import_string(target.replace(":", "."))(*args)
    except DomainError as exc:
        return exc.code
    except BaseException as exc:  # reported to the test, which fails on it
        return repr(exc)
    finally:
        connections.close_all()


def in_processes(target: str, calls: Sequence[tuple[Any, ...]], *, processes: int = 4) -> list[Any]:
    """Run `target(*args)` for each args in `calls` across `processes` spawned processes,
    released together once all of them are ready, one call at a time per process.
    Results are in the order of `calls`."""
    context = multiprocessing.get_context("spawn")
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
    ready = context.Barrier(processes)
    # Spawned interpreters import everything again: let them cache the bytecode (`make`
    # turns writing it off), or each would compile Django from source.
    no_bytecode = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        pool = context.Pool(
            processes,
            initializer=_init,
            initargs=(_database_url(), settings_module, target, ready),
        )
    finally:
        if no_bytecode is not None:
            os.environ["PYTHONDONTWRITEBYTECODE"] = no_bytecode
    with pool:
        pending = pool.starmap_async(_call, [(target, tuple(args)) for args in calls], chunksize=1)
        return list(pending.get(TIMEOUT))
