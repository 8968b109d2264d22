"""`python -m bench`: generate the data if needed, then run every scenario against gunicorn
and report. Exits 0 whatever the figures: this is a measurement, not a test."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import env
from bench.report import (
    GENERATOR_TARGET_PRODUCTS,
    MAX_GENERATOR_SECONDS,
    MAX_LIST_QUERIES,
    MAX_LIST_RATIO,
    MAX_WORKER_RSS_MB,
    MIN_LIST_RPS,
    Line,
    machine,
    ms,
    report_lines,
    table,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bench.pricing_data import Buyer
    from bench.scenarios import Scenario

GENERATE_RECORD = env.RESULTS_DIR / "generate.json"
PRICING_RECORD = env.RESULTS_DIR / "generate-pricing.json"
PAGE_SIZES = (12, 48, 100)


@dataclass(frozen=True)
class Options:
    products: int = 100_000
    reset: bool = False
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    concurrency: int = 8
    duration: float = 10.0
    max_requests: int = 20_000
    sample: int = 400
    sequential: int = 200
    warmup: int | None = None  # None: every distinct request twice
    output: Path = env.RESULTS_DIR / "latest.json"
    # Pricing (issue 3): companies with contract lists, the company listing, batch pricing.
    pricing: bool = True
    companies: int = 1000
    entries_per_list: int = 2000
    batch_lines: int = 10_000
    # Checkout (issue 4): data, scenarios A and B, the pgbench baseline (bench/checkout.py).
    checkout: bool = True
    checkout_flows: int = 100
    checkout_clients: int = 8
    checkout_duration: float = 20.0
    checkout_workers: int | None = None  # None: `workers`
    checkout_tasks: str = "worker"  # or "eager" (bench/checkout_worker.py)
    pgbench: bool = True
    # The product page in Chromium (issue 5): LCP, CLS, bytes (bench/product_page.py).
    product_page: bool = True


def generate_step(
    products: int, reset: bool, *, pricing: bool = True, companies: int = 1000,
    entries_per_list: int = 2000, checkout: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Generate (or skip) and remember the timing of the last real generation; then the
    pricing data (`pricing`), under the key `pricing`; then the checkout data (`checkout`)."""
    catalog = _generate_catalog(products, reset)
    if pricing:
        catalog["pricing"] = _generate_pricing(companies, entries_per_list)
    if checkout:
        from bench.checkout_run import generate_data

        generate_data()
    return catalog


def generation_record(path: Path, figures: dict[str, Any] | None) -> dict[str, Any]:
    """The record of the last real generation, at `path`: `figures` (None: the generation
    was skipped) are written with the time, else the earlier record is read back (empty if
    there is none). Returned with `skipped`."""
    if figures is None:
        saved = json.loads(path.read_text()) if path.exists() else {}
        return {**saved, "skipped": True}
    saved = {**figures, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))
    return {**saved, "skipped": False}


def _generate_pricing(companies: int, entries_per_list: int) -> dict[str, Any]:
    from bench.generate import summary
    from bench.pricing_data import generate_pricing

    result = generate_pricing(companies=companies, entries_per_list=entries_per_list)
    if result.skipped:
        print(f"Pricing data already there ({companies:,} companies): generation skipped.")
    else:
        print(
            f"Generated the pricing data in {result.seconds:.1f} s "
            f"({summary(result.counts.items())})."
        )
    figures = None if result.skipped else {
        "companies": result.companies, "seconds": round(result.seconds, 2)
    }  # fmt: skip
    return {**generation_record(PRICING_RECORD, figures), "counts": result.counts}


def _generate_catalog(products: int, reset: bool) -> dict[str, Any]:
    from bench.generate import generate, summary

    result = generate(products=products, reset=reset)
    if result.skipped:
        print(f"Data already at {result.products:,} products: generation skipped.")
        return {**generation_record(GENERATE_RECORD, None), "counts": result.counts}
    print(
        f"Generated {result.created:,} products in {result.seconds:.1f} s "
        f"({summary(result.counts.items())})."
    )
    figures = {
        "products": result.products,
        "created": result.created,
        "seconds": round(result.seconds, 2),
    }
    return {**generation_record(GENERATE_RECORD, figures), "counts": result.counts}


