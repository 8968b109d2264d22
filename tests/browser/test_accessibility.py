"""axe-core (from package-lock.json, injected by the test) on the main storefront pages at
phone and desktop widths: no serious or critical violation (WCAG 2.2 AA rules)."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page

from bench import chromium
from comptoir.catalog.models import Category, Product
from tests.browser.conftest import TIMEOUT_MS, product_in_stock, violations

LEA = ("lea@example.fr", "comptoir-demo")


def audit(page: Page, pages: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None
        assert response.ok, (name, url, response.status)
        page.wait_for_load_state("load")
        if problems := violations(page):
            found[name] = problems
    return found


def sign_in(page: Page) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("input[name=username], input[name=email]").first.fill(LEA[0])
    page.locator("input[type=password]").fill(LEA[1])
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("accounts:login") not in url)


def main_pages() -> tuple[dict[str, str], dict[str, str]]:
    """(pages of a visitor, pages of a signed-in customer with a cart)."""
    product = product_in_stock()
    category = Category.objects.filter(products__isnull=False).order_by("pk").first()
    assert category is not None
    visitor = {
        "home": reverse("storefront:home"),
        "category": reverse("storefront:category", args=[category.slug]),
        "search": reverse("storefront:search") + "?q=" + product.name.split()[0],
        "product": reverse("storefront:product", args=[product.slug]),
        "login": reverse("accounts:login"),
        "empty cart": reverse("storefront:cart"),
    }
    customer = {
        "cart": reverse("storefront:cart"),
        "checkout": reverse("storefront:checkout"),
        "account orders": reverse("storefront:account_orders"),
    }
    return visitor, customer


def add_to_cart(page: Page, product: Product) -> None:
    page.goto(reverse("storefront:product", args=[product.slug]))
    page.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier").click()
    page.get_by_role("dialog").get_by_role("link", name="Voir le panier").click()
    page.wait_for_url(f"**{reverse('storefront:cart')}")


def test_main_pages_have_no_serious_violations(
    browser: Browser, live_server: Any, demo_store: None
) -> None:
    visitor, customer = main_pages()
    found: dict[str, Any] = {}
    for label, options in [("phone", chromium.PHONE), ("desktop", chromium.DESKTOP)]:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        for name, problems in audit(page, visitor).items():
            found[f"{label} {name}"] = problems
        sign_in(page)
        add_to_cart(page, product_in_stock())
        for name, problems in audit(page, customer).items():
            found[f"{label} {name}"] = problems
        context.close()

    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
