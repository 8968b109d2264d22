"""Where the checkout's after-commit work runs during the bench.

Placing an order emits outbox events (`order.placed`, `order.paid`) whose handlers render
and send the customer's emails. In production a Celery worker delivers them, off the
request path, through Redis. The bench's usual server has no Redis and runs tasks eagerly,
so that work would land inside the checkout request. The checkout bench therefore runs,
by default (`worker` mode), like production: gunicorn and one Celery worker (solo pool) on
a Redis database of its own (`BENCH_REDIS_URL`, default `redis://127.0.0.1:6379/7`); the
worker shares the machine, so its CPU counts against orders/s but not against the
latencies. Without a reachable Redis, or with `--checkout-tasks eager`, tasks run in the
request as in the rest of the bench.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

from bench.env import ROOT, server_environment
from bench.server import terminate

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
MODES = ("worker", "eager")


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except Exception:  # any failure means: no Redis for the bench
        return False


def task_environment(mode: str, url: str) -> dict[str, str]:
    """What the checkout's gunicorn (and worker) get over the bench's server environment:
    Redis for the cache and the broker, tasks queued (`worker`); nothing for `eager`."""
    if mode == "eager":
        return {}
    return {"REDIS_URL": url, "CELERY_BROKER_URL": url, "CELERY_TASK_ALWAYS_EAGER": "false"}


class CeleryWorker:
    """`with CeleryWorker(database_url, redis):` one Celery worker process (solo pool) with
    the bench's server environment, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, database_url: str, redis: str) -> None:
        self.env = {**server_environment(database_url), **task_environment("worker", redis)}
        self._tmp = tempfile.TemporaryDirectory(prefix="comptoir-bench-worker-")
        self.log = Path(self._tmp.name) / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "comptoir.celery", "worker",
            "--pool", "solo", "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def __enter__(self) -> CeleryWorker:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        terminate(self.process)
        self.process = None
        self._tmp.cleanup()

    def errors(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""
