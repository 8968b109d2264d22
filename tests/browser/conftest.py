"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server
(docs/browser-tests.md). Every test here is marked `browser`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bench import chromium
from comptoir.catalog.models import Product
from comptoir.inventory.models import Stock

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the tests
# (fixtures, assertions on the database) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Generous for a 2-core machine shared with other runs, but every wait is on an element,
# a URL or a network state, never a sleep.
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    try:
        browser = chromium.launch(playwright)
    except chromium.BrowserMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _served_media(settings: Any) -> None:
    """The live server serves uploaded media (pictures, 3D models) as `make demo` does."""
    settings.ROOT_URLCONF = "bench.web_urls"


@pytest.fixture
def demo_store(transactional_db: None) -> None:
    """A small demo store (`comptoir demo --products 12`): channels, accounts (Léa),
    pictures, stock, shipping methods."""
    call_command("demo", products=12, verbosity=0)


@pytest.fixture
def b2b_demo(transactional_db: None) -> None:
    """The small demo store with its B2B side (Atelier Martin, Bois & Co: roles, approval
    rule, terms and credit, invoiced orders, library). The payment terms are seeded by a
    migration that earlier transactional tests flushed: seeded again first."""
    from comptoir.invoicing.tests.factories import terms_seed

    terms_seed()
    call_command("demo", products=12, verbosity=0)


def _context(browser: Browser, live_server: Any, options: dict[str, Any]) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = _context(browser, live_server, chromium.PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = _context(browser, live_server, chromium.DESKTOP)
    yield context.new_page()
    context.close()


def product_in_stock() -> Product:
    """A demo product with one variant, in stock in the first warehouse."""
    in_stock = Stock.objects.filter(quantity__gt=5).values("variant__product")
    product = (
        Product.objects.filter(pk__in=in_stock)
        .filter(variants__isnull=False)
        .order_by("pk")
        .first()
    )
    assert product is not None, "the demo has no product in stock"
    return product


# The rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


@cache
def axe_js() -> str:
    return chromium.axe_source()


def violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations of the page as it is now. axe is evaluated through
    the DevTools protocol, which the page's Content-Security-Policy does not block."""
    page.evaluate(axe_js())
    return list(page.evaluate(RUN_AXE, TAGS))
