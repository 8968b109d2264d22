"""The cart drawer and the variant selector, with JavaScript: adding opens the drawer as a
modal dialog (focus inside, Escape closes it, focus goes back), the header's link opens it,
axe finds nothing serious in it; choosing a variant changes its price and stock in place."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Page, expect

from comptoir.catalog.models import Product
from comptoir.inventory.models import Stock
from tests.browser.conftest import product_in_stock, violations


@pytest.mark.usefixtures("demo_store")
def test_adding_opens_the_drawer(desktop: Page) -> None:
    product = product_in_stock()
    desktop.goto(reverse("storefront:product", args=[product.slug]))
    add = desktop.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier")

    add.click()

    drawer = desktop.get_by_role("dialog", name="Ajouté à votre panier")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text(product.name)
    expect(drawer.get_by_role("button", name="Fermer")).to_be_focused()
    expect(desktop.locator("#cart-link .cart-count")).to_have_text("1")
    assert desktop.url.endswith(reverse("storefront:product", args=[product.slug]))
    assert violations(desktop) == []

    desktop.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(add).to_be_focused()

    # The header's cart link opens it again, with the line.
    desktop.locator("#cart-link").click()
    drawer = desktop.get_by_role("dialog", name="Votre panier")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text(product.name)
    drawer.get_by_role("button", name="Fermer").click()
    expect(drawer).to_have_count(0)


@pytest.mark.usefixtures("demo_store")
def test_a_refused_quantity_shows_in_place(phone: Page) -> None:
    product = product_in_stock()
    phone.goto(reverse("storefront:product", args=[product.slug]))
    phone.locator("#id_quantity").fill("100000")

    phone.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier").click()

    expect(phone.locator("#id_quantity_error")).to_be_visible()
    expect(phone.get_by_role("dialog")).to_have_count(0)
    assert phone.url.endswith(reverse("storefront:product", args=[product.slug]))


@pytest.mark.usefixtures("demo_store")
def test_choosing_a_variant_updates_its_price_and_stock(desktop: Page) -> None:
    stocked = Stock.objects.filter(quantity__gt=0).values("variant__product")
    product = (
        Product.objects.filter(pk__in=stocked)
        .annotate(n=Count("variants"))
        .filter(n__gte=2)
        .order_by("pk")
        .first()
    )
    assert product is not None, "the demo has no product with variants in stock"
    variants = list(product.variants.order_by("position", "id"))
    desktop.goto(reverse("storefront:product", args=[product.slug]))
    status = desktop.locator("#variant-status")
    first_text = status.inner_text()

    desktop.locator("#id_sku").select_option(variants[1].sku)

    expect(status).not_to_have_text(first_text)
    expect(status).to_contain_text(variants[1].name or variants[1].sku)
    assert desktop.url.endswith(reverse("storefront:product", args=[product.slug]))


@pytest.mark.usefixtures("demo_store")
def test_an_error_htmx_does_not_swap_shows_its_page(desktop: Page) -> None:
    product = product_in_stock()
    desktop.goto(reverse("storefront:product", args=[product.slug]))
    # A form whose CSRF token went stale (a new session in another tab, say).
    desktop.locator("form.add-to-cart input[name=csrfmiddlewaretoken]").evaluate(
        "input => { input.value = 'x'.repeat(64); }"
    )
    desktop.context.clear_cookies()

    desktop.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier").click()

    # Not swapped into the page: the form is posted the ordinary way and its page shown.
    desktop.wait_for_url(f"**{reverse('storefront:cart_add')}")
    expect(desktop.get_by_role("dialog")).to_have_count(0)
    assert "403" in desktop.content() or "CSRF" in desktop.content()
