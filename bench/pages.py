"""Storefront pages bench: server time and SQL queries of the home, category, search and
product pages at the bench catalogue's size, and the search engine's p95.

In-process (Django test client on the production settings, no network): what the server
spends per page, measured after a warm-up, next to the baseline of the cheapest page the
server answers (`/healthz`, one query) in the same run. Search p95 is measured twice: the
engine alone (`search.selectors.product_search`) and the whole search page.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import env
from bench.run import generate_step

TARGET_MEDIAN_MS = 50.0
TARGET_SEARCH_P95_MS = 100.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def search_terms(rng: random.Random, n: int) -> list[str]:
    """What shoppers type: a noun, a noun and a qualifier or brand, a prefix, a typo, in
    French and English."""
    from bench.vocabulary import BRANDS, CATEGORIES, QUALIFIERS  # models: after Django's setup

    nouns = [(leaf[2], leaf[3]) for _fr, _en, _type, leaves in CATEGORIES for leaf in leaves]
    terms = []
    for i in range(n):
        french, english = rng.choice(nouns)
        noun = french if i % 2 == 0 else english
        shape = i % 5
        if shape == 0:
            terms.append(noun)
        elif shape == 1:
            terms.append(f"{noun} {rng.choice(QUALIFIERS)}")
        elif shape == 2:
            terms.append(f"{noun} {rng.choice(BRANDS).split()[0]}")
        elif shape == 3:
            terms.append(noun[: max(3, len(noun) - 3)])  # as typed, unfinished
        else:
            at = rng.randrange(1, len(noun) - 1)
            terms.append(noun[:at] + noun[at + 1 :])  # a letter missing
    return terms


def _time(call: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_pages(*, products: int, sample: int, output: Path) -> int:
    env.configure(env.database_url())
    env.migrate()
    generate_step(products, False, pricing=False)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from comptoir.catalog.models import Category, ProductChannelListing
    from comptoir.channels.selectors import channel_for_buyer
    from comptoir.search.selectors import product_search

    rng = random.Random(5)
    channel = channel_for_buyer(code=None, business=False)
    slugs = list(
        ProductChannelListing.objects.filter(channel=channel, is_published=True)
        .order_by("?")
        .values_list("product__slug", flat=True)[:sample]
    )
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).values_list("slug", flat=True)
    )
    terms = search_terms(rng, sample)
    client = Client()

    def page(path: str) -> Callable[[], Any]:
        def get() -> Any:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
            return response

        return get

    scenarios: dict[str, list[str]] = {
        "healthz": ["/healthz"] * sample,
        "home": [reverse("storefront:home")] * sample,
        "category": [
            reverse("storefront:category", args=[rng.choice(categories)]) for _ in range(sample)
        ],
        "search": [f"{reverse('storefront:search')}?q={term}" for term in terms],
        "product": [reverse("storefront:product", args=[slug]) for slug in slugs],
    }
    results: dict[str, Any] = {}
    for name, paths in scenarios.items():
        for path in paths[: min(len(paths), 50)]:  # warm-up: process copies, caches
            page(path)()
        times = [t for path in paths for t in _time(page(path), 1)]  # each path once
        with CaptureQueriesContext(connection) as ctx:
            page(paths[0])()
        results[name] = {
            "requests": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "queries": len(ctx.captured_queries),
        }
    engine: list[float] = []
    for term in terms:
        started = time.perf_counter()
        product_search(channel=channel, language="fr", text=term)
        engine.append((time.perf_counter() - started) * 1000)
    results["search_engine"] = {
        "requests": len(engine),
        "median_ms": round(statistics.median(engine), 2),
        "p95_ms": round(_percentile(engine, 0.95), 2),
    }
    baseline = results["healthz"]["median_ms"]
    lines = [
        f"Storefront pages, {products:,} products, {sample} requests each "
        f"(in-process, production settings, {connection.vendor})",
        f"{'page':<15}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'x healthz':>11}  target",
    ]
    for name in ("home", "category", "search", "product"):
        r = results[name]
        verdict = "PASS" if r["median_ms"] <= TARGET_MEDIAN_MS else "FAIL"
        lines.append(
            f"{name:<15}{r['median_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['queries']:>9}"
            f"{r['median_ms'] / baseline:>11.1f}  median <= {TARGET_MEDIAN_MS:.0f} ms {verdict}"
        )
    r = results["healthz"]
    lines.append(
        f"{'healthz (base)':<15}{r['median_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['queries']:>9}"
    )
    for name in ("search", "search_engine"):
        r = results[name]
        verdict = "PASS" if r["p95_ms"] <= TARGET_SEARCH_P95_MS else "FAIL"
        lines.append(
            f"{name} p95: {r['p95_ms']:.1f} ms (median {r['median_ms']:.1f}), "
            f"target <= {TARGET_SEARCH_P95_MS:.0f} ms {verdict}"
        )
    print("\n".join(lines))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"products": products, "pages": results}, indent=2) + "\n")
    return 0
