"""CPU time per process group from /proc, to see where the machine's time goes under load:
the web workers, PostgreSQL, the load generator (this process), everything else, idle."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Snapshot:
    processes: dict[int, tuple[str, float]]  # pid -> (command name, CPU seconds)
    busy: float  # machine-wide CPU seconds (all cores) not idle
    idle: float


def snapshot() -> Snapshot:
    processes: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ... utime(14) stime(15), 1-based; comm may hold spaces.
        head, _, tail = stat.rpartition(")")
        fields = tail.split()
        comm = head.partition("(")[2]
        processes[int(entry.name)] = (comm, (int(fields[11]) + int(fields[12])) / TICKS)
    busy = idle = 0.0
    first = Path("/proc/stat").read_text().splitlines()[0].split()
    if first[0] == "cpu":
        values = [int(v) / TICKS for v in first[1:]]
        idle = values[3] + values[4]  # idle, iowait
        busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return Snapshot(processes, busy, idle)


def cpu_split(before: Snapshot, after: Snapshot, *, workers: Collection[int]) -> dict[str, float]:
    """CPU seconds spent between two snapshots by: the web workers, PostgreSQL (its server
    processes), this process (the load generator), everything else; and idle."""
    me = os.getpid()
    groups = {"workers": 0.0, "postgres": 0.0, "load_generator": 0.0, "other": 0.0}
    accounted = 0.0
    for pid, (comm, seconds) in after.processes.items():
        spent = seconds - before.processes.get(pid, (comm, 0.0))[1]
        if spent <= 0:
            continue
        if pid in workers:
            group = "workers"
        elif comm.startswith("postgres"):
            group = "postgres"
        elif pid == me:
            group = "load_generator"
        else:
            group = "other"
        groups[group] += spent
        accounted += spent
    busy = after.busy - before.busy
    # Kernel threads and processes that ended in between are not in the per-process figures.
    groups["other"] += max(0.0, busy - accounted)
    groups["idle"] = after.idle - before.idle
    return groups
