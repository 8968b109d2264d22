"""Where a request's time goes, in-process: SQL time (every statement timed through
`connection.execute_wrapper`) against the rest (Python: ORM, serialisation, middleware),
and a cProfile of a scenario (`python -m bench profile`)."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.test import Client

from bench.scenarios import ApiRequest


class _SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.queries += 1


def breakdown(requests: Sequence[ApiRequest]) -> dict[str, float]:
    """Median seconds per request in-process (Django test Client), each request sent with its
    own headers (language, bearer token): total, SQL (execute and fetch of the cursor), and
    the rest."""
    client = Client()
    totals, sqls = [], []
    for request in requests:
        client.get(request.path, headers=request.headers)  # warm
    for request in requests:
        timer = _SqlTimer()
        with connection.execute_wrapper(timer):
            t0 = time.perf_counter()
            client.get(request.path, headers=request.headers)
            totals.append(time.perf_counter() - t0)
        sqls.append(timer.seconds)
    total, sql = statistics.median(totals), statistics.median(sqls)
    return {"total_median_s": total, "sql_median_s": sql, "python_median_s": total - sql}


def profile(requests: Sequence[ApiRequest], *, top: int = 35) -> str:
    """cProfile of the requests through the Django test Client, each with its own headers,
    the `top` functions by cumulative and by own time."""
    client = Client()
    for request in requests[:10]:
        client.get(request.path, headers=request.headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        client.get(request.path, headers=request.headers)
    profiler.disable()
    return stats_report(profiler, f"{len(requests)} requests", top=top)


def stats_report(profiler: cProfile.Profile, title: str, *, top: int) -> str:
    """`title`, then the `top` functions of `profiler` by cumulative and by own time."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"{title}\n\n== by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n== by own time ==\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
