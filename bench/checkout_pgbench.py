"""The checkout bench's baseline: `pgbench` (its default TPC-B-like script) on the bench
database itself, with as many clients as the checkout load, in the same run.

`pgbench -i -s <scale> --quiet` creates its four `pgbench_*` tables in the bench database,
`pgbench -c <clients> -j <threads> -T <seconds> -n` runs the built-in script, and the
tables are dropped afterwards (`pgbench -i -I d`, then `DROP TABLE IF EXISTS` should that
fail), whatever happened in between.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

TABLES = ("pgbench_accounts", "pgbench_branches", "pgbench_history", "pgbench_tellers")
DEFAULT_SCALE = 10


def find_pgbench() -> str | None:
    """`pgbench` on the PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = glob.glob("/usr/lib/postgresql/*/bin/pgbench")

    def version(path: str) -> tuple[int, ...]:
        number = path.split("/")[4]
        return tuple(int(x) for x in number.split(".") if x.isdigit())

    return max(candidates, key=version) if candidates else None


@dataclass(frozen=True, slots=True)
class Target:
    """Where pgbench connects: its arguments and the environment (the password)."""

    args: list[str]
    env: dict[str, str]
    dbname: str


def target(url: str) -> Target:
    """pgbench's connection options for a postgres:// URL."""
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ValueError("the database URL names no database")
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        args += ["-U", unquote(parts.username)]
    env = {"PGPASSWORD": unquote(parts.password)} if parts.password else {}
    return Target(args=args, env=env, dbname=dbname)


_FIGURES: dict[str, tuple[str, type]] = {
    "scale": (r"^scaling factor:\s*(\d+)", int),
    "clients": (r"^number of clients:\s*(\d+)", int),
    "threads": (r"^number of threads:\s*(\d+)", int),
    "duration_s": (r"^duration:\s*(\d+)\s*s", int),
    "transactions": (r"^number of transactions actually processed:\s*(\d+)", int),
    "failed": (r"^number of failed transactions:\s*(\d+)", int),
    "latency_average_ms": (r"^latency average\s*=\s*([\d.]+)\s*ms", float),
    "latency_stddev_ms": (r"^latency stddev\s*=\s*([\d.]+)\s*ms", float),
    "initial_connection_ms": (r"^initial connection time\s*=\s*([\d.]+)\s*ms", float),
    "tps": (r"^tps\s*=\s*([\d.]+)", float),
}


def parse_output(text: str) -> dict[str, Any]:
    """The figures of a pgbench run's report (what it prints on stdout). `tps` is the one
    "without initial connection time" (pgbench 14+ prints only that one; older versions
    print both, "including" first). Raises ValueError when there is no tps."""
    figures: dict[str, Any] = {}
    for name, (pattern, kind) in _FIGURES.items():
        matches = re.findall(pattern, text, flags=re.MULTILINE)
        if not matches:
            continue
        if name == "tps":
            excluding = re.search(
                r"^tps\s*=\s*([\d.]+)\s*\((?:without|excluding)", text, flags=re.MULTILINE
            )
            figures[name] = float(excluding.group(1) if excluding else matches[-1])
        else:
            figures[name] = kind(matches[0])
    if "tps" not in figures:
        raise ValueError("no tps in the pgbench output")
    return figures


def _run(
    command: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - pgbench found above, our own arguments
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def drop_tables(url: str, executable: str | None = None) -> None:
    """Drop pgbench's tables from the database (`pgbench -i -I d`, else DROP TABLE)."""
    where = target(url)
    if executable:
        done = _run([executable, *where.args, "-i", "-I", "d", where.dbname], where.env, 60)
        if done.returncode == 0:
            return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")


def run_pgbench(
    url: str, *, clients: int, threads: int, duration: float, scale: int = DEFAULT_SCALE
) -> dict[str, Any]:
    """Initialise pgbench's tables (scale `scale`) in the database of `url`, run the default
    script for `duration` seconds with `clients` clients on `threads` threads, drop the
    tables. Returns the parsed figures with the command and the initialisation time; or
    `{"error": ...}` when pgbench is missing or fails (the bench goes on without it)."""
    executable = find_pgbench()
    if executable is None:
        return {"error": "pgbench not found (PATH, /usr/lib/postgresql/*/bin)"}
    where = target(url)
    threads = max(1, min(threads, clients))
    seconds = max(1, round(duration))
    init = [executable, *where.args, "-i", "-s", str(scale), "--quiet", where.dbname]
    command = [
        executable,
        *where.args,
        "-c",
        str(clients),
        "-j",
        str(threads),
        "-T",
        str(seconds),
        "-n",
        where.dbname,
    ]
    try:
        t0 = time.perf_counter()
        done = _run(init, where.env, 600)
        init_s = time.perf_counter() - t0
        if done.returncode != 0:
            return {"error": f"pgbench -i failed: {done.stderr.strip()[-500:]}"}
        done = _run(command, where.env, seconds + 120)
        if done.returncode != 0:
            return {"error": f"pgbench failed: {done.stderr.strip()[-500:]}"}
        figures = parse_output(done.stdout)
    except (ValueError, OSError, subprocess.SubprocessError) as exc:
        return {"error": f"pgbench: {exc}"[:500]}
    finally:
        drop_tables(url, executable)
    return {
        **figures,
        "command": " ".join(command[1:]),
        "init_s": round(init_s, 2),
        "version": _version(executable),
    }


def _version(executable: str) -> str:
    try:
        return _run([executable, "--version"], {}, 10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
