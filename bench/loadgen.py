"""A small, bounded HTTP load generator: N threads, one keep-alive connection each
(http.client reconnects by itself when the server closes, as gunicorn's sync workers do),
cycling over a list of requests until a request budget or a time budget is spent."""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HttpRequest:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds, successful requests only
    statuses: Counter[int]

    @property
    def requests_per_second(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def run_load(
    *,
    host: str,
    port: int,
    requests: Sequence[HttpRequest],
    concurrency: int,
    duration: float,
    max_requests: int,
    timeout: float = 30.0,
) -> LoadResult:
    """Send requests (round-robin over `requests`) from `concurrency` threads until
    `max_requests` were sent or `duration` seconds have passed, whichever comes first."""
    if not requests:
        raise ValueError("no requests to send")
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = 0
    started = time.perf_counter()
    deadline = started + duration
    last_done = started

    def worker() -> None:
        nonlocal errors, last_done
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine: list[float] = []
        my_statuses: Counter[int] = Counter()
        my_errors = 0
        try:
            while True:
                index = next(counter)
                if index >= max_requests or time.perf_counter() >= deadline:
                    break
                request = requests[index % len(requests)]
                t0 = time.perf_counter()
                try:
                    conn.request("GET", request.path, headers=request.headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    my_errors += 1
                    conn.close()
                    continue
                elapsed = time.perf_counter() - t0
                my_statuses[response.status] += 1
                if response.status == 200:
                    mine.append(elapsed)
                else:
                    my_errors += 1
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                statuses.update(my_statuses)
                errors += my_errors
                last_done = max(last_done, time.perf_counter())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + timeout + 5)
    return LoadResult(
        concurrency=concurrency,
        requests=len(latencies) + errors,
        errors=errors,
        seconds=last_done - started,
        latencies=latencies,
        statuses=statuses,
    )
