"""The web server under test: gunicorn on a free loopback port, production-like settings,
an access log that records each request's server time (gunicorn's %(D)s, microseconds)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.env import ROOT, server_environment

ACCESS_FORMAT = "%(s)s %(D)s %(m)s %(U)s"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def terminate(process: subprocess.Popen[Any] | None) -> None:
    """Stop a child process: SIGTERM, then SIGKILL after 20 s (nothing when it is gone)."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    status: int
    seconds: float
    path: str


class Gunicorn:
    """`with Gunicorn(url, workers=2) as server:` starts it, waits for /healthz, stops it."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.extra_env = dict(env or {})  # over the bench's server environment
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.host = "127.0.0.1"
        self.port = free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="comptoir-bench-")
        self.access_log = Path(self._tmp.name) / "access.log"
        self.error_log = Path(self._tmp.name) / "error.log"
        self.output_log = Path(self._tmp.name) / "output.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{self.host}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--backlog", "256",
            "--access-logfile", str(self.access_log),
            "--access-logformat", ACCESS_FORMAT,
            "--error-logfile", str(self.error_log),
            "--log-level", "warning",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, **server_environment(self.database_url), **self.extra_env}
        with self.output_log.open("wb") as output:  # Django's own logging goes there
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.errors()}")
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{self.errors()}")

    def _healthy(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self) -> None:
        terminate(self.process)
        self.process = None
        self._tmp.cleanup()

    def errors(self) -> str:
        """The tail of gunicorn's error log and of what the workers printed."""
        text = ""
        for path in (self.error_log, self.output_log):
            with contextlib.suppress(OSError):
                text += path.read_text(errors="replace")[-4000:]
        return text

    def worker_pids(self) -> list[int]:
        """Pids of the worker processes (children of the gunicorn master)."""
        if self.process is None:
            return []
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def log_position(self) -> int:
        try:
            return self.access_log.stat().st_size
        except OSError:
            return 0

    def logged_requests(self, start: int, end: int | None = None) -> list[LoggedRequest]:
        """Requests logged between two log positions."""
        with self.access_log.open("rb") as log:
            log.seek(start)
            data = log.read() if end is None else log.read(end - start)
        entries = []
        for line in data.decode("utf-8", "replace").splitlines():
            parts = line.split(" ", 3)
            if len(parts) == 4 and parts[0].isdigit() and parts[1].isdigit():
                entries.append(LoggedRequest(int(parts[0]), int(parts[1]) / 1e6, parts[3]))
        return entries


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in MiB."""
    figures: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return figures