def raw_database(url: str) -> Any:
    """A RawDb on its own connection: psycopg with client-side binding (what Django uses)."""
    from django.db import connection

    from bench.scenarios import RawDb

    if env.is_postgres_url(url):
        import psycopg

        conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        return RawDb(conn.cursor(), "postgresql")
    connection.ensure_connection()
    assert connection.connection is not None
    return RawDb(connection.connection.cursor(), connection.vendor)


def static_figures(scenario: Any, options: Options) -> dict[str, Any]:
    """In-process figures: SQL queries per request (warm and cold cache) and the split
    between SQL and the rest."""
    from bench.profile import breakdown
    from bench.scenarios import count_queries

    base = scenario.requests[0]
    warm = count_queries(base)
    cold = count_queries(base, cold=True)
    entry: dict[str, Any] = {
        "title": scenario.title,
        "queries_path": base.path,
        "queries_status": warm.status,
        "queries": warm.queries,
        "queries_cold_cache": cold.queries,
        "statements": warm.statements,
        "statements_cold_cache": cold.statements,
    }
    if scenario.name.startswith("product_list"):
        entry["queries_by_page_size"] = {
            str(size): count_queries(replace(base, page=1, page_size=size), cold=True).queries
            for size in PAGE_SIZES
        }
    entry["in_process"] = breakdown(scenario.requests[: min(100, options.sequential)])
    return entry


def served_figures(server: Any, db: Any, scenario: Any, options: Options) -> dict[str, Any]:
    """Through gunicorn: warm-up, sequential pass (server time) and its raw SQL baseline,
    then the load at `options.concurrency`."""
    from bench.cpu import cpu_split, snapshot
    from bench.loadgen import run_load
    from bench.scenarios import time_raw

    http_requests = [r.http for r in scenario.requests]
    sequential = scenario.requests[: options.sequential]
    at = {"host": server.host, "port": server.port}
    warmup = options.warmup if options.warmup is not None else 2 * len(http_requests)
    print(f"- {scenario.title}: warm-up ({warmup} requests), sequential pass, raw SQL, load...")
    run_load(
        **at, requests=http_requests, concurrency=options.workers, duration=60,
        max_requests=warmup,
    )  # fmt: skip
    time.sleep(0.3)
    start = server.log_position()
    seq = run_load(
        **at, requests=[r.http for r in sequential], concurrency=1, duration=60,
        max_requests=len(sequential),
    )  # fmt: skip
    time.sleep(0.3)  # the worker logs a request after it has sent the response
    server_times = [x.seconds for x in server.logged_requests(start) if x.status == 200]
    server_median = statistics.median(server_times) if server_times else 0.0
    baselines = {"": scenario.raw, **{f"_{k}": v for k, v in scenario.other_raw.items()}}
    sequential_figures: dict[str, Any] = {
        "requests": seq.requests,
        "errors": seq.errors,
        "server_median_s": server_median,
        "server_p95_s": _p95(server_times),
        "client_median_s": seq.percentile(50),
    }
    for suffix, reader in baselines.items():
        time_raw(db, reader, sequential)  # the same pages, once, to warm the buffers
        raw_times = time_raw(db, reader, sequential)
        raw_median = statistics.median(raw_times)
        sequential_figures[f"raw_sql{suffix}_median_s"] = raw_median
        sequential_figures[f"raw_sql{suffix}_p95_s"] = _p95(raw_times)
        sequential_figures[f"ratio{suffix}"] = server_median / raw_median if raw_median else None
    start, cpu_before = server.log_position(), snapshot()
    load = run_load(
        **at, requests=http_requests, concurrency=options.concurrency,
        duration=options.duration, max_requests=options.max_requests,
    )  # fmt: skip
    cpu_after, worker_pids = snapshot(), server.worker_pids()
    cpu = cpu_split(cpu_before, cpu_after, workers=worker_pids)
    time.sleep(0.3)
    loaded_times = [x.seconds for x in server.logged_requests(start) if x.status == 200]
    done = max(1, len(load.latencies))
    return {
        "distinct_requests": len(scenario.requests),
        "warmup_requests": warmup,
        "sequential": sequential_figures,
        "load": {
            "concurrency": load.concurrency,
            "requests": load.requests,
            "errors": load.errors,
            "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
            "seconds": round(load.seconds, 3),
            "requests_per_second": load.requests_per_second,
            "p50_s": load.percentile(50),
            "p95_s": load.percentile(95),
            "server_median_s": statistics.median(loaded_times) if loaded_times else 0.0,
            "cpu_seconds": cpu,
            "cpu_ms_per_request": {k: 1000 * v / done for k, v in cpu.items()},
        },
    }


