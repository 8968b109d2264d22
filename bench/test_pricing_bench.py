"""The pricing bench on a tiny catalog: its data generator, the company listing scenarios,
batch pricing and the report. No timing is asserted here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from bench.generate import generate
from bench.pricing import (
    batch_lines,
    batch_pricing,
    coverage,
    listing_scenarios,
    paired_pass,
    raw_company_product_list,
    raw_price_rows,
    versus_anonymous,
)
from bench.pricing_data import (
    BUYER_PASSWORD,
    KEY_ACCOUNTS,
    PROMOTION_CODE,
    TIERED_SHARE,
    generate_pricing,
    key_buyers,
    vat_number,
)
from bench.report import report_lines
from bench.run import Options, lines
from bench.scenarios import RawDb, count_queries, raw_product_list, scenarios
from bench.server import LoggedRequest
from comptoir.accounts.models import ApiToken, User
from comptoir.catalog.models import ProductVariant
from comptoir.companies.models import Company, CompanyMember, CustomerGroup
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.promotions.models import Promotion

pytestmark = pytest.mark.django_db

COMPANIES = 14


@pytest.fixture
def priced() -> None:
    generate(products=120, progress=False)
    generate_pricing(companies=COMPANIES, entries_per_list=30, progress=False)


def raw_db() -> RawDb:
    connection.ensure_connection()
    assert connection.connection is not None
    return RawDb(connection.connection.cursor(), connection.vendor)


def test_vat_numbers_are_valid_for_every_country() -> None:
    for country in ("FR", "BE", "DE", "IT", "NL"):
        numbers = {vat_number(country, n) for n in range(1, 300)}
        assert len(numbers) > 250, country
        assert all(eu_vat.is_valid(v) and v.startswith(country) for v in numbers), country
    assert vat_number("ES", 3) == ""


def test_generate_pricing_creates_companies_buyers_lists_and_a_promotion(priced: None) -> None:
    companies = Company.objects.filter(external_ref__startswith="bench-")
    assert companies.count() == COMPANIES
    assert CustomerGroup.objects.count() == 5
    for company in companies:
        if company.vat_number:
            assert eu_vat.is_valid(company.vat_number)
            assert company.vat_number.startswith(str(company.country))
        if company.country == "FR":
            assert fr_siren.is_valid(company.siren)
            assert fr_siret.is_valid(company.siret)
            assert company.siret.startswith(company.siren)
    assert companies.exclude(vat_number="").count() >= KEY_ACCOUNTS
    assert {str(c) for c in companies.values_list("country", flat=True)} >= {"FR", "BE", "DE"}
    assert companies.exclude(customer_group=None).exists()

    buyer = User.objects.get(email="bench-buyer-1@example.com")
    assert check_password(BUYER_PASSWORD, buyer.password)
    assert CompanyMember.objects.filter(user__email__startswith="bench-buyer-").count() == 14

    contracts = PriceList.objects.filter(company__isnull=False, channel__code="comptoir-pro")
    assert contracts.count() == COMPANIES
    assert PriceList.objects.filter(customer_group__isnull=False).count() == 5
    # The measured buyers' contracts price every variant of the (tiny) catalog's head.
    variants = ProductVariant.objects.count()
    first = contracts.get(code="bench-contract-0001")
    assert first.entries.count() == variants
    assert contracts.get(code=f"bench-contract-{KEY_ACCOUNTS + 1:04d}").entries.count() == 30
    entries = PriceListEntry.objects.all()
    tiered = entries.filter(tiers__isnull=False).distinct().count()
    assert 0.15 < tiered / entries.count() < 0.45  # about TIERED_SHARE
    assert TIERED_SHARE == 0.3
    assert PriceTier.objects.count() == 2 * tiered
    for tier in PriceTier.objects.select_related("entry")[:50]:
        assert Decimal("0.01") <= tier.unit_price <= tier.entry.unit_price

    promotion = Promotion.objects.get(code=PROMOTION_CODE)
    assert list(promotion.channels.values_list("code", flat=True)) == ["comptoir-pro"]
    (category,) = promotion.categories.all()
    assert category.parent_id is None
    assert not promotion.applies_to_all


def test_generate_pricing_skips_when_complete_and_rebuilds_otherwise(priced: None) -> None:
    ids = sorted(PriceListEntry.objects.values_list("id", flat=True))

    again = generate_pricing(companies=COMPANIES, entries_per_list=30, progress=False)
    assert again.skipped
    assert sorted(PriceListEntry.objects.values_list("id", flat=True)) == ids

    fewer = generate_pricing(companies=11, entries_per_list=30, progress=False)
    assert not fewer.skipped
    assert Company.objects.count() == 11
    assert User.objects.filter(email__startswith="bench-buyer-").count() == 11
    assert Promotion.objects.count() == 1

    # A catalog reset empties the entries and the promotion's targets: rebuilt.
    generate(products=120, reset=True, progress=False)
    rebuilt = generate_pricing(companies=11, entries_per_list=30, progress=False)
    assert not rebuilt.skipped
    assert rebuilt.counts["pricelistentry"] > 0
    assert Promotion.objects.get().categories.count() == 1


def test_company_listing_costs_at_most_three_pricing_queries_more(priced: None) -> None:
    buyers = key_buyers()
    assert len(buyers) == KEY_ACCOUNTS
    assert ApiToken.objects.count() == KEY_ACCOUNTS
    product_list = scenarios(n=12)[0]
    anonymous, company = listing_scenarios(product_list, buyers)

    assert [r.path for r in anonymous.requests] == [
        r.path for r in product_list.requests if r.channel == "comptoir-pro"
    ]
    assert [r.path for r in company.requests] == [r.path for r in anonymous.requests]
    assert len({r.token for r in company.requests}) > 1
    results: dict[str, Any] = {}
    for scenario in (anonymous, company):
        warm = count_queries(scenario.requests[0])
        cold = count_queries(scenario.requests[0], cold=True)
        assert (warm.status, cold.status) == (200, 200)
        results[scenario.name] = {
            "queries": warm.queries,
            "queries_cold_cache": cold.queries,
            "statements": warm.statements,
            "statements_cold_cache": cold.statements,
        }
    versus = versus_anonymous(results)
    assert versus["queries"]["authentication"] == 1
    # Warm: the page's variants; the buyer's company and lists are kept in the process.
    assert versus["queries"]["pricing"] == 1
    # Cold: + the membership and the price lists, and the shared catalogs' assignments (three
    # queries, once per process and version: comptoir.catalog.selectors.shared).
    assert versus["queries_cold_cache"]["pricing"] == 3 + 3


def test_company_listing_shows_contract_prices(priced: None) -> None:
    buyers = key_buyers(2)
    _anonymous, company = listing_scenarios(scenarios(n=8)[0], buyers)
    request = company.requests[0]
    body = Client().get(request.path, headers=request.headers).json()
    rules = {card["price"]["rule"].split(":")[0] for card in body["results"] if card["price"]}
    assert rules <= {"price_list", "tier", "promotion"}
    assert "base" not in rules
    visitor = Client().get(request.path).json()
    assert {c["price"]["rule"].split(":")[0] for c in visitor["results"] if c["price"]} <= {
        "base",
        "promotion",
    }


def test_raw_company_list_reads_the_page_lists_and_variants(priced: None) -> None:
    buyers = key_buyers(1)
    _anonymous, company = listing_scenarios(scenarios(n=6)[0], buyers)
    request = company.requests[0]
    page = raw_product_list(raw_db(), request)

    rows = raw_company_product_list(raw_db(), request)

    variants = ProductVariant.objects.filter(product_id__in=[r[0] for r in page])
    assert rows[: len(page)] == page
    variant_rows = [r for r in rows[len(page) :] if len(r) == 15]
    assert {r[0] for r in variant_rows} == set(variants.values_list("id", flat=True))
    list_ids = {r[0] for r in rows[len(page) :] if len(r) == 4}
    assert buyers[0].contract_id in list_ids
    assert {r[8] for r in variant_rows} <= {*list_ids, None}
    assert any(r[8] == buyers[0].contract_id for r in variant_rows)
    cover = coverage(raw_db(), company, buyers)
    assert cover["page_variants"] == cover["contract_entries"] > 0
    assert 0 < cover["with_tiers"] < cover["contract_entries"]


def test_batch_pricing_loads_prices_and_reads_the_raw_rows(priced: None) -> None:
    (buyer,) = key_buyers(1)
    picked = batch_lines(buyer, n=400)
    assert len(picked) == 400
    assert all(q >= 1 for _sku, q in picked)

    figures = batch_pricing(raw_db(), buyer, n=400, repeat=2)

    assert figures["lines"] == 400
    assert figures["load_queries"] == 1
    assert figures["promotions"] == [PROMOTION_CODE]
    assert sum(figures["rules"].values()) == 400
    assert {"price_list", "tier", "promotion"} <= set(figures["rules"])
    assert figures["rules"]["promotion"] < 400
    assert figures["lines_per_s"] > 0
    assert figures["raw_sql_lines_per_s"] > 0
    # One row per variant without tiers, one per tier otherwise: as the loader reads them.
    skus = {sku for sku, _q in picked}
    variants = ProductVariant.objects.filter(sku__in=skus)
    tiers = PriceTier.objects.filter(
        entry__variant__in=variants, entry__price_list_id__in=figures["price_lists"]
    ).count()
    tiered = (
        PriceListEntry.objects.filter(
            variant__in=variants, price_list_id__in=figures["price_lists"], tiers__isnull=False
        )
        .distinct()
        .count()
    )
    entries = PriceListEntry.objects.filter(
        variant__in=variants, price_list_id__in=figures["price_lists"]
    ).count()
    untiered_entries = entries - tiered
    without_entry = (
        variants.count()
        - variants.filter(price_list_entries__price_list_id__in=figures["price_lists"])
        .distinct()
        .count()
    )
    assert figures["raw_sql_rows"] == tiers + untiered_entries + without_entry


def test_raw_price_rows_of_unknown_skus_is_empty(priced: None) -> None:
    (buyer,) = key_buyers(1)
    from comptoir.channels.models import Channel
    from comptoir.pricing.selectors.context import pricing_context

    user = User.objects.get(pk=buyer.user_id)
    ctx = pricing_context(channel=Channel.objects.get(code="comptoir-pro"), user=user)
    assert raw_price_rows(raw_db(), ctx, ["NOPE"]) == 0


class _RecordingServer(ThreadingHTTPServer):
    """Records, for each request received in order, its path and whether it carried an
    Authorization header."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, bool]] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _RecordingServer)
        with server.lock:
            server.received.append((urlsplit(self.path).path, "Authorization" in self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return


class _FakeGunicorn:
    """A server whose "log" is what the recording server received, in order: 6 ms for a
    request with an Authorization header, 4 ms without. `mangle` alters the log read."""

    def __init__(
        self,
        server: _RecordingServer,
        mangle: Callable[[list[LoggedRequest]], list[LoggedRequest]] = list,
    ) -> None:
        self.host, self.port = "127.0.0.1", int(server.server_address[1])
        self.server = server
        self.mangle = mangle

    def log_position(self) -> int:
        with self.server.lock:
            return len(self.server.received)

    def logged_requests(self, start: int) -> list[LoggedRequest]:
        with self.server.lock:
            received = self.server.received[start:]
        return self.mangle(
            [LoggedRequest(200, 0.006 if auth else 0.004, path) for path, auth in received]
        )


@pytest.fixture
def http_server() -> Iterator[_RecordingServer]:
    server = _RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_paired_pass_splits_anonymous_and_buyer_times(
    priced: None, http_server: _RecordingServer
) -> None:
    anonymous, company = listing_scenarios(scenarios(n=40)[0], key_buyers(2))
    http_server.received.append(("/before", False))  # not part of the pass

    paired = paired_pass(_FakeGunicorn(http_server), anonymous, company, 10)

    sent = http_server.received[1:]
    assert [auth for _path, auth in sent] == [False, True] * 10
    assert [path for path, _auth in sent[0::2]] == [
        urlsplit(r.path).path for r in anonymous.requests[:10]
    ]
    assert paired["pairs"] == 10
    assert paired["errors"] == 0
    assert paired["anonymous_median_s"] == pytest.approx(0.004)
    assert paired["company_median_s"] == pytest.approx(0.006)
    assert paired["anonymous_p95_s"] == pytest.approx(0.004)
    assert paired["company_p95_s"] == pytest.approx(0.006)
    assert paired["ratio"] == pytest.approx(1.5)


def test_paired_pass_times_each_half_by_what_the_server_received(
    priced: None, http_server: _RecordingServer
) -> None:
    anonymous, company = listing_scenarios(scenarios(n=40)[0], key_buyers(2))

    swapped = paired_pass(_FakeGunicorn(http_server), company, anonymous, 10)

    assert [auth for _path, auth in http_server.received] == [True, False] * 10
    assert swapped["anonymous_median_s"] == pytest.approx(0.006)
    assert swapped["company_median_s"] == pytest.approx(0.004)
    assert swapped["ratio"] == pytest.approx(0.004 / 0.006)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda log: log[:-1], "19 requests in the access log, 20 sent"),
        (lambda log: [*log, log[0]], "21 requests in the access log, 20 sent"),
        (
            lambda log: [LoggedRequest(200, 0.001, "/healthz"), *log[1:]],
            "not the requests sent, in order",
        ),
    ],
    ids=["short", "long", "foreign-request"],
)
def test_paired_pass_refuses_a_log_that_is_not_the_requests_sent(
    priced: None,
    http_server: _RecordingServer,
    mangle: Callable[[list[LoggedRequest]], list[LoggedRequest]],
    message: str,
) -> None:
    anonymous, company = listing_scenarios(scenarios(n=40)[0], key_buyers(2))

    with pytest.raises(RuntimeError, match=message):
        paired_pass(_FakeGunicorn(http_server, mangle), anonymous, company, 10, log_timeout=0.2)

    assert len(http_server.received) == 20


