"""A product with a 3D model: the product page shows it in <model-viewer> (served from
the static files, allowed by the Content-Security-Policy), which loads the demo's
generated GLB, offers AR, and keeps its box so nothing moves."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from bench import chromium
from comptoir.catalog.demo.media import cube_glb
from comptoir.catalog.models import Product
from comptoir.catalog.services import model_3d_set
from tests.browser.conftest import violations


def test_model_viewer_loads_the_generated_glb(phone: Page, demo_store: None) -> None:
    product = Product.objects.filter(images__isnull=False).order_by("pk").first()
    assert product is not None
    model_3d_set(product=product, file=cube_glb((0.3, 0.3, 0.3)), filename="model.glb")
    problems: list[str] = []
    phone.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    phone.on("pageerror", lambda error: problems.append(str(error)))
    scripts: list[str] = []
    phone.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)

    phone.goto(reverse("storefront:product", args=[product.slug]))
    viewer = phone.locator("model-viewer")
    viewer.scroll_into_view_if_needed()
    assert phone.evaluate(chromium.MODEL_VIEWER_LOADED) == "loaded"

    expect(viewer).to_have_attribute("ar", "")
    expect(viewer.locator("img[slot=poster]")).to_have_count(1)
    box = viewer.bounding_box()
    assert box is not None
    assert abs(box["width"] - box["height"]) < 1  # the square reserved before the script
    assert any(url.endswith("/static/storefront/vendor/model-viewer.min.js") for url in scripts)
    assert all(url.startswith(phone.url.split("/p/")[0]) for url in scripts)  # no CDN
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert not violations(phone)  # axe, with the viewer and its AR button


def test_pages_without_a_model_load_no_3d_script(phone: Page, demo_store: None) -> None:
    product = Product.objects.filter(model_3d="").order_by("pk").first()
    assert product is not None
    scripts: list[str] = []
    phone.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)

    phone.goto(reverse("storefront:product", args=[product.slug]))
    phone.wait_for_load_state("load")

    assert phone.locator("model-viewer").count() == 0
    assert not [url for url in scripts if "model-viewer" in url]