def measure(options: Options) -> dict[str, Any]:
    url = env.database_url()
    env.configure(url)
    env.migrate()
    from django.db import connection

    from bench.scenarios import scenarios
    from bench.server import Gunicorn, memory_of

    load_before = list(os.getloadavg())
    generation = generate_step(
        options.products, options.reset, pricing=options.pricing, companies=options.companies,
        entries_per_list=options.entries_per_list,
    )  # fmt: skip
    connection.ensure_connection()
    server_version = getattr(connection, "pg_version", None)
    all_scenarios = scenarios(n=options.sample)
    db = raw_database(url)
    listings, buyers = pricing_scenarios(all_scenarios, options)
    all_scenarios += listings
    by_name = {s.name: s for s in all_scenarios}
    results: dict[str, Any] = {s.name: static_figures(s, options) for s in all_scenarios}
    if buyers:
        from bench.pricing import batch_pricing, coverage, versus_anonymous

        company = by_name["product_list_company"]
        results[company.name]["versus_anonymous"] = versus_anonymous(results)
        results[company.name]["coverage"] = coverage(db, company, buyers)
        print(f"- Batch pricing of {options.batch_lines:,} lines, in-process...")
        results["batch_pricing"] = batch_pricing(db, buyers[0], n=options.batch_lines)

    print(f"Starting gunicorn ({options.workers} {options.worker_class} workers)...")
    with Gunicorn(
        url, workers=options.workers, worker_class=options.worker_class, threads=options.threads
    ) as server:
        for scenario in all_scenarios:
            results[scenario.name].update(served_figures(server, db, scenario, options))
        if buyers:
            from bench.pricing import paired_pass

            print("- Company list against the anonymous list, paired pass...")
            anonymous, company = by_name["product_list_pro"], by_name["product_list_company"]
            results[company.name]["paired"] = paired_pass(
                server, anonymous, company, options.sequential
            )
        workers = {pid: memory_of(pid) for pid in server.worker_pids()}
        errors_log = server.errors()
    if options.checkout:
        from bench import checkout_run

        eager = checkout_run.task_mode(options)[0] == "eager"
        results["checkout"] = checkout_run.served(options, *checkout_run.prepare(eager=eager))

    rss = max((m.get("VmRSS", 0.0) for m in workers.values()), default=0.0)
    peak = max((m.get("VmHWM", 0.0) for m in workers.values()), default=0.0)
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_at_start": load_before},
        "database": {
            "vendor": "postgresql" if env.is_postgres_url(url) else connection.vendor,
            "server_version": server_version,
            "counts": generation["counts"],
            "pricing_counts": generation.get("pricing", {}).get("counts", {}),
        },
        "products": generation["counts"]["product"],
        "generator": {
            **{k: v for k, v in generation.items() if k not in ("counts", "pricing")},
            **(
                {"pricing": {k: v for k, v in generation["pricing"].items() if k != "counts"}}
                if "pricing" in generation
                else {}
            ),
        },
        "server": {
            "workers": options.workers,
            "worker_class": options.worker_class,
            "threads": options.threads,
            "settings": env.server_environment(url)["DJANGO_SETTINGS_MODULE"],
            "worker_memory_mb": {str(pid): m for pid, m in workers.items()},
            "worker_rss_mb": rss,
            "worker_peak_rss_mb": peak,
            "error_log_tail": errors_log[-2000:],
        },
        "scenarios": results,
    }


