"""A shopper buys on a phone (360 x 780, touch) and on a desktop (1280 x 800): finds a
product by search, filters and sorts the results, adds it to the cart, checks out as a guest with the
demo gateway's test card and sees the order confirmation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from comptoir.orders.models import Order
from tests.browser.conftest import product_in_stock

APPROVED_CARD = "4242 4242 4242 4242"
ADDRESS = {
    "first_name": "Camille",
    "last_name": "Martin",
    "street_address_1": "3 place Bellecour",
    "postal_code": "69002",
    "city": "Lyon",
}


def buy(page: Page, email: str) -> str:
    """The whole path, from the home page; returns the order number shown."""
    product = product_in_stock()
    page.goto(reverse("storefront:home"))
    search = page.get_by_role("searchbox")
    search.fill(product.name)
    search.press("Enter")
    page.wait_for_url(re.compile(re.escape(reverse("storefront:search")) + r"\?q="))
    results = page.locator("#product-grid")
    expect(results.get_by_role("link", name=product.name, exact=True)).to_be_visible()

    # A filter (here the price range) reloads the listing with it in the address.
    page.locator("details.facets summary").click()
    page.locator("#price_max").fill("100000")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(re.compile(r"price_max=100000"))
    expect(results.get_by_role("link", name=product.name, exact=True)).to_be_visible()

    # Sorting swaps the grid in place (htmx) and keeps the state in the address.
    page.locator("#sort").select_option("price")
    page.wait_for_url(re.compile(r"price_max=100000.*sort=price|sort=price.*price_max=100000"))
    link = page.locator("#product-grid").get_by_role("link", name=product.name, exact=True)
    link.click()
    page.wait_for_url(f"**{reverse('storefront:product', args=[product.slug])}")
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)

    # Adding opens the cart drawer (htmx) over the page, with the header's count updated.
    page.locator("form.add-to-cart").get_by_role("button", name="Ajouter au panier").click()
    drawer = page.get_by_role("dialog", name="Ajouté à votre panier")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text(product.name)
    expect(page.locator("#cart-link .cart-count")).to_have_text("1")
    drawer.get_by_role("link", name="Voir le panier").click()
    page.wait_for_url(f"**{reverse('storefront:cart')}")
    expect(page.locator("main")).to_contain_text(product.name)
    page.locator(f"main a[href='{reverse('storefront:checkout')}']").first.click()

    page.wait_for_url(f"**{reverse('storefront:checkout')}")
    page.locator("#id_email").fill(email)
    for field, value in ADDRESS.items():
        page.locator(f"#id_shipping-{field}").fill(value)
    page.locator("input[name=shipping_method]").first.check()
    page.locator("input[name=payment_method][value=test_card]").check()
    page.locator("#id_card_number").fill(APPROVED_CARD)
    page.locator("button[name=action][value=place]").click()

    page.wait_for_url(re.compile(r"/orders/[^/]+/$"))
    order = Order.objects.get(email=email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(order.number)
    expect(page.locator("main")).to_contain_text(product.name)
    return order.number


@pytest.mark.usefixtures("demo_store")
def test_a_shopper_buys_on_a_phone(phone: Page) -> None:
    number = buy(phone, "camille.phone@example.fr")

    # Nothing wider than the phone's screen: no sideways scrolling on the confirmation.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert Order.objects.get(number=number).lines.count() == 1


@pytest.mark.usefixtures("demo_store")
def test_a_shopper_buys_on_a_desktop(desktop: Page) -> None:
    number = buy(desktop, "camille.desktop@example.fr")

    assert Order.objects.get(number=number).lines.count() == 1
