"""The checkout bench's pure parts (statistics, the access-log split per step, the flow
plans, pgbench's output and connection options, the report) and, on a tiny catalog, its
data and one flow in-process. No timing is asserted here."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from bench.__main__ import parser
from bench.checkout import (
    MAX_FLOW_MEDIAN_S,
    MIN_ORDERS_PER_TPS,
    flow_stats,
    report_lines,
    server_steps,
    summary,
)
from bench.checkout_flow import STEPS, FlowResult, flow_plans, step_of
from bench.checkout_pgbench import parse_output, target
from bench.checkout_worker import task_environment
from bench.server import LoggedRequest

PGBENCH_15 = """\
pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 20 s
number of transactions actually processed: 28901
number of failed transactions: 0 (0.000%)
latency average = 5.530 ms
initial connection time = 12.345 ms
tps = 1446.768972 (without initial connection time)
"""

PGBENCH_12 = """\
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 1
query mode: simple
number of clients: 2
number of threads: 1
duration: 2 s
number of transactions actually processed: 2890
latency average = 1.380 ms
tps = 1400.000000 (including connections establishing)
tps = 1448.500000 (excluding connections establishing)
"""


def flow(total_ms: float = 60.0, *, error: str | None = None, calls: int = 10) -> FlowResult:
    """A completed flow whose steps share `total_ms` equally (or a failed one)."""
    each = total_ms / 1000 / len(STEPS)
    return FlowResult(
        steps=dict.fromkeys(STEPS, each),
        calls=calls,
        order_number=None if error else "FR-000001",
        error=error,
    )


# -- statistics ------------------------------------------------------------------------------


def test_summary_of_durations() -> None:
    figures = summary([0.010, 0.020, 0.030, 0.040, 0.100])
    assert figures["count"] == 5
    assert figures["median_s"] == pytest.approx(0.030)
    assert figures["min_s"] == pytest.approx(0.010)
    assert figures["max_s"] == pytest.approx(0.100)
    assert figures["mean_s"] == pytest.approx(0.040)
    assert 0.040 < figures["p95_s"] <= 0.100


def test_summary_of_nothing_is_zeros() -> None:
    assert summary([]) == {
        "count": 0, "median_s": 0.0, "p95_s": 0.0, "mean_s": 0.0, "min_s": 0.0, "max_s": 0.0
    }  # fmt: skip


def test_flow_stats_count_completed_flows_only_and_group_errors() -> None:
    results = [
        flow(60),
        flow(120),
        flow(90),
        flow(error="checkout: 409 INSUFFICIENT_STOCK"),
        flow(error="checkout: 409 INSUFFICIENT_STOCK"),
        flow(error="add_lines: 400 UNKNOWN_SKU"),
    ]
    results[3].detail = {"code": "INSUFFICIENT_STOCK"}
    stats = flow_stats(results)
    assert (stats["flows"], stats["completed"], stats["failed"]) == (6, 3, 3)
    assert stats["errors"] == {
        "checkout: 409 INSUFFICIENT_STOCK": 2,
        "add_lines: 400 UNKNOWN_SKU": 1,
    }
    assert stats["error_sample"] == {"code": "INSUFFICIENT_STOCK"}
    assert stats["calls_per_flow"] == 10
    assert stats["flow"]["median_s"] == pytest.approx(0.090)
    assert set(stats["steps"]) == set(STEPS)
    assert stats["steps"]["checkout"]["median_s"] == pytest.approx(0.090 / len(STEPS))


def test_a_flow_without_an_order_is_not_completed() -> None:
    result = FlowResult(steps={"create_cart": 0.01}, calls=1)
    assert not result.ok
    assert flow_stats([result])["errors"] == {"no order": 1}


def test_step_of_an_api_path() -> None:
    cart = "AbC-123_x"
    assert step_of("/api/v1/carts") == "create_cart"
    assert step_of("/api/v1/carts?channel=boutique-france") == "create_cart"
    assert step_of(f"/api/v1/carts/{cart}/lines") == "add_lines"
    assert step_of(f"/api/v1/carts/{cart}/addresses") == "addresses"
    assert step_of(f"/api/v1/carts/{cart}/shipping-methods") == "shipping_methods"
    assert step_of(f"/api/v1/carts/{cart}/shipping-method") == "shipping_method"
    assert step_of(f"/api/v1/carts/{cart}/checkout") == "checkout"
    assert step_of("/api/v1/products") is None
    assert step_of("/healthz") is None


def _logged_flow(token: str, *, status: int = 201, lines: int = 5) -> list[LoggedRequest]:
    cart = f"/api/v1/carts/{token}"
    return [
        LoggedRequest(201, 0.002, "/api/v1/carts"),
        *(LoggedRequest(200, 0.003, f"{cart}/lines") for _ in range(lines)),
        LoggedRequest(200, 0.004, f"{cart}/addresses"),
        LoggedRequest(200, 0.005, f"{cart}/shipping-methods"),
        LoggedRequest(200, 0.006, f"{cart}/shipping-method"),
        LoggedRequest(status, 0.030, f"{cart}/checkout"),
    ]


def test_server_steps_sum_each_flow_and_leave_out_broken_ones() -> None:
    logged = [
        LoggedRequest(200, 0.001, "/healthz"),
        *_logged_flow("a"),
        *_logged_flow("b"),
        *_logged_flow("c", status=409),  # failed at checkout: left out
        *_logged_flow("d")[:3],  # never reached checkout: left out
    ]
    figures = server_steps(logged)
    assert figures["flows"] == 2
    assert figures["steps"]["add_lines"]["median_s"] == pytest.approx(0.015)
    assert figures["steps"]["checkout"]["median_s"] == pytest.approx(0.030)
    assert figures["flow"]["median_s"] == pytest.approx(
        0.002 + 0.015 + 0.004 + 0.005 + 0.006 + 0.030
    )


# -- plans -----------------------------------------------------------------------------------


def test_flow_plans_are_reproducible_carts_of_distinct_skus() -> None:
    skus = [f"SKU-{n}" for n in range(40)]
    plans = flow_plans(skus=skus, channel="boutique-france", n=50, seed=3)
    again = flow_plans(skus=skus, channel="boutique-france", n=50, seed=3)
    assert plans == again
    assert plans != flow_plans(skus=skus, channel="boutique-france", n=50, seed=4)
    for plan in plans:
        assert len(plan.lines) == 5
        assert len({sku for sku, _q in plan.lines}) == 5
        assert all(sku in skus and 1 <= q <= 3 for sku, q in plan.lines)
        assert plan.email.endswith("@example.com")
    assert len({p.idempotency_key for p in plans}) == 50


def test_flow_plans_need_enough_skus() -> None:
    with pytest.raises(ValueError, match="5 distinct SKUs"):
        flow_plans(skus=["A", "B"], channel="boutique-france", n=1)


# -- pgbench ---------------------------------------------------------------------------------


def test_parse_pgbench_15_output() -> None:
    figures = parse_output(PGBENCH_15)
    assert figures == {
        "scale": 10,
        "clients": 8,
        "threads": 2,
        "duration_s": 20,
        "transactions": 28901,
        "failed": 0,
        "latency_average_ms": 5.53,
        "initial_connection_ms": 12.345,
        "tps": 1446.768972,
    }


def test_parse_older_pgbench_output_takes_tps_without_connections() -> None:
    figures = parse_output(PGBENCH_12)
    assert figures["tps"] == 1448.5
    assert figures["transactions"] == 2890
    assert "failed" not in figures


def test_parse_pgbench_output_without_tps_fails() -> None:
    with pytest.raises(ValueError, match="no tps"):
        parse_output("pgbench: error: connection to server failed\n")


def test_pgbench_target_from_a_database_url() -> None:
    where = target("postgres://bench:s%40cret@db.example:6432/comptoir_bench")
    assert where.args == ["-h", "db.example", "-p", "6432", "-U", "bench"]
    assert where.env == {"PGPASSWORD": "s@cret"}
    assert where.dbname == "comptoir_bench"
    local = target("postgres://postgres@127.0.0.1/comptoir_bench")
    assert local.args == ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    assert local.env == {}
    with pytest.raises(ValueError, match="no database"):
        target("postgres://postgres@127.0.0.1:5432/")


# -- where the tasks run, options --------------------------------------------------------------


def test_task_environment_queues_tasks_on_redis_in_worker_mode() -> None:
    url = "redis://127.0.0.1:6379/7"
    assert task_environment("eager", url) == {}
    assert task_environment("worker", url) == {
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def test_command_line_checkout_options() -> None:
    defaults = parser().parse_args([])
    assert defaults.checkout is True
    assert defaults.pgbench is True
    assert (defaults.checkout_flows, defaults.checkout_clients) == (100, 8)
    assert defaults.checkout_duration == 20.0
    assert defaults.checkout_tasks == "worker"
    args = parser().parse_args(
        ["checkout", "--no-pgbench", "--checkout-duration", "5", "--checkout-tasks", "eager"]
    )
    assert (args.command, args.pgbench, args.checkout_duration) == ("checkout", False, 5.0)
    assert parser().parse_args(["--no-checkout"]).checkout is False
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit):
        parser().parse_args(["--checkout-tasks", "later"])


# -- report ----------------------------------------------------------------------------------


def result_entry(*, median_s: float, orders_per_second: float, tps: float | None) -> dict[str, Any]:
    seq = flow_stats([flow(median_s * 1000)] * 3)
    seq["server"] = server_steps(_logged_flow("a"))
    con = flow_stats([flow(300)] * 4)
    con.update(
        clients=8,
        workers=2,
        duration_s=20.0,
        orders_per_second=orders_per_second,
        orders_in_window_db=int(orders_per_second * 20),
        orders_in_window_client=int(orders_per_second * 20),
        checkout_call=summary([0.1, 0.2]),
        cpu_ms_per_order={"workers": 40.0, "postgres": 10.0, "idle": 1.0},
    )
    entry: dict[str, Any] = {
        "sequential": seq,
        "concurrent": con,
        "data": {"seconds": 0.4, "created": {}, "variants_with_stock": 400},
    }
    if tps is not None:
        entry["pgbench"] = {"tps": tps, "clients": 8, "threads": 2, "scale": 10,
                            "duration_s": 20, "latency_average_ms": 5.5}  # fmt: skip
        entry["orders_per_tps"] = orders_per_second / tps
    return entry


def by_figure(entry: dict[str, Any]) -> dict[str, Any]:
    return {line.figure.split(" (")[0]: line for line in report_lines(entry)}


def test_report_passes_and_fails_against_the_targets() -> None:
    good = by_figure(result_entry(median_s=0.1, orders_per_second=100, tps=1000))
    assert good["checkout A: flow median / p95"].verdict == "PASS"
    assert good["checkout B: orders/s / pgbench tps"].verdict == "PASS"
    assert good["checkout B: orders/s / pgbench tps"].value == "10.0%"
    assert good["checkout A: failed flows"].verdict == "PASS"
    saleor = good["checkout A: Saleor 3.24's 1.17 s for the same steps / ours"]
    assert saleor.value == "11.7x faster"
    assert saleor.verdict == ""
    bad = by_figure(
        result_entry(median_s=MAX_FLOW_MEDIAN_S + 0.001, orders_per_second=10, tps=1000)
    )
    assert bad["checkout A: flow median / p95"].verdict == "FAIL"
    assert bad["checkout B: orders/s / pgbench tps"].verdict == "FAIL"
    assert MIN_ORDERS_PER_TPS * 1000 > 10


def test_report_has_a_line_per_step_with_the_server_time() -> None:
    lines = report_lines(result_entry(median_s=0.06, orders_per_second=5, tps=None))
    steps = [
        ln
        for ln in lines
        if ln.figure.startswith("checkout A: ") and "median / p95 (server" in ln.figure
    ]
    assert [ln.figure.split(":")[1].strip().split(" ")[0] for ln in steps] == list(STEPS)
    add_lines = next(ln for ln in steps if "add_lines" in ln.figure)
    assert "(5 calls)" in add_lines.figure
    assert add_lines.value.endswith("(15.00 ms)")
    assert not any("pgbench" in ln.figure for ln in lines)


def test_report_without_checkout_or_with_a_pgbench_error() -> None:
    assert report_lines(None) == []
    assert report_lines({}) == []
    entry = result_entry(median_s=0.06, orders_per_second=5, tps=None)
    entry["pgbench"] = {"error": "pgbench not found (PATH, /usr/lib/postgresql/*/bin)"}
    lines = by_figure(entry)
    assert lines["pgbench baseline"].value.startswith("pgbench not found")
    assert "checkout B: orders/s / pgbench tps" not in lines


def test_report_of_a_run_without_orders_says_so() -> None:
    entry = result_entry(median_s=0.06, orders_per_second=0, tps=1000)
    entry["concurrent"]["cpu_ms_per_order"] = {}
    lines = by_figure(entry)
    assert lines["checkout B: CPU ms/order web workers/PG/task worker/client/other/idle"].value == (
        "n/a (no order)"
    )
    assert lines["checkout B: orders/s / pgbench tps"].verdict == "FAIL"


# -- on a tiny catalog (database) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_checkout_data_is_idempotent_and_one_flow_places_an_order() -> None:
    from django.db.models import Sum

    from bench.checkout_data import STOCK_QUANTITY, ensure_checkout_data
    from bench.checkout_profile import in_process
    from bench.generate import generate
    from comptoir.inventory.models import Stock, StockMovement
    from comptoir.orders.models import Order
    from comptoir.shipping.models import ShippingMethod, ShippingZone

    generate(products=40, progress=False)
    data = ensure_checkout_data(variants=12)
    assert data.created == {
        "warehouse": 1,
        "receipts": 12,
        "shipping_zone": 1,
        "shipping_method": 1,
    }
    assert len(data.skus) == 12
    again = ensure_checkout_data(variants=12)
    assert again.skipped
    assert again.skus == data.skus
    assert ShippingZone.objects.count() == ShippingMethod.objects.count() == 1
    stocks = Stock.objects.filter(warehouse_id=data.warehouse_id)
    assert stocks.count() == 12
    assert all(s.quantity == STOCK_QUANTITY for s in stocks)

    plans = flow_plans(skus=data.skus, channel=data.channel, n=3, seed=1,
                       shipping_method_id=data.shipping_method_id)  # fmt: skip
    figures = in_process(plans, warmup=1)
    assert figures["failures"] == []
    assert figures["flows"] == 2
    assert list(figures["steps"]) == list(STEPS)
    assert figures["steps"]["add_lines"]["calls"] == 5
    assert all(s["queries"] > 0 for s in figures["steps"].values())
    assert Order.objects.count() == 3
    # The ledger balances: on hand is the sum of the movements of each stock row.
    for stock in stocks:
        moved = StockMovement.objects.filter(stock=stock).aggregate(total=Sum("quantity"))
        assert stock.quantity == moved["total"]