def pricing_scenarios(
    base: Sequence[Scenario], options: Options
) -> tuple[list[Scenario], list[Buyer]]:
    """The company listing scenarios (`product_list_pro` and `product_list_company`, built
    from the `product_list` scenario of `base`) and the buyers they are sent for, when the
    pricing data is there; else no scenario and no buyer."""
    if not options.pricing:
        return [], []
    from bench.pricing import listing_scenarios
    from bench.pricing_data import has_pricing_data, key_buyers

    if not has_pricing_data():
        return [], []
    buyers = key_buyers()
    if not buyers:
        return [], []
    product_list = {s.name: s for s in base}["product_list"]
    return listing_scenarios(product_list, buyers), buyers


def _p95(values: list[float]) -> float:
    from bench.loadgen import percentile

    return percentile(values, 95)


def lines(result: dict[str, Any], options: Options) -> list[Line]:
    out: list[Line] = []
    for name, entry in result["scenarios"].items():
        if name not in ("product_list", "product_detail"):
            continue
        label = "list" if name == "product_list" else "detail"
        seq, load = entry["sequential"], entry["load"]
        is_list = name == "product_list"
        worst = max(entry["queries"], entry.get("queries_cold_cache", 0))
        out.append(
            Line(
                f"{label}: SQL queries per request (warm / cold cache)",
                f"{entry['queries']} / {entry.get('queries_cold_cache', '?')}",
                f"<= {MAX_LIST_QUERIES}" if is_list else "",
                worst <= MAX_LIST_QUERIES if is_list else None,
            )
        )
        if is_list:
            by_size = entry["queries_by_page_size"]
            out.append(
                Line(
                    "list: queries at page_size " + "/".join(by_size) + " (cold)",
                    "/".join(str(v) for v in by_size.values()),
                    "constant",
                    len(set(by_size.values())) == 1,
                )
            )
        ratio = seq["ratio"]
        split = entry.get("in_process")
        out += [
            Line(f"{label}: median server time", ms(seq["server_median_s"])),
            Line(f"{label}: median raw SQL time", ms(seq["raw_sql_median_s"])),
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
                f"{label}: server / raw SQL",
                "n/a" if ratio is None else f"{ratio:.2f}x",
                f"<= {MAX_LIST_RATIO:g}x" if is_list else "",
                (ratio is not None and ratio <= MAX_LIST_RATIO) if is_list else None,
            ),
            *(
                [
                    Line(
                        f"{label}: median raw SQL time without the count",
                        ms(seq["raw_sql_without_count_median_s"]),
                    ),
                    Line(
                        f"{label}: server / raw SQL without the count",
                        f"{seq['ratio_without_count']:.2f}x",
                    ),
                ]
                if seq.get("ratio_without_count") is not None
                else []
            ),
            Line(
                f"{label}: requests/s (c={load['concurrency']}, {options.workers} workers)",
                f"{load['requests_per_second']:.1f}",
                f">= {MIN_LIST_RPS:g}" if is_list else "",
                load["requests_per_second"] >= MIN_LIST_RPS if is_list else None,
            ),
            Line(
                f"{label}: p50 / p95 latency (c={load['concurrency']})",
                f"{ms(load['p50_s'])} / {ms(load['p95_s'])}",
            ),
            *([_cpu_line(label, load)] if "cpu_ms_per_request" in load else []),
            Line(
                f"{label}: errors (non-200)",
                f"{load['errors'] + seq['errors']} of {load['requests'] + seq['requests']}",
                "0",
                load["errors"] + seq["errors"] == 0,
            ),
        ]
    out += report_lines(result)
    from bench.checkout import report_lines as checkout_lines

    out += checkout_lines(result["scenarios"].get("checkout"))
    out.append(
        Line(
            "web worker RSS after the run (max)",
            f"{result['server']['worker_rss_mb']:.0f} MB "
            f"(peak {result['server']['worker_peak_rss_mb']:.0f} MB)",
            f"< {MAX_WORKER_RSS_MB:g} MB",
            result["server"]["worker_rss_mb"] < MAX_WORKER_RSS_MB,
        )
    )
    gen = result["generator"]
    if gen.get("seconds") is None:
        out.append(Line("generator", "not timed (data was there)"))
    else:
        at_target = gen.get("products") == GENERATOR_TARGET_PRODUCTS and gen.get("created") == gen.get("products")  # fmt: skip
        when = " (earlier run)" if gen.get("skipped") else ""
        out.append(
            Line(
                f"generator: {gen['created']:,} products{when}",
                f"{gen['seconds']:.1f} s",
                f"< {MAX_GENERATOR_SECONDS:g} s for 100k" if at_target else "",
                gen["seconds"] < MAX_GENERATOR_SECONDS if at_target else None,
            )
        )
    return out


