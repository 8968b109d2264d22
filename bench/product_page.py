"""Lighthouse-style figures of the product page on a phone (issue 5, "Targets"):

- LCP: the last `largest-contentful-paint` entry (PerformanceObserver), in ms from the
  start of the navigation;
- CLS: the sum of the `layout-shift` entries without recent input (the page is short, so
  the sum equals Lighthouse's largest session window or exceeds it);
- bytes before images: `transferSize` of the document and of every resource except images
  (Resource Timing; `encodedBodySize` when a resource reports no transfer size).

The page is loaded in Debian's Chromium (360 x 780, touch, device scale 2) from the demo
store served by gunicorn on loopback (bench/storefront_site.py), each run in a fresh
browser context (cold cache), without and then with a 4x CPU slowdown (what Lighthouse
applies to emulate a mid-range phone). Two products: the README's drill (pictures, no 3D
model) and the first product with a 3D model (<model-viewer> and its script). The model
itself loads lazily, when the shopper scrolls to it: LCP and bytes are taken before that,
CLS after the model has loaded.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench import chromium
from bench.env import RESULTS_DIR
from bench.report import Line, table

MAX_LCP_MS = 1500.0
MAX_CLS = 0.05
MAX_BYTES = 300 * 1024
RUNS = 5
CPU_SLOWDOWNS = (1, 4)

# Installed before any script of the page (DevTools protocol: not subject to the CSP).
COLLECT = """
window.__comptoirMetrics = {lcp: 0, lcpElement: "", cls: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__comptoirMetrics.lcp = entry.startTime;
    const el = entry.element;
    window.__comptoirMetrics.lcpElement = el ? el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") : "";
  }
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__comptoirMetrics.cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""
READ = """() => new Promise((resolve) => {
  // Two frames: the observers' buffered entries are delivered.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const size = (e) => e.transferSize || e.encodedBodySize || 0;
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const isImage = (e) => e.initiatorType === "img" || e.initiatorType === "image"
      || /\\.(jpe?g|png|webp|avif|gif|svg)(\\?|$)/i.test(e.name);
    const byType = {};
    for (const e of resources) {
      const kind = isImage(e) ? "image" : e.initiatorType;
      byType[kind] = (byType[kind] || 0) + size(e);
    }
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    resolve({
      ...window.__comptoirMetrics,
      ttfb: navigation.responseStart,
      fcp: paint ? paint.startTime : 0,
      document: size(navigation),
      nonImageBytes: size(navigation) + resources.filter((e) => !isImage(e)).reduce((n, e) => n + size(e), 0),
      imageBytes: resources.filter(isImage).reduce((n, e) => n + size(e), 0),
      byType,
    });
  }));
})"""


def product_urls() -> dict[str, str]:
    """The two measured pages (Django is set up on the demo site by the caller)."""
    from django.urls import reverse

    from comptoir.catalog.models import Product, ProductVariant

    drill = ProductVariant.objects.select_related("product").get(sku="PVS-0201").product
    with_model = Product.objects.exclude(model_3d="").order_by("pk").first()
    assert with_model is not None, "the demo has no product with a 3D model"
    return {
        "product": reverse("storefront:product", args=[drill.slug]),
        "product with 3D model": reverse("storefront:product", args=[with_model.slug]),
    }


def measure_page(browser: Any, url: str, *, slowdown: int, model: bool) -> dict[str, Any]:
    context = browser.new_context(**chromium.PHONE)
    try:
        context.add_init_script(script=COLLECT)
        page = context.new_page()
        if slowdown > 1:
            session = context.new_cdp_session(page)
            session.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        figures = dict(page.evaluate(READ))
        if model:  # lazy: the model loads when the shopper scrolls to it; shifts count too
            page.locator("model-viewer").scroll_into_view_if_needed()
            page.evaluate(chromium.MODEL_VIEWER_LOADED)
            after = page.evaluate(READ)
            figures["cls"] = after["cls"]
            figures["modelBytes"] = after["nonImageBytes"] - figures["nonImageBytes"]
        return figures
    finally:
        context.close()


def measure(base_url: str, runs: int = RUNS) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    pages = product_urls()  # before Playwright's event loop starts in this thread
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for name, path in pages.items():
                model = "3D" in name
                for slowdown in CPU_SLOWDOWNS:
                    url = base_url + path
                    measure_page(browser, url, slowdown=slowdown, model=model)  # warm-up
                    samples = [
                        measure_page(browser, url, slowdown=slowdown, model=model)
                        for _ in range(runs)
                    ]
                    results[f"{name}, CPU x{slowdown}"] = {
                        "url": path,
                        "cpu_slowdown": slowdown,
                        "lcp_ms": statistics.median(s["lcp"] for s in samples),
                        "lcp_element": samples[-1]["lcpElement"],
                        "ttfb_ms": statistics.median(s["ttfb"] for s in samples),
                        "fcp_ms": statistics.median(s["fcp"] for s in samples),
                        "cls": max(s["cls"] for s in samples),
                        "non_image_bytes": statistics.median(s["nonImageBytes"] for s in samples),
                        "image_bytes": statistics.median(s["imageBytes"] for s in samples),
                        "bytes_by_type": samples[-1]["byType"],
                        "samples": samples,
                    }
        finally:
            browser.close()
    return results


def lines(results: dict[str, Any]) -> list[Line]:
    out = []
    for name, r in results.items():
        out += [
            Line(
                f"{name}: LCP (median, {r['lcp_element'] or '?'})",
                f"{r['lcp_ms']:.0f} ms",
                f"< {MAX_LCP_MS:.0f} ms",
                r["lcp_ms"] < MAX_LCP_MS,
            ),
            Line(
                f"{name}: time to first byte | first contentful paint (medians)",
                f"{r['ttfb_ms']:.0f} | {r['fcp_ms']:.0f} ms",
            ),
            Line(f"{name}: CLS (worst run)", f"{r['cls']:.3f}", f"< {MAX_CLS}", r["cls"] < MAX_CLS),
            Line(
                f"{name}: bytes transferred, images excluded",
                f"{r['non_image_bytes'] / 1024:.0f} KB",
                f"< {MAX_BYTES // 1024} KB",
                r["non_image_bytes"] < MAX_BYTES,
            ),
            Line(f"{name}: image bytes", f"{r['image_bytes'] / 1024:.0f} KB"),
        ]
    return out


def run_product_page(output: Path | None = None, runs: int = RUNS) -> int:
    """`python -m bench product-page`: prepare the demo site, serve it, measure, print the
    table, write the JSON. In a process of its own: Django is set up on the demo site."""
    from bench.storefront_site import demo_site, prepare

    try:
        chromium.executable()
    except chromium.BrowserMissing as exc:
        print(exc)
        return 1
    prepare()
    with demo_site() as url:
        results = measure(url, runs)
    report = lines(results)
    output = output or RESULTS_DIR / "product_page.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    summary = [line.as_dict() for line in report]
    output.write_text(json.dumps({"pages": results, "summary": summary}, indent=2))
    print("\nProduct page on a phone (Chromium, loopback, demo store on SQLite):")
    print(table(report))
    print(f"\nWritten {output}")
    return 0
