"""The bench report: targets, the table printed on stdout, machine facts for the JSON."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.env import ROOT

# Targets of issue 2 ("Targets"): measured here, never asserted by tests.
MAX_LIST_QUERIES = 8
MAX_LIST_RATIO = 3.0
MIN_LIST_RPS = 110.0
MAX_WORKER_RSS_MB = 200.0
MAX_GENERATOR_SECONDS = 120.0
GENERATOR_TARGET_PRODUCTS = 100_000


@dataclass(frozen=True, slots=True)
class Line:
    figure: str
    value: str
    target: str = ""
    passed: bool | None = None  # None: no target

    @property
    def verdict(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "FAIL")

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "value": self.value,
            "target": self.target,
            "result": self.verdict,
        }


def table(lines: list[Line]) -> str:
    headers = ("figure", "value", "target", "result")
    rows = [headers, *((ln.figure, ln.value, ln.target, ln.verdict) for ln in lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    out = []
    for index, row in enumerate(rows):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - read-only, any git
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_mb": mem_kb // 1024,
        "python": platform.python_version(),
        "git_commit": commit,
        "load_average": list(os.getloadavg()),
    }
