"""A review is posted by a customer, moderated by staff in the admin, then shown to
visitors: three browser sessions against the live server."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from bench import chromium
from comptoir.catalog.models import Product
from comptoir.reviews.models import Review
from tests.browser.conftest import TIMEOUT_MS, product_in_stock


def _page(browser: Browser, live_server: Any) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **chromium.DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _sign_in(page: Page, path: str, email: str, password: str, user_field: str) -> None:
    page.goto(path)
    page.locator(f"input[name='{user_field}']").fill(email)
    page.locator("input[name='password']").fill(password)
    page.locator("input[name='password']").press("Enter")
    page.wait_for_load_state("load")


def test_a_review_is_posted_moderated_and_shown(
    browser: Browser, live_server: Any, demo_store: None
) -> None:
    product: Product = product_in_stock()
    Review.objects.filter(product=product).delete()  # a product without reviews yet
    product_path = reverse("storefront:product", args=[product.slug])

    lea = _page(browser, live_server)
    _sign_in(lea, reverse("accounts:login"), "lea@example.fr", "comptoir-demo", "email")
    lea.goto(product_path)
    form = lea.locator("#review-form form")
    form.locator("input[name='rating'][value='4']").check()
    form.locator("input[name='title']").fill("Solide et précise")
    form.locator("textarea[name='text']").fill("Je m'en sers tous les week-ends.")
    form.get_by_role("button", name="Publier mon avis").click()
    lea.wait_for_load_state("load")
    review = Review.objects.get(product=product)
    assert review.status == "pending"
    expect(lea.locator("main")).not_to_contain_text("Je m'en sers tous les week-ends.")

    staff = _page(browser, live_server)
    _sign_in(staff, reverse("admin:login"), "admin@comptoir.test", "comptoir-admin", "username")
    staff.goto(reverse("admin:reviews_review_changelist"))
    staff.locator(f"input[name='_selected_action'][value='{review.pk}']").check()
    staff.locator("select[name='action']").select_option("approve")
    staff.locator("button[name='index']").click()
    staff.wait_for_load_state("load")
    review.refresh_from_db()
    assert review.status == "approved"

    visitor = _page(browser, live_server)
    visitor.goto(product_path)
    reviews = visitor.locator("#reviews")
    expect(reviews).to_contain_text("Solide et précise")
    expect(reviews).to_contain_text("Je m'en sers tous les week-ends.")
