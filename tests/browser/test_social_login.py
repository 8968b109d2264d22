"""Social login buttons in the browser (docs/social-login.md): no serious axe violation, 44 px
buttons, and a click POSTs to the provider's login URL without JavaScript's help."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from comptoir.accounts.social_config import socialaccount_providers
from comptoir.accounts.tests.factories import UserFactory
from tests.browser.conftest import violations

PASSWORD = "correct-horse-battery"  # UserFactory's


@pytest.fixture
def providers(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        {
            "COMPTOIR_SOCIAL_PROVIDERS": "google,atelier-id",
            "COMPTOIR_SOCIAL_GOOGLE_CLIENT_ID": "google-client",
            "COMPTOIR_SOCIAL_ATELIER_ID_CLIENT_ID": "shop-client",
            "COMPTOIR_SOCIAL_ATELIER_ID_NAME": "Atelier ID",
            "COMPTOIR_SOCIAL_ATELIER_ID_SERVER_URL": "http://127.0.0.1:9/",
        }
    )


def test_social_login_pages(phone: Page, providers: None, transactional_db: None) -> None:
    user = UserFactory.create()
    found: dict[str, Any] = {}
    for name, url in [
        ("login", reverse("accounts:login")),
        ("register en", "/en" + reverse("accounts:register")),
        ("confirmation", "/accounts/social/google/login/"),
    ]:
        response = phone.goto(url)
        assert response is not None
        assert response.ok, (name, response.status)
        if problems := violations(phone):
            found[name] = problems

    phone.goto(reverse("accounts:login"))
    buttons = phone.locator(".social-login button")
    assert buttons.all_inner_texts() == ["Continuer avec Atelier ID", "Continuer avec Google"]
    for box in [button.bounding_box() for button in buttons.all()]:
        assert box is not None
        assert box["height"] >= 44

    phone.locator("input[name=email]").fill(user.email)
    phone.locator("input[type=password]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url(lambda url: reverse("accounts:login") not in url)
    phone.goto("/accounts/social/")
    assert phone.locator("h1").inner_text() == "Services de connexion"
    if problems := violations(phone):
        found["connections"] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)

    # The button POSTs (no JavaScript involved): allauth answers with the provider's page.
    with phone.expect_request(lambda r: "accounts.google.com" in r.url) as request:
        phone.get_by_role("button", name="Associer Google").click()
    assert "client_id=google-client" in request.value.url