def _result(*, pricing_queries: int, ratio: float, lines_per_s: float) -> dict[str, Any]:
    sequential = {"server_median_s": 0.006, "server_p95_s": 0.01, "raw_sql_median_s": 0.002,
                  "ratio": 3.0, "requests": 10, "errors": 0}  # fmt: skip
    load = {"concurrency": 8, "requests_per_second": 150.0, "p50_s": 0.05, "p95_s": 0.09,
            "requests": 100, "errors": 0}  # fmt: skip
    listing = {"sequential": sequential, "load": load, "queries_by_page_size": {"12": 5, "48": 5}}
    versus = {
        key: {
            "anonymous": 1,
            "company": 2 + pricing_queries,
            "extra": 1 + pricing_queries,
            "authentication": 1,
            "pricing": pricing_queries,
        }
        for key in ("queries", "queries_cold_cache")
    }
    return {
        "scenarios": {
            "product_list_pro": listing,
            "product_list_company": {
                **listing,
                "versus_anonymous": versus,
                "paired": {
                    "company_median_s": 0.006 * ratio,
                    "anonymous_median_s": 0.006,
                    "company_p95_s": 0.02,
                    "anonymous_p95_s": 0.01,
                    "ratio": ratio,
                },
                "coverage": {"page_variants": 100, "contract_entries": 100, "with_tiers": 30},
            },
            "batch_pricing": {
                "lines": 10_000,
                "load_queries": 12,
                "load_best_s": 0.1,
                "load_lines_per_s": 1e5,
                "raw_sql_best_s": 0.05,
                "raw_sql_lines_per_s": 2e5,
                "repeat": 5,
                "lines_per_s": lines_per_s,
                "load_and_price_lines_per_s": 4e4,
            },
        },
        "server": {"worker_rss_mb": 90.0, "worker_peak_rss_mb": 90.0},
        "generator": {"seconds": None, "pricing": {"seconds": 40.0, "companies": 1000}},
        "database": {"pricing_counts": {"pricelistentry": 2_000_000, "pricetier": 1_000_000}},
    }


