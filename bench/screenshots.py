"""`make screenshots`: full-page PNGs of the main storefront pages at phone (360 px) and
desktop (1280 px) widths, under var/screenshots/ (docs/browser-tests.md).

The pages come from the demo store (bench/storefront_site.py: its own SQLite database,
gunicorn on loopback) in Debian's Chromium driven by Playwright, in French: home, a
category, a product, a product with its 3D model, the cart drawer, the cart and the checkout of a guest with the product in the cart, and Léa's
orders (signed in).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import chromium
from bench.env import ROOT
from bench.storefront_site import SITE_DIR, demo_site, prepare

OUTPUT = ROOT / "var" / "screenshots"
PRODUCT_SKU = "PVS-0201"  # the README's 18 V drill driver
LEA = ("lea@example.fr", "comptoir-demo")


def pages() -> dict[str, str]:
    from django.urls import reverse

    from comptoir.catalog.models import Product, ProductVariant

    variant = ProductVariant.objects.select_related("product__category").get(sku=PRODUCT_SKU)
    product = variant.product
    category = product.category
    assert category is not None
    with_model = Product.objects.exclude(model_3d="").order_by("pk").first()
    assert with_model is not None, "the demo has no product with a 3D model"
    return {
        "home": reverse("storefront:home"),
        "category": reverse("storefront:category", args=[category.slug]),
        "product": reverse("storefront:product", args=[product.slug]),
        "product-3d": reverse("storefront:product", args=[with_model.slug]),
        "cart": reverse("storefront:cart"),
        "checkout": reverse("storefront:checkout"),
        "account-orders": reverse("storefront:account_orders"),
        "login": reverse("accounts:login"),
    }


def shoot(base_url: str, output: Path) -> list[Path]:
    from playwright.sync_api import Page, sync_playwright

    urls = pages()
    saved: list[Path] = []

    def save(page: Page, name: str, width_label: str) -> None:
        page.wait_for_load_state("networkidle")
        path = output / f"{name}-{width_label}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
        print(f"  {path.relative_to(ROOT)}", flush=True)

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        for label, options in [("phone", chromium.PHONE), ("desktop", chromium.DESKTOP)]:
            # A guest: browses, adds the drill to the cart, opens the checkout.
            guest = browser.new_context(base_url=base_url, locale="fr-FR", **options)
            page = guest.new_page()
            page.goto(urls["product-3d"])
            page.locator("model-viewer").scroll_into_view_if_needed()
            page.evaluate(chromium.MODEL_VIEWER_LOADED)
            page.evaluate("() => window.scrollTo(0, 0)")
            save(page, "product-3d", label)
            for name in ("home", "category", "product"):
                page.goto(urls[name])
                save(page, name, label)
            # Adding opens the cart drawer over the product page (htmx).
            page.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier").click()
            page.get_by_role("dialog").wait_for(state="visible")
            save(page, "cart-drawer", label)
            page.goto(urls["cart"])
            save(page, "cart", label)
            page.goto(urls["checkout"])
            save(page, "checkout", label)
            guest.close()
            # Léa, signed in: her orders, with the demo's shipped one.
            customer = browser.new_context(base_url=base_url, locale="fr-FR", **options)
            page = customer.new_page()
            page.goto(urls["login"])
            page.locator("input[type=email], input[name=username]").first.fill(LEA[0])
            page.locator("input[type=password]").fill(LEA[1])
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: urls["login"] not in url)
            page.goto(urls["account-orders"])
            save(page, "account-orders", label)
            customer.close()
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screenshots", description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder of the PNG files")
    parser.add_argument("--site-dir", type=Path, default=SITE_DIR, help="demo site's state")
    args = parser.parse_args(argv)
    try:
        chromium.executable()
    except chromium.BrowserMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    prepare(args.site_dir)
    args.output.mkdir(parents=True, exist_ok=True)
    with demo_site(args.site_dir) as url:
        print(f"Screenshots of {url}:", flush=True)
        saved = shoot(url, args.output)
    print(f"{len(saved)} screenshots in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
