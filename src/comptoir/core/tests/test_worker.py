"""`comptoir worker`: refuses to run without a broker; with Redis, a real worker process
(started here, as production starts it) delivers the events committed by this process,
including those committed while no worker ran.

The helpers (`publishing_to_redis`, `worker_on_test_database`, `wait_for`) are reused by the orders' email
tests that go through a real worker."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from comptoir.celery import app as celery_app
from comptoir.core import outbox
from comptoir.core.management.commands.worker import worker_argv
from comptoir.core.models import OutboxEvent

ROOT = Path(__file__).resolve().parents[4]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of its own (accounts' worker test uses 15): flushed by these tests.
REDIS_DB = int(os.environ.get("COMPTOIR_TEST_OUTBOX_REDIS_DB", "12"))
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
WAIT = 120  # seconds; generous for a loaded machine, never a fixed sleep


# --- the command ---------------------------------------------------------------------------


@override_settings(CELERY_BROKER_URL="memory://")
def test_worker_refuses_to_start_without_a_broker() -> None:
    with pytest.raises(CommandError, match=r"No message broker is configured: set REDIS_URL"):
        call_command("worker")


@override_settings(CELERY_BROKER_URL=REDIS_URL)
def test_worker_refuses_a_concurrency_below_one() -> None:
    with pytest.raises(CommandError, match="--concurrency must be at least 1"):
        call_command("worker", "--concurrency", "0")


@override_settings(CELERY_BEAT_SCHEDULE_FILENAME="/srv/comptoir/beat")
def test_worker_runs_celery_with_embedded_beat() -> None:
    assert worker_argv(concurrency=2, loglevel="warning", beat=True) == [
        "worker",
        "--loglevel=WARNING",
        "--concurrency=2",
        "--beat",
        "--schedule=/srv/comptoir/beat",
    ]
    assert worker_argv(concurrency=None, loglevel="info", beat=False) == [
        "worker",
        "--loglevel=INFO",
    ]


def test_beat_redrives_pending_events_every_15_seconds() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["outbox-redrive"]
    assert (entry["task"], entry["schedule"]) == ("core.outbox_deliver", 15.0)
    assert "core.outbox_deliver" in celery_app.tasks


# --- helpers for tests with a real worker ----------------------------------------------------


def wait_for(check: Callable[[], bool], *, timeout: float = WAIT, what: str = "") -> None:
    """Poll `check` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.1)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def queued_messages() -> int:
    import redis

    return int(redis.Redis.from_url(REDIS_URL).llen(celery_app.conf.task_default_queue))


@contextlib.contextmanager
def publishing_to_redis() -> Iterator[str]:
    """This process's Celery app publishes to Redis (its own database, emptied) instead of
    running tasks in-process: what a web process does in production. Skipped without
    Redis on 127.0.0.1:6379, unless CI is set."""
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"needs Redis at {REDIS_HOST}:{REDIS_PORT}")
    overrides = {"broker_url": REDIS_URL, "task_always_eager": False}
    saved = {key: celery_app.conf.get(key) for key in overrides}
    _forget_producer_pools(close=False)
    celery_app.conf.update(overrides)
    _flush_redis()
    try:
        yield REDIS_URL
    finally:
        _forget_producer_pools(close=True)
        celery_app.conf.update(saved)
        _flush_redis()


@pytest.fixture
def redis_broker() -> Iterator[str]:
    with publishing_to_redis() as url:
        yield url


def _forget_producer_pools(*, close: bool) -> None:
    """Celery keeps the producer pools of the first broker it published to; drop them so
    the next call uses the current broker_url (no public API for this)."""
    pools = [celery_app.amqp._producer_pool, celery_app._pool]
    celery_app.amqp._producer_pool = celery_app._pool = None
    if close:
        for pool in pools:
            if pool is not None:
                pool.force_close_all()


def worker_database_url() -> str:
    """The URL of the database this test runs on (the test database), for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """`comptoir worker` in a process of its own, on the test database and the test Redis
    database, beat re-driving every second; its output goes to `log`."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.log = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "true",
            "DATABASE_URL": worker_database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "celerybeat-schedule"),
            "COMPTOIR_OUTBOX_REDRIVE_SECONDS": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "comptoir.cli", "worker", "--concurrency=1"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the running task
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this test started
            process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def worker_on_test_database(tmp_path: Path) -> Iterator[WorkerProcess]:
    """A worker, not started yet; stopped on exit (before the database is flushed)."""
    worker = WorkerProcess(tmp_path)
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[WorkerProcess]:
    with worker_on_test_database(tmp_path) as worker:
        yield worker


def emit_committed(topic: str, aggregate_id: int, **payload: Any) -> OutboxEvent:
    with transaction.atomic():
        return outbox.emit(topic, aggregate="probe", aggregate_id=aggregate_id, payload=payload)


def delivered(event: OutboxEvent) -> Callable[[], bool]:
    return lambda: OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=False).exists()


# --- a real worker -------------------------------------------------------------------------


@pytest.mark.postgres
def test_events_wait_while_no_worker_runs_and_are_delivered_once_one_starts(
    transactional_db: None, redis_broker: str, worker_process: WorkerProcess
) -> None:
    # No worker: the commit queues a delivery in Redis, and the event waits.
    first = emit_committed("probe.done", 1)
    assert queued_messages() == 1
    # Written without a delivery of its own (as if the queue had been lost): only the
    # periodic re-drive finds it.
    orphan = OutboxEvent.objects.create(topic="probe.done", aggregate="probe", aggregate_id="2")
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 2

    worker_process.start()

    wait_for(delivered(first), what=f"the queued event\n{worker_process.output()}")
    wait_for(delivered(orphan), what=f"the re-driven event\n{worker_process.output()}")
    # While it runs, a new commit is delivered too.
    then = emit_committed("probe.done", 3)
    wait_for(delivered(then), what=f"an event emitted while it runs\n{worker_process.output()}")
    worker_process.stop()
    assert "ready" in worker_process.output()