def test_report_lines_pass_and_fail_against_the_pricing_targets() -> None:
    targeted = [
        "company list: extra queries for pricing (warm / cold; + token)",
        "company list: server time vs anonymous, same pages (paired, median)",
        "batch: priced once loaded (best of 5), vs raw SQL read",
    ]
    good = {ln.figure: ln for ln in report_lines(_result(pricing_queries=3, ratio=1.4, lines_per_s=6e4))}  # fmt: skip
    bad = {ln.figure: ln for ln in report_lines(_result(pricing_queries=4, ratio=1.6, lines_per_s=4e4))}  # fmt: skip

    assert [good[f].verdict for f in targeted] == ["PASS"] * 3
    assert [bad[f].verdict for f in targeted] == ["FAIL"] * 3
    assert good[targeted[0]].value == "+3 / +3 (+1 / +1)"
    assert good[targeted[2]].value == "60,000 lines/s, 0.30x"
    assert good["company list: page variants priced by the contract (with tiers)"].value == (
        "100% of 100 (30%)"
    )
    assert good["generator: pricing data"].value.startswith("40.0 s (1,000 companies")
    # The whole report carries them after the issue 2 figures.
    figures = [ln.figure for ln in lines(_result(pricing_queries=3, ratio=1.4, lines_per_s=6e4), Options())]  # fmt: skip
    assert targeted[0] in figures
    assert figures[-1] == "generator"


def test_pricing_scenarios_are_the_company_listings_by_name(priced: None) -> None:
    from bench.run import pricing_scenarios

    base = scenarios(n=8)
    listings, buyers = pricing_scenarios(base, Options())

    assert [s.name for s in listings] == ["product_list_pro", "product_list_company"]
    assert [s.name for s in base] == ["product_list", "product_detail"]  # left as it was
    assert len(buyers) == KEY_ACCOUNTS
    assert {r.token for r in listings[1].requests} <= {b.token for b in buyers}
    assert pricing_scenarios(base, Options(pricing=False)) == ([], [])


def test_key_buyers_replace_earlier_tokens(priced: None) -> None:
    first = key_buyers(3)
    second = key_buyers(3)
    assert ApiToken.objects.count() == 3
    assert {b.token for b in first}.isdisjoint({b.token for b in second})
