"""The product gallery in a browser: the browser picks a modern rendition, thumbnails switch
the picture, and a picture opens in the zoom dialog (zoom toggle, next picture with the arrow
key) that Escape closes, focus going back to the picture; without JavaScript the picture is
a link to the full-size file."""

from __future__ import annotations

import re

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from comptoir.catalog.demo.media import tile_jpeg
from comptoir.catalog.models import Product
from comptoir.catalog.services import image_add
from tests.browser.conftest import TIMEOUT_MS, violations


def _product_with_two_pictures() -> Product:
    product = Product.objects.filter(images__isnull=False).order_by("pk").first()
    assert product is not None
    image_add(
        product=product,
        file=tile_jpeg("Dos", color="#2a6f97", shape="circle"),
        filename="dos.jpg",
        alt="Dos",
    )
    return product


def test_the_zoom_dialog_opens_and_closes_with_escape(desktop: Page, demo_store: None) -> None:
    product = _product_with_two_pictures()
    problems: list[str] = []
    desktop.on(  # the live server has no /favicon.ico: the browser's own request is no problem
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    desktop.on("pageerror", lambda error: problems.append(str(error)))
    desktop.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    url = reverse("storefront:product", args=[product.slug])

    desktop.goto(url)
    desktop.wait_for_load_state("load")  # the first picture is not lazy: the page waits for it
    main = desktop.locator(".gallery__item img").first
    expect(main).to_have_attribute("fetchpriority", "high")
    assert main.evaluate("img => img.complete && img.naturalWidth > 0")
    assert main.evaluate("img => img.currentSrc").endswith(".avif")

    # A thumbnail switches the picture in place (no jump to the #image-2 anchor).
    desktop.locator("[data-gallery-thumb='1']").click()
    expect(desktop.locator("[data-gallery-thumb='1']")).to_have_attribute("aria-current", "true")
    assert "#image" not in desktop.url

    opener = desktop.locator("[data-gallery-open='0']")
    opener.click()
    dialog = desktop.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-lightbox-close]")).to_be_focused()
    shown = dialog.locator("[data-lightbox-stage] img")
    expect(shown).to_have_attribute("alt", main.get_attribute("alt") or "")
    expect(dialog.locator("[data-lightbox-count]")).to_have_text("(1/2)")
    assert not violations(desktop)  # axe, with the dialog open

    zoom = dialog.locator("[data-lightbox-zoom]")
    zoom.click()
    expect(zoom).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator("[data-lightbox-stage]")).to_have_class(re.compile("is-zoomed"))
    shown.click()  # a click on the zoomed picture zooms out
    expect(zoom).to_have_attribute("aria-pressed", "false")
    desktop.keyboard.press("ArrowRight")
    expect(dialog.locator("[data-lightbox-count]")).to_have_text("(2/2)")
    expect(shown).to_have_attribute("alt", "Dos")

    desktop.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(desktop.locator("[data-gallery-open='1']")).to_be_focused()
    assert desktop.url.endswith(url)  # the full-size file was not opened
    assert not problems


def test_without_javascript_the_picture_links_to_the_full_size_file(
    browser: Browser, live_server: object, demo_store: None
) -> None:
    product = Product.objects.filter(images__isnull=False).order_by("pk").first()
    assert product is not None
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    page.goto(reverse("storefront:product", args=[product.slug]))
    link = page.locator("[data-gallery-open='0']")
    full = link.get_attribute("href")
    assert full is not None
    assert full.startswith("/media/products/")
    assert full.endswith(".jpg")
    link.click()

    page.wait_for_url(f"**{full}")
    context.close()
