"""Where a checkout's time goes, in-process (Django test Client, no network): per step, the
SQL queries per call, the time and the part of it spent in SQL; and a cProfile of whole
flows (`python -m bench profile --scenario checkout`)."""

from __future__ import annotations

import contextlib
import cProfile
import io
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection

from bench.checkout_flow import STEPS, ClientTransport, FlowPlan, run_flow
from bench.profile import stats_report


class _StepSql:
    """Counts and times SQL statements, attributed to the step of the current call."""

    def __init__(self) -> None:
        self.step = ""
        self.queries: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.statements: dict[str, list[str]] = {}

    def start(self, step: str) -> None:
        self.step = step
        self.calls[step] = self.calls.get(step, 0) + 1

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[self.step] = self.seconds.get(self.step, 0.0) + time.perf_counter() - t0
            self.queries[self.step] = self.queries.get(self.step, 0) + 1
            self.statements.setdefault(self.step, []).append(sql[:300])


@contextlib.contextmanager
def tasks_eager(eager: bool) -> Iterator[None]:
    """Celery tasks run in this process (`eager`) or are queued for a worker, as the
    server under test does (bench.checkout_worker)."""
    from comptoir.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def in_process(
    plans: Sequence[FlowPlan], *, warmup: int = 2, eager: bool = False
) -> dict[str, Any]:
    """Run the flows in-process; per step: calls, SQL queries per flow (and per call),
    median time, median SQL time; the statements of the last flow. After-commit tasks
    (the outbox's emails) run in the request only when `eager`; what they print (the
    console email backend) is swallowed."""
    transport = ClientTransport()
    per_step: dict[str, dict[str, list[float]]] = {
        s: {"total": [], "sql": [], "queries": []} for s in STEPS
    }
    last: _StepSql | None = None
    failures: list[str] = []
    with contextlib.redirect_stdout(io.StringIO()), tasks_eager(eager):
        for index, plan in enumerate(plans):
            timer = _StepSql()
            with connection.execute_wrapper(timer):
                result = run_flow(transport, plan, on_call=timer.start)
            if not result.ok:
                failures.append(result.error or "no order")
                continue
            if index < warmup:
                continue
            last = timer
            for step in STEPS:
                per_step[step]["total"].append(result.steps.get(step, 0.0))
                per_step[step]["sql"].append(timer.seconds.get(step, 0.0))
                per_step[step]["queries"].append(timer.queries.get(step, 0))
    steps: dict[str, Any] = {}
    for step in STEPS:
        figures = per_step[step]
        if not figures["total"]:
            continue
        calls = last.calls.get(step, 1) if last else 1
        queries = statistics.median(figures["queries"])
        steps[step] = {
            "calls": calls,
            "queries": queries,
            "queries_per_call": queries / calls,
            "median_s": statistics.median(figures["total"]),
            "sql_median_s": statistics.median(figures["sql"]),
            "statements": (last.statements.get(step, []) if last else [])[:60],
        }
    totals = [sum(x) for x in zip(*(per_step[s]["total"] for s in STEPS), strict=True)]
    sqls = [sum(x) for x in zip(*(per_step[s]["sql"] for s in STEPS), strict=True)]
    return {
        "flows": len(totals),
        "failures": failures[:10],
        "median_s": statistics.median(totals) if totals else 0.0,
        "sql_median_s": statistics.median(sqls) if sqls else 0.0,
        "queries": sum(s["queries"] for s in steps.values()),
        "steps": steps,
    }


def step_table(figures: dict[str, Any]) -> str:
    """The in-process figures as a small text table."""
    rows = [("step", "calls", "queries", "per call", "median", "of which SQL")]
    for step, s in figures["steps"].items():
        rows.append(
            (
                step,
                str(s["calls"]),
                f"{s['queries']:g}",
                f"{s['queries_per_call']:.1f}",
                f"{s['median_s'] * 1000:.1f} ms",
                f"{s['sql_median_s'] * 1000:.1f} ms",
            )
        )
    rows.append(
        (
            "flow",
            "",
            f"{figures['queries']:g}",
            "",
            f"{figures['median_s'] * 1000:.1f} ms",
            f"{figures['sql_median_s'] * 1000:.1f} ms",
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows)


def profile_flows(plans: Sequence[FlowPlan], *, top: int = 40, eager: bool = False) -> str:
    """cProfile of the flows in-process (after two unprofiled ones), by cumulative and own
    time."""
    transport = ClientTransport()
    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()), tasks_eager(eager):
        for plan in plans[:2]:
            run_flow(transport, plan)
        profiler.enable()
        for plan in plans[2:]:
            run_flow(transport, plan)
        profiler.disable()
    return stats_report(profiler, f"{len(plans) - 2} checkout flows in-process", top=top)
