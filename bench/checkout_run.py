"""How `python -m bench` runs the checkout bench: its data, the in-process figures per step,
then scenarios A and B and the pgbench baseline against a gunicorn of its own (the listing
scenarios' server is stopped by then). `python -m bench checkout` runs only this part."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bench import env

if TYPE_CHECKING:
    from bench.checkout import CheckoutOptions
    from bench.checkout_data import CheckoutData
    from bench.run import Options

IN_PROCESS_FLOWS = 12


def checkout_options(options: Options) -> CheckoutOptions:
    from bench.checkout import CheckoutOptions

    return CheckoutOptions(
        flows=options.checkout_flows,
        clients=options.checkout_clients,
        duration=options.checkout_duration,
        pgbench=options.pgbench,
    )


def generate_data() -> CheckoutData:
    """The checkout data, created or topped up (`bench.checkout_data`)."""
    from bench.checkout_data import ensure_checkout_data

    data = ensure_checkout_data()
    made = ", ".join(f"{k} {v}" for k, v in data.created.items()) or "already there"
    print(f"Checkout data: {made} ({data.seconds:.1f} s, {len(data.skus)} variants with stock).")
    return data


def prepare(*, eager: bool = False) -> tuple[CheckoutData, dict[str, Any]]:
    """The checkout data (created or topped up), then the in-process figures per step
    (after-commit tasks queued, not run, unless `eager`: as the server will run them)."""
    from bench.checkout_flow import flow_plans
    from bench.checkout_profile import in_process

    data = generate_data()
    plans = flow_plans(
        skus=data.skus,
        channel=data.channel,
        n=IN_PROCESS_FLOWS,
        seed=7,
        shipping_method_id=data.shipping_method_id,
    )
    print(f"- Checkout in-process: {IN_PROCESS_FLOWS} flows, queries and SQL time per step...")
    return data, in_process(plans, eager=eager)


def task_mode(options: Options) -> tuple[str, str]:
    """Where the after-commit tasks run (`worker` needs Redis, else `eager`) and why."""
    from bench.checkout_worker import redis_reachable, redis_url

    if options.checkout_tasks == "eager":
        return "eager", "asked for (--checkout-tasks eager)"
    url = redis_url()
    if not redis_reachable(url):
        return "eager", f"no Redis at {url}"
    return "worker", f"Celery worker (solo pool), Redis {url}"


def served(options: Options, data: CheckoutData, in_process: dict[str, Any]) -> dict[str, Any]:
    """Scenarios A and B and the pgbench baseline, against a gunicorn of its own (and the
    Celery worker that delivers the outbox, in `worker` mode)."""
    from bench.checkout import checkout_bench
    from bench.checkout_worker import CeleryWorker, redis_url, task_environment
    from bench.server import Gunicorn, memory_of

    url = env.database_url()
    workers = options.checkout_workers or options.workers
    mode, why = task_mode(options)
    print(
        f"Starting gunicorn for the checkout ({workers} {options.worker_class} workers; "
        f"tasks: {mode}, {why})..."
    )
    with contextlib.ExitStack() as stack:
        worker = None
        if mode == "worker":
            worker = stack.enter_context(CeleryWorker(url, redis_url()))
        server = stack.enter_context(
            Gunicorn(
                url,
                workers=workers,
                worker_class=options.worker_class,
                threads=options.threads,
                env=task_environment(mode, redis_url()),
            )
        )
        result = checkout_bench(
            server, url, checkout_options(options), data, task_worker=worker.pid if worker else None
        )
        memory = {str(pid): memory_of(pid) for pid in server.worker_pids()}
        result["server_error_log_tail"] = server.errors()[-2000:]
    result["tasks"] = {"mode": mode, "why": why}
    result["in_process"] = in_process
    result["worker_memory_mb"] = memory
    return result


def run_checkout(options: Options) -> int:
    """`python -m bench checkout`: the catalog if missing (no pricing data), the checkout
    data, and the checkout bench only; its table on stdout, its JSON in `options.output`."""
    from bench.checkout import report_lines
    from bench.report import machine, table
    from bench.run import generate_step

    env.configure(env.database_url())
    env.migrate()
    load_before = list(os.getloadavg())
    generate_step(options.products, options.reset, pricing=False)
    data, in_process = prepare(eager=task_mode(options)[0] == "eager")
    entry = served(options, data, in_process)
    result: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_at_start": load_before},
        "scenarios": {"checkout": entry},
    }
    lines = report_lines(entry)
    result["summary"] = [line.as_dict() for line in lines]
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(result, indent=2, default=str))
    load = ", ".join(f"{x:.2f}" for x in load_before)
    print(f"\nComptoir checkout bench, load average at start {load}")
    print(table(lines))
    print(f"\nWritten {options.output}")
    return 0


def profile_checkout(flows: int = 40, *, eager: bool = False) -> int:
    """`python -m bench profile --scenario checkout`: the in-process table per step, then a
    cProfile of `flows` flows."""
    from bench.checkout_flow import flow_plans
    from bench.checkout_profile import profile_flows, step_table

    data, figures = prepare(eager=eager)
    print()
    print(step_table(figures))
    if figures["failures"]:
        print(f"\nFailed flows: {figures['failures']}")
    print()
    plans = flow_plans(
        skus=data.skus,
        channel=data.channel,
        n=flows + 2,
        seed=11,
        shipping_method_id=data.shipping_method_id,
    )
    print(profile_flows(plans, eager=eager))
    return 0
