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
# Targets of issue 3 (pricing).
MAX_COMPANY_EXTRA_QUERIES = 3
MAX_COMPANY_LIST_RATIO = 1.5
MIN_BATCH_LINES_PER_S = 50_000.0


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


# -- pricing (issue 3) ----------------------------------------------------------------------------------


def report_lines(result: dict[str, Any]) -> list[Line]:
    """The pricing figures and targets (issue 3)."""
    scenarios = result["scenarios"]
    out: list[Line] = []
    company = scenarios.get("product_list_company")
    anonymous = scenarios.get("product_list_pro")
    if company and anonymous:
        versus = company["versus_anonymous"]
        worst = max(versus["queries"]["pricing"], versus["queries_cold_cache"]["pricing"])
        warm, cold = versus["queries"], versus["queries_cold_cache"]
        out.append(
            Line(
                "company list: SQL queries, anonymous -> buyer (warm / cold)",
                f"{warm['anonymous']} -> {warm['company']} / {cold['anonymous']} -> "
                f"{cold['company']}",
            )
        )
        out.append(
            Line(
                "company list: extra queries for pricing (warm / cold; + token)",
                f"+{warm['pricing']} / +{cold['pricing']} (+{warm['authentication']} / "
                f"+{cold['authentication']})",
                f"<= +{MAX_COMPANY_EXTRA_QUERIES}",
                worst <= MAX_COMPANY_EXTRA_QUERIES,
            )
        )
        if "queries_by_page_size" in company:
            by_size = company["queries_by_page_size"]
            out.append(
                Line(
                    "company list: queries at page_size " + "/".join(by_size) + " (cold)",
                    "/".join(str(v) for v in by_size.values()),
                    "constant",
                    len(set(by_size.values())) == 1,
                )
            )
        paired = company.get("paired")
        if paired:
            ratio = paired["ratio"]
            out.append(
                Line(
                    "company list: server time vs anonymous, same pages (paired, median)",
                    f"{ms(paired['company_median_s'])} / {ms(paired['anonymous_median_s'])} = "
                    + ("n/a" if ratio is None else f"{ratio:.2f}x"),
                    f"<= {MAX_COMPANY_LIST_RATIO:g}x",
                    ratio is not None and ratio <= MAX_COMPANY_LIST_RATIO,
                )
            )
            out.append(
                Line(
                    "company list: p95 server time vs anonymous (paired)",
                    f"{ms(paired['company_p95_s'])} / {ms(paired['anonymous_p95_s'])}",
                )
            )
        for label, entry in (("anonymous pro list", anonymous), ("company list", company)):
            seq, load = entry["sequential"], entry["load"]
            split = entry.get("in_process")
            out += [
                Line(
                    f"{label}: median / p95 server time, server / raw SQL",
                    f"{ms(seq['server_median_s'])} / {ms(seq['server_p95_s'])}, "
                    + ("n/a" if seq["ratio"] is None else f"{seq['ratio']:.2f}x"),
                ),
                *(
                    [
                        Line(
                            f"{label}: in-process median, of which SQL",
                            f"{ms(split['total_median_s'])}, {ms(split['sql_median_s'])}",
                        )
                    ]
                    if split
                    else []
                ),
                Line(
                    f"{label}: requests/s (c={load['concurrency']}), p50 / p95 latency",
                    f"{load['requests_per_second']:.1f}, {ms(load['p50_s'])} / {ms(load['p95_s'])}",
                ),
                Line(
                    f"{label}: errors (non-200)",
                    f"{load['errors'] + seq['errors']} of {load['requests'] + seq['requests']}",
                    "0",
                    load["errors"] + seq["errors"] == 0,
                ),
            ]
        cov = company.get("coverage")
        if cov and cov["page_variants"]:
            out.append(
                Line(
                    "company list: page variants priced by the contract (with tiers)",
                    f"{cov['contract_entries'] / cov['page_variants']:.0%} of "
                    f"{cov['page_variants']:,} ({cov['with_tiers'] / cov['page_variants']:.0%})",
                )
            )
    batch = scenarios.get("batch_pricing")
    if batch:
        out += [
            Line(
                f"batch: load {batch['lines']:,} lines (rows_by_sku, {batch['load_queries']} queries)",
                f"{ms(batch['load_best_s'])} ({batch['load_lines_per_s']:,.0f} lines/s)",
            ),
            Line(
                "batch: raw SQL read of the same rows",
                f"{ms(batch['raw_sql_best_s'])} ({batch['raw_sql_lines_per_s']:,.0f} lines/s)",
            ),
            Line(
                f"batch: priced once loaded (best of {batch['repeat']}), vs raw SQL read",
                f"{batch['lines_per_s']:,.0f} lines/s, "
                f"{batch['lines_per_s'] / batch['raw_sql_lines_per_s']:.2f}x"
                if batch["raw_sql_lines_per_s"]
                else f"{batch['lines_per_s']:,.0f} lines/s",
                f">= {MIN_BATCH_LINES_PER_S:,.0f} lines/s",
                batch["lines_per_s"] >= MIN_BATCH_LINES_PER_S,
            ),
            Line(
                "batch: load + price",
                f"{batch['load_and_price_lines_per_s']:,.0f} lines/s",
            ),
        ]
    gen = result.get("generator", {}).get("pricing")
    if gen:
        counts = result.get("database", {}).get("pricing_counts", {})
        when = " (earlier run)" if gen.get("skipped") else ""
        out.append(
            Line(
                f"generator: pricing data{when}",
                "not timed (data was there)"
                if gen.get("seconds") is None
                else f"{gen['seconds']:.1f} s ({gen.get('companies', 0):,} companies, "
                f"{counts.get('pricelistentry', 0):,} entries, "
                f"{counts.get('pricetier', 0):,} tiers)",
            )
        )
    return out
