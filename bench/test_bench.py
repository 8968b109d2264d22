"""The bench machinery on a tiny catalog: generator counts, request sets, raw SQL baselines,
query counting, the load generator and the report. No timing is asserted here."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from stdnum import ean

from bench.cpu import cpu_split, snapshot
from bench.generate import ean13, generate
from bench.loadgen import HttpRequest, percentile, run_load
from bench.profile import breakdown, profile
from bench.report import Line, table
from bench.run import Options, generation_record, lines, pricing_scenarios
from bench.scenarios import (
    ApiRequest,
    RawDb,
    count_queries,
    detail_requests,
    list_requests,
    raw_product_detail,
    raw_product_list,
)
from comptoir.accounts.models import ApiToken, User
from comptoir.accounts.services import api_token_create
from comptoir.catalog.models import (
    Category,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductTranslation,
    ProductVariant,
    VariantAttributeValue,
    VariantChannelPrice,
)
from comptoir.channels.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    generate(products=120, progress=False)


def raw_db() -> RawDb:
    connection.ensure_connection()
    assert connection.connection is not None
    return RawDb(connection.connection.cursor(), connection.vendor)


def test_generate_creates_a_consistent_catalog(catalog: None) -> None:
    variants = ProductVariant.objects.count()
    assert Product.objects.count() == 120
    assert ProductTranslation.objects.filter(language="en").count() == 120
    assert sorted(Channel.objects.values_list("code", flat=True)) == [
        "boutique-france",
        "comptoir-pro",
    ]
    assert Category.objects.filter(parent=None).count() == 10
    assert Category.objects.exclude(parent=None).count() == 60
    assert 120 <= variants <= 360
    assert VariantChannelPrice.objects.count() == 2 * variants
    assert VariantAttributeValue.objects.count() == variants
    assert ProductChannelListing.objects.count() == 240
    assert ProductImage.objects.filter(position=0).count() == 120
    assert ProductVariant.objects.values("product").distinct().count() == 120
    # price_from is the lowest variant price of the channel, for every listing
    lowest = {
        (row["variant__product_id"], row["channel_id"]): row["low"]
        for row in VariantChannelPrice.objects.values("variant__product_id", "channel_id").annotate(
            low=Min("amount")
        )
    }
    for listing in ProductChannelListing.objects.all():
        assert listing.price_from == lowest[(listing.product_id, listing.channel_id)]
    assert all(ean.is_valid(g) for g in ProductVariant.objects.values_list("gtin", flat=True))


def test_generate_skips_when_at_size_adds_when_below_and_resets(catalog: None) -> None:
    first_ids = sorted(Product.objects.values_list("id", flat=True))

    again = generate(products=120, progress=False)
    assert (again.skipped, again.created, again.products) == (True, 0, 120)
    assert sorted(Product.objects.values_list("id", flat=True)) == first_ids

    more = generate(products=130, progress=False)
    assert (more.skipped, more.created, more.products) == (False, 10, 130)
    assert Product.objects.values("slug").distinct().count() == 130

    reset = generate(products=50, reset=True, progress=False)
    assert (reset.skipped, reset.created, reset.products) == (False, 50, 50)
    assert ProductChannelListing.objects.count() == 100
    assert Category.objects.count() == 70


def test_ean13_builds_valid_codes() -> None:
    assert ean13(1) == "2000000000015"
    assert all(ean.is_valid(ean13(n)) for n in (0, 7, 123456, 9_999_999_999))


def test_request_sets_point_at_published_products(catalog: None) -> None:
    listing = list_requests(n=20, seed=3)
    details = detail_requests(n=10, seed=4)

    assert len(listing) == 20
    assert all(r.path.startswith("/api/v1/products?page_size=48&channel=") for r in listing)
    assert {r.channel for r in listing} == {"boutique-france", "comptoir-pro"}
    assert len(details) == 10
    for request in details:
        assert request.slug is not None
        assert request.path == f"/api/v1/products/{request.slug}?channel={request.channel}"
        assert ProductChannelListing.objects.filter(
            product__slug=request.slug, channel__code=request.channel, is_published=True
        ).exists()


def test_raw_product_list_reads_the_page_of_the_api(catalog: None) -> None:
    request = ApiRequest("boutique-france", "en", page=1, page_size=48)
    published = ProductChannelListing.objects.filter(
        channel__code="boutique-france", is_published=True
    ).order_by("product_id")

    rows = raw_product_list(raw_db(), request)

    assert [row[0] for row in rows] == list(published.values_list("product_id", flat=True)[:48])
    first = Product.objects.get(id=rows[0][0])
    assert rows[0][1] == first.slug
    assert Decimal(str(rows[0][5])).quantize(Decimal("0.01")) == published[0].price_from
    assert rows[0][7] == first.variants.count()
    assert rows[0][8] == first.translations.get(language="en").name


def test_raw_product_list_filters_by_category_subtree(catalog: None) -> None:
    top = Category.objects.filter(parent=None).order_by("id").first()
    assert top is not None
    expected = ProductChannelListing.objects.filter(
        channel__code="comptoir-pro", is_published=True, product__category__parent=top
    ).order_by("product_id")

    rows = raw_product_list(raw_db(), ApiRequest("comptoir-pro", "fr", category=top.slug))

    assert [row[0] for row in rows] == list(expected.values_list("product_id", flat=True)[:48])
    assert all(row[8] is None for row in rows)  # base language: no translation join


def test_raw_product_detail_reads_product_variants_prices_and_media(catalog: None) -> None:
    product = Product.objects.filter(channel_listings__is_published=True).order_by("id").first()
    assert product is not None
    listing = product.channel_listings.filter(is_published=True).select_related("channel").first()
    assert listing is not None
    request = ApiRequest(listing.channel.code, "en", slug=product.slug)

    rows = raw_product_detail(raw_db(), request)

    variants = product.variants.count()
    assert rows[0][:2] == (product.id, product.slug)
    expected = (
        1
        + product.attribute_values.count()
        + 2 * variants  # variant attribute values, variants with prices
        + product.documents.count()
        + product.images.count()
    )
    assert len(rows) == expected
    variant_rows = [r for r in rows if len(r) == 10]
    assert [r[1] for r in variant_rows] == list(product.variants.values_list("sku", flat=True))
    assert all(r[9] is not None for r in variant_rows)  # priced in both channels


def test_raw_baselines_read_what_the_api_returns(catalog: None) -> None:
    client = Client()
    for request in list_requests(n=6, seed=9):
        body = client.get(request.path, headers={"accept-language": request.language}).json()
        rows = raw_product_list(raw_db(), request)
        assert [r["slug"] for r in body["results"]] == [row[1] for row in rows]
        assert [r["name"] for r in body["results"]] == [row[8] or row[2] for row in rows]
    for request in detail_requests(n=4, seed=10):
        body = client.get(request.path, headers={"accept-language": request.language}).json()
        rows = raw_product_detail(raw_db(), request)
        assert [v["sku"] for v in body["variants"]] == [r[1] for r in rows if len(r) == 10]
        assert len(body["media"]) == len([r for r in rows if len(r) == 6])


def test_raw_product_detail_of_unknown_slug_raises(catalog: None) -> None:
    with pytest.raises(LookupError):
        raw_product_detail(raw_db(), ApiRequest("boutique-france", "fr", slug="nope"))


def test_count_queries_of_list_and_detail(catalog: None) -> None:
    listing = list_requests(n=1, seed=5)[0]
    detail = detail_requests(n=1, seed=6)[0]

    small = count_queries(ApiRequest(listing.channel, "en", page_size=12), cold=True)
    large = count_queries(ApiRequest(listing.channel, "en", page_size=48), cold=True)
    warm = count_queries(ApiRequest(listing.channel, "en", page_size=48))
    one = count_queries(detail)

    assert (small.status, large.status, warm.status, one.status) == (200, 200, 200, 200)
    assert small.queries == large.queries >= warm.queries >= 2
    assert len(large.statements) == large.queries
    assert one.queries >= 2


def test_breakdown_splits_sql_from_the_rest(catalog: None) -> None:
    requests = [*list_requests(n=2, seed=7), *detail_requests(n=2, seed=8)]

    split = breakdown(requests)

    assert split["total_median_s"] >= split["sql_median_s"] > 0
    assert split["python_median_s"] == split["total_median_s"] - split["sql_median_s"]


def _token_reads(statements: list[dict[str, str]]) -> int:
    table = ApiToken._meta.db_table
    return sum(s["sql"].lstrip().upper().startswith("SELECT") and table in s["sql"] for s in statements)  # fmt: skip


def _bearer() -> tuple[str, ApiToken]:
    user = User.objects.create_user("bench-profile@example.com", "x-Secret-123")
    return api_token_create(user=user)


def test_breakdown_sends_each_request_with_its_headers(catalog: None) -> None:
    raw, token = _bearer()
    anonymous = list_requests(n=3, seed=7)
    with CaptureQueriesContext(connection) as captured:
        breakdown(anonymous)
    assert _token_reads(captured.captured_queries) == 0

    with CaptureQueriesContext(connection) as captured:
        split = breakdown([replace(r, token=raw) for r in anonymous])

    # Warm-up and measured pass: the bearer token is read for every request of both.
    assert _token_reads(captured.captured_queries) == 2 * len(anonymous)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert split["total_median_s"] >= split["sql_median_s"] > 0


def test_profile_reports_the_requests_sent_with_their_headers(catalog: None) -> None:
    raw, token = _bearer()
    requests = [replace(r, token=raw) for r in list_requests(n=12, seed=7)]

    with CaptureQueriesContext(connection) as captured:
        text = profile(requests, top=5)

    # The first 10 to warm up, then the 12 profiled.
    assert _token_reads(captured.captured_queries) == 10 + 12
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert text.startswith("12 requests\n\n== by cumulative time ==\n")
    assert "\n== by own time ==\n" in text
    assert "function calls" in text


def test_generation_record_writes_the_figures_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "results" / "generate.json"

    assert generation_record(path, None) == {"skipped": True}
    assert not path.exists()

    written = generation_record(path, {"products": 120, "seconds": 1.25})

    assert written.pop("skipped") is False
    assert list(written) == ["products", "seconds", "at"]
    assert (written["products"], written["seconds"]) == (120, 1.25)
    assert written["at"].endswith("+00:00")
    assert json.loads(path.read_text()) == written
    assert generation_record(path, None) == {**written, "skipped": True}


def test_pricing_scenarios_are_none_without_the_pricing_data(catalog: None) -> None:
    from bench.scenarios import scenarios

    base = scenarios(n=4)
    assert pricing_scenarios(base, Options()) == ([], [])
    assert pricing_scenarios(base, Options(pricing=False)) == ([], [])
    assert [s.name for s in base] == ["product_list", "product_detail"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = 404 if self.path == "/missing" else 200
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def http_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_load_generator_stops_at_its_request_budget(http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    requests = [HttpRequest("/a"), HttpRequest("/b"), HttpRequest("/missing")]

    result = run_load(
        host="127.0.0.1",
        port=int(port),
        requests=requests,
        concurrency=3,
        duration=30,
        max_requests=30,
    )

    assert result.requests == 30
    assert result.errors == 10
    assert dict(result.statuses) == {200: 20, 404: 10}
    assert len(result.latencies) == 20
    assert result.requests_per_second > 0


def test_cpu_split_accounts_this_process_as_the_load_generator() -> None:
    before = snapshot()
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:  # burn a little CPU here
        pass
    split = cpu_split(before, snapshot(), workers=[])

    assert set(split) == {"workers", "postgres", "load_generator", "other", "idle"}
    assert split["workers"] == 0.0
    assert split["load_generator"] >= 0.02
    assert min(split.values()) >= 0.0


def test_percentile() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([], 50) == 0.0
    assert percentile([3.0], 95) == 3.0


def _result(*, queries: int, ratio: float, rps: float, rss: float) -> dict[str, Any]:
    sequential = {
        "server_median_s": 0.006,
        "raw_sql_median_s": 0.002,
        "ratio": ratio,
        "requests": 10,
        "errors": 0,
    }
    load = {"concurrency": 8, "requests_per_second": rps, "p50_s": 0.05, "p95_s": 0.09,
            "requests": 100, "errors": 0}  # fmt: skip
    return {
        "scenarios": {
            "product_list": {
                "queries": 2,
                "queries_cold_cache": queries,
                "queries_by_page_size": {"12": queries, "48": queries, "100": queries},
                "sequential": sequential,
                "load": load,
            },
            "product_detail": {
                "queries": 7,
                "queries_cold_cache": 7,
                "sequential": sequential,
                "load": load,
            },
        },
        "server": {"worker_rss_mb": rss, "worker_peak_rss_mb": rss},
        "generator": {"products": 100_000, "created": 100_000, "seconds": 60.0, "skipped": False},
    }


def test_report_lines_pass_and_fail_against_the_targets() -> None:
    good = {ln.figure: ln.verdict for ln in lines(_result(queries=4, ratio=2.5, rps=150, rss=90), Options())}  # fmt: skip
    bad = {ln.figure: ln.verdict for ln in lines(_result(queries=9, ratio=3.5, rps=80, rss=250), Options())}  # fmt: skip

    targeted = [
        "list: SQL queries per request (warm / cold cache)",
        "list: server / raw SQL",
        "list: requests/s (c=8, 2 workers)",
        "web worker RSS after the run (max)",
    ]
    assert [good[f] for f in targeted] == ["PASS"] * 4
    assert [bad[f] for f in targeted] == ["FAIL"] * 4
    assert good["generator: 100,000 products"] == "PASS"
    assert good["detail: SQL queries per request (warm / cold cache)"] == ""


def test_table_aligns_columns() -> None:
    text = table([Line("a", "1", "<= 2", True), Line("longer figure", "10")])
    assert text.splitlines() == [
        "figure         value  target  result",
        "-------------  -----  ------  ------",
        "a              1      <= 2    PASS",
        "longer figure  10",
    ]