def profile_scenario(name: str, sample: int, batch_lines: int = 10_000) -> int:
    """Print a cProfile of one scenario, in-process on the bench database."""
    env.configure(env.database_url())
    env.migrate()
    if name == "checkout":
        from bench.checkout_run import profile_checkout

        return profile_checkout(max(3, min(sample, 50)))
    from bench.pricing import profile_batch
    from bench.profile import breakdown, profile
    from bench.scenarios import scenarios

    all_scenarios = scenarios(n=sample)
    buyers: list[Buyer] = []
    if name in ("product_list_pro", "product_list_company", "batch_pricing"):
        listings, buyers = pricing_scenarios(all_scenarios, Options())
        all_scenarios += listings
        if not buyers:
            print("No pricing data: run `python -m bench generate` first.")
            return 2
    if name == "batch_pricing":
        print(profile_batch(buyers[0], n=batch_lines))
        return 0
    chosen = {s.name: s for s in all_scenarios}.get(name)
    if chosen is None:
        print(f"Unknown scenario {name}")
        return 2
    split = breakdown(chosen.requests[:100])
    print(
        f"{chosen.title}: in-process median {ms(split['total_median_s'])}, "
        f"SQL {ms(split['sql_median_s'])}, rest {ms(split['python_median_s'])}\n"
    )
    print(profile(chosen.requests))
    return 0


def _cpu_line(label: str, load: dict[str, Any]) -> Line:
    cpu = load["cpu_ms_per_request"]
    keys = ("workers", "postgres", "load_generator", "other", "idle")
    return Line(
        f"{label}: under load: server median | CPU ms/request workers/PG/client/other/idle",
        f"{ms(load['server_median_s'])} | " + "/".join(f"{cpu[k]:.1f}" for k in keys),
    )


def run(options: Options) -> int:
    result = measure(options)
    report = lines(result, options)
    result["summary"] = [line.as_dict() for line in report]
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(result, indent=2, default=str))
    print()
    load = ", ".join(f"{x:.2f}" for x in result["machine"]["load_average_at_start"])
    print(
        f"Comptoir bench: {result['products']:,} products, {result['machine']['cpus']} CPUs, "
        f"load average at start {load} (other processes share the CPUs)"
    )
    print(table(report))
    print(f"\nWritten {options.output}")
    if options.product_page:
        # A process of its own: Django is set up there on the demo store, not the bench DB.
        subprocess.run([sys.executable, "-m", "bench", "product-page"], check=False)
    return 0
