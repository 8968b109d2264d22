"""Command line: `python -m bench [run|generate] [options]` (see docs/bench.md)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from bench import env
from bench.run import Options, generate_step, profile_scenario, run


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Comptoir bench. `run` (default) generates the data if needed and measures the "
            "scenarios; `generate` only creates the data; `profile` prints a cProfile of one "
            "scenario, in-process; `checkout` runs only the checkout bench; `product-page` only loads the "
            "product page in Chromium (LCP, CLS, bytes) from the SQLite demo store. Database: "
            "BENCH_DATABASE_URL, "
            f"default {env.DEFAULT_DATABASE_URL} (created and migrated if missing)."
        ),
    )
    p.add_argument(
        "command",
        nargs="?",
        choices=["run", "generate", "profile", "checkout", "pages", "product-page"],
        default="run",
    )
    p.add_argument(
        "--scenario",
        default="product_list",
        help="for `profile`: product_list, product_detail, product_list_pro, "
        "product_list_company, batch_pricing, checkout",
    )
    p.add_argument("--products", type=int, default=100_000, help="catalog size (100000)")
    p.add_argument("--reset", action="store_true", help="empty the catalog tables first")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    p.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
    p.add_argument("--threads", type=int, default=1, help="threads per gthread worker (1)")
    p.add_argument("--concurrency", type=int, default=8, help="load generator threads (8)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds of load (10)")
    p.add_argument("--max-requests", type=int, default=20_000, help="request cap of the load")
    p.add_argument("--sample", type=int, default=400, help="distinct requests per scenario")
    p.add_argument(
        "--sequential", type=int, default=200, help="requests of the server-time/raw-SQL pass"
    )
    p.add_argument(
        "--warmup", type=int, default=None, help="warm-up requests (every distinct one twice)"
    )
    p.add_argument("--output", type=Path, default=env.RESULTS_DIR / "latest.json")
    p.add_argument(
        "--no-pricing",
        dest="pricing",
        action="store_false",
        help="skip the pricing data and scenarios (company listing, batch pricing)",
    )
    p.add_argument("--companies", type=int, default=1000, help="companies and contracts (1000)")
    p.add_argument(
        "--entries-per-list", type=int, default=2000, help="variants per contract list (2000)"
    )
    p.add_argument("--batch-lines", type=int, default=10_000, help="lines of batch pricing")
    p.add_argument(
        "--no-checkout",
        dest="checkout",
        action="store_false",
        help="skip the checkout data and scenarios (issue 4)",
    )
    p.add_argument("--checkout-flows", type=int, default=100, help="flows of checkout A (100)")
    p.add_argument(
        "--checkout-duration",
        type=float,
        default=20.0,
        help="seconds of checkout B and pgbench (20)",
    )
    p.add_argument(
        "--checkout-clients", type=int, default=8, help="clients of checkout B and pgbench (8)"
    )
    p.add_argument(
        "--checkout-workers",
        type=int,
        default=None,
        help="gunicorn workers for the checkout (--workers)",
    )
    p.add_argument(
        "--checkout-tasks",
        choices=["worker", "eager"],
        default="worker",
        help="checkout: after-commit tasks (emails) in a Celery worker on Redis, like "
        "production (worker), or inside the request (eager)",
    )
    p.add_argument(
        "--no-pgbench",
        dest="pgbench",
        action="store_false",
        help="skip the pgbench baseline of the checkout",
    )
    p.add_argument(
        "--no-product-page",
        dest="product_page",
        action="store_false",
        help="skip the product page in Chromium (LCP, CLS, bytes; bench/product_page.py)",
    )
    p.add_argument("--page-runs", type=int, default=5, help="product page: loads per figure (5)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.products < 1:
        parser().error("--products must be 1 or more")
    if args.companies < 1 or args.entries_per_list < 1 or args.batch_lines < 1:
        parser().error("--companies, --entries-per-list and --batch-lines must be 1 or more")
    if args.checkout_flows < 1 or args.checkout_clients < 1 or args.checkout_duration <= 0:
        parser().error(
            "--checkout-flows, --checkout-clients and --checkout-duration must be positive"
        )
    if args.checkout_workers is not None and args.checkout_workers < 1:
        parser().error("--checkout-workers must be 1 or more")
    if args.command == "product-page":
        from bench.product_page import run_product_page

        return run_product_page(runs=args.page_runs)
    if args.command == "profile":
        return profile_scenario(args.scenario, args.sample, args.batch_lines)
    if args.command == "generate":
        env.configure(env.database_url())
        env.migrate()
        generate_step(
            args.products, args.reset, pricing=args.pricing, companies=args.companies,
            entries_per_list=args.entries_per_list, checkout=args.checkout,
        )  # fmt: skip
        return 0
    options = Options(
        products=args.products,
        reset=args.reset,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        concurrency=args.concurrency,
        duration=args.duration,
        max_requests=args.max_requests,
        sample=args.sample,
        sequential=min(args.sequential, args.sample),
        warmup=args.warmup,
        output=args.output,
        pricing=args.pricing,
        companies=args.companies,
        entries_per_list=args.entries_per_list,
        batch_lines=args.batch_lines,
        checkout=args.checkout,
        checkout_flows=args.checkout_flows,
        checkout_clients=args.checkout_clients,
        checkout_duration=args.checkout_duration,
        checkout_workers=args.checkout_workers,
        checkout_tasks=args.checkout_tasks,
        pgbench=args.pgbench,
        product_page=args.product_page,
    )
    if args.command == "pages":
        from bench.pages import run_pages

        return run_pages(
            products=args.products, sample=args.sample, output=env.RESULTS_DIR / "pages.json"
        )
    if args.command == "checkout":
        from bench.checkout_run import run_checkout

        if args.output == parser().get_default("output"):
            options = replace(options, output=env.RESULTS_DIR / "checkout.json")
        return run_checkout(options)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
