"""Social login through django-allauth (docs/social-login.md), with the real allauth: buttons,
the redirect to the provider, errors, and whole OpenID Connect sign-ins against a provider
served on 127.0.0.1 by `http.server` (discovery document, token and userinfo endpoints)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, cast
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from comptoir.accounts.models import User
from comptoir.accounts.social_config import socialaccount_providers
from comptoir.accounts.tests.factories import UserFactory
from comptoir.core.testing import in_language

pytestmark = pytest.mark.django_db

GOOGLE_LOGIN = "/accounts/social/google/login/"
OIDC_LOGIN = "/accounts/social/oidc/atelier-id/login/"
OIDC_CALLBACK = "/accounts/social/oidc/atelier-id/login/callback/"
CONNECTIONS = "/accounts/social/"


class FakeProvider(BaseHTTPRequestHandler):
    """An OpenID Connect provider: discovery, token and userinfo endpoints."""

    claims: ClassVar[dict[str, Any]] = {}
    token_requests: ClassVar[list[dict[str, list[str]]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{cast(ThreadingHTTPServer, self.server).server_port}"
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        elif self.path == "/userinfo" and self.headers["Authorization"] == "Bearer at-1":
            self._json(self.claims)
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        if self.path != "/token":
            self.send_error(404)
            return
        type(self).token_requests.append(form)
        self._json({"access_token": "at-1", "token_type": "Bearer", "expires_in": 300})


@pytest.fixture
def oidc_server() -> Iterator[str]:
    FakeProvider.claims = {
        "sub": "atelier-42",
        "email": "Marc.Dupont@Example.fr",
        "email_verified": True,
        "given_name": "Marc",
        "family_name": "Dupont",
    }
    FakeProvider.token_requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def configure(settings: SettingsWrapper, oidc_url: str = "http://127.0.0.1:9/") -> None:
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        {
            "COMPTOIR_SOCIAL_PROVIDERS": "google,atelier-id",
            "COMPTOIR_SOCIAL_GOOGLE_CLIENT_ID": "google-client.apps.example",
            "COMPTOIR_SOCIAL_GOOGLE_SECRET": "google-secret",
            "COMPTOIR_SOCIAL_ATELIER_ID_CLIENT_ID": "shop-client",
            "COMPTOIR_SOCIAL_ATELIER_ID_SECRET": "shop-secret",
            "COMPTOIR_SOCIAL_ATELIER_ID_NAME": "Atelier ID",
            "COMPTOIR_SOCIAL_ATELIER_ID_SERVER_URL": oidc_url,
        }
    )


@pytest.fixture
def providers(settings: SettingsWrapper, oidc_server: str) -> str:
    configure(settings, oidc_server)
    return oidc_server


def start(client: Client, login_url: str, **params: str) -> dict[str, list[str]]:
    """POST to a provider's login URL; the query of the provider's authorization URL."""
    response = client.post(login_url, params)
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


def sign_in(client: Client, language: str = "fr", **params: str) -> Any:
    """A whole sign-in with the OpenID Connect provider: the provider answers with a code."""
    query = start(client, in_language(OIDC_LOGIN, language), **params)
    callback = in_language(OIDC_CALLBACK, language)
    return client.get(callback, {"code": "code-1", "state": query["state"][0]})


# --- buttons ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["accounts:login", "accounts:register"])
def test_no_provider_configured_no_button(client: Client, page: str) -> None:
    for language in ("fr", "en"):
        html = client.get(in_language(reverse(page), language)).content.decode()
        assert "social-login" not in html
        assert "/accounts/social/" not in html


@pytest.mark.parametrize("page", ["accounts:login", "accounts:register"])
def test_buttons_for_configured_providers_in_both_languages(
    client: Client, settings: SettingsWrapper, page: str
) -> None:
    configure(settings)

    french = client.get(reverse(page), {"next": "/cart/"}).content.decode()
    english = client.get(in_language(reverse(page), "en"), {"next": "/cart/"}).content.decode()

    assert "Continuer avec Google" in french
    assert "Continuer avec Atelier ID" in french
    assert 'action="/accounts/social/google/login/?process=login&amp;next=%2Fcart%2F"' in french
    assert 'action="/accounts/social/oidc/atelier-id/login/?process=login&amp;next=' in french
    assert "Continue with Google" in english
    assert "Continue with Atelier ID" in english
    assert 'action="/en/accounts/social/google/login/?process=login&amp;next=%2Fcart%2F"' in english
    assert french.count('<form method="post" action="/accounts/social/') == 2
    assert french.index("avec Atelier ID") < french.index("avec Google")  # by name
    assert "Facebook" not in french  # installed, not configured
    assert "<script>" not in french  # no inline script (the CSP forbids them)


def test_an_unsafe_next_is_not_carried_to_the_provider(
    client: Client, settings: SettingsWrapper
) -> None:
    configure(settings)
    html = client.get(reverse("accounts:login"), {"next": "https://evil.example/"}).content.decode()
    actions = re.findall(r'action="([^"]*)"', html)
    assert any(action.startswith(GOOGLE_LOGIN) for action in actions)
    assert not [action for action in actions if "evil.example" in action]


# --- the redirect to the provider ---------------------------------------------------------


def test_post_redirects_to_google_with_the_localized_callback(
    client: Client, settings: SettingsWrapper
) -> None:
    configure(settings)

    for language, callback in [
        ("fr", "http://testserver/accounts/social/google/login/callback/"),
        ("en", "http://testserver/en/accounts/social/google/login/callback/"),
    ]:
        response = client.post(in_language(GOOGLE_LOGIN, language))

        assert response.status_code == 302
        url = urlsplit(response["Location"])
        assert (url.scheme, url.netloc, url.path) == (
            "https",
            "accounts.google.com",
            "/o/oauth2/v2/auth",
        )
        query = parse_qs(url.query)
        assert query["client_id"] == ["google-client.apps.example"]
        assert query["redirect_uri"] == [callback]
        assert query["response_type"] == ["code"]
        assert set(query["scope"][0].split()) == {"profile", "email"}
        assert len(query["state"][0]) >= 12
        assert query["code_challenge_method"] == ["S256"]


def test_the_provider_login_needs_the_csrf_token(settings: SettingsWrapper) -> None:
    configure(settings)
    client = Client(enforce_csrf_checks=True)
    assert client.post(GOOGLE_LOGIN).status_code == 403


def test_get_shows_a_confirmation_page_that_posts(
    client: Client, settings: SettingsWrapper
) -> None:
    configure(settings)

    response = client.get(GOOGLE_LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Continuer avec Google</h1>" in html
    assert '<form method="post">' in html
    assert "accounts.google.com" not in html


def test_the_openid_connect_provider_is_found_through_its_discovery_document(
    client: Client, providers: str
) -> None:
    query = start(client, in_language(OIDC_LOGIN, "en"))

    assert query["client_id"] == ["shop-client"]
    assert query["redirect_uri"] == [f"http://testserver/en{OIDC_CALLBACK}"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}
    assert query["state"][0]
    assert query["code_challenge_method"] == ["S256"]


@pytest.mark.parametrize(
    "url",
    [
        GOOGLE_LOGIN,
        "/accounts/social/google/login/callback/?code=x&state=y",
        "/accounts/social/facebook/login/",
        OIDC_LOGIN,
        "/en" + OIDC_CALLBACK + "?code=x&state=y",
    ],
)
def test_a_provider_not_configured_is_a_404(client: Client, url: str) -> None:
    assert client.post(url).status_code in (404, 405)
    assert client.get(url).status_code == 404


def test_an_unreachable_provider_is_a_502_page(client: Client, settings: SettingsWrapper) -> None:
    configure(settings, "http://127.0.0.1:9/")  # nothing listens on the discard port

    response = client.post(OIDC_LOGIN)

    assert response.status_code == 502
    assert "Service de connexion indisponible" in response.content.decode()


# --- the callback -------------------------------------------------------------------------


def test_a_refusal_at_the_provider_is_a_clear_page(
    client: Client, settings: SettingsWrapper
) -> None:
    configure(settings)
    query = start(client, GOOGLE_LOGIN)

    response = client.get(
        "/accounts/social/google/login/callback/",
        {"error": "access_denied", "state": query["state"][0]},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Vous avez annulé la connexion avec Google." in html
    assert not User.objects.exists()


@pytest.mark.parametrize("state", ["forged-state", ""])
def test_a_bad_state_is_a_clear_page(client: Client, providers: str, state: str) -> None:
    start(client, OIDC_LOGIN)

    response = client.get(OIDC_CALLBACK, {"code": "code-1", "state": state})

    assert response.status_code == 400
    assert "Connexion non aboutie" in response.content.decode()
    assert FakeProvider.token_requests == []  # no code was exchanged
    assert "_auth_user_id" not in client.session


def test_a_callback_without_a_login_started_is_a_clear_page(
    client: Client, settings: SettingsWrapper
) -> None:
    configure(settings)
    response = client.get("/en/accounts/social/google/login/callback/", {"code": "c", "state": "s"})
    assert response.status_code == 400
    assert "Sign-in not completed" in response.content.decode()


# --- whole sign-ins -----------------------------------------------------------------------


def test_a_social_signup_creates_our_user_and_lands_on_next(client: Client, providers: str) -> None:
    response = sign_in(client, "en", next="/en/cart/")

    assert response.status_code == 302
    assert response["Location"] == "/en/cart/"
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == (
        "marc.dupont@example.fr",
        "Marc",
        "Dupont",
    )
    assert user.language == "en"
    assert not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("atelier-id", "atelier-42")
    (token_request,) = FakeProvider.token_requests
    assert token_request["code"] == ["code-1"]
    assert token_request["client_id"] == ["shop-client"]
    assert token_request["redirect_uri"] == [f"http://testserver/en{OIDC_CALLBACK}"]
    assert token_request["code_verifier"][0]


def test_names_no_column_can_hold_are_left_out(client: Client, providers: str) -> None:
    FakeProvider.claims = {
        **FakeProvider.claims,
        "given_name": "Ma\x00rc",
        "family_name": "D" * 400,
    }

    response = sign_in(client)

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("", "D" * 150)
    # What the provider said cannot be stored whole: none of it is.
    assert SocialAccount.objects.get(user=user).extra_data == {}


def test_the_next_sign_in_logs_the_same_user_in(client: Client, providers: str) -> None:
    sign_in(client)
    client.post(reverse("accounts:logout"))

    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:home")  # as a normal login
    assert User.objects.count() == 1
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_an_unsafe_next_lands_where_a_login_lands(client: Client, providers: str) -> None:
    response = sign_in(client, next="https://evil.example/")
    assert response["Location"] == reverse("storefront:home")


def test_an_unverified_email_signs_nobody_up(client: Client, providers: str) -> None:
    FakeProvider.claims["email_verified"] = False

    response = sign_in(client)

    assert response.status_code == 403
    assert "Adresse e-mail non vérifiée" in response.content.decode()
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_email_of_an_existing_account_is_not_joined(client: Client, providers: str) -> None:
    owner = UserFactory.create(email="marc.dupont@example.fr")

    response = sign_in(client, "en")

    assert response.status_code == 409
    html = response.content.decode()
    assert "An account already uses the address marc.dupont@example.fr" in html
    assert "?next=/en/accounts/social/" in html.replace("%2F", "/")
    assert list(User.objects.all()) == [owner]
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


# --- connections (account page) -----------------------------------------------------------


def test_the_connections_page_needs_a_login(client: Client, settings: SettingsWrapper) -> None:
    configure(settings)
    response = client.get(CONNECTIONS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_connect_list_and_disconnect(client: Client, providers: str) -> None:
    owner = UserFactory.create(email="marc.dupont@example.fr")
    client.force_login(owner)
    html = client.get(CONNECTIONS).content.decode()
    assert "Associer Atelier ID" in html
    assert "Services de connexion" in client.get(reverse("storefront:account")).content.decode()

    query = start(client, OIDC_LOGIN, process="connect")
    response = client.get(OIDC_CALLBACK, {"code": "code-1", "state": query["state"][0]})

    assert response.status_code == 302
    account = SocialAccount.objects.get()
    assert account.user == owner
    html = client.get(CONNECTIONS).content.decode()
    assert "Dissocier Atelier ID" in html
    assert "Associer Atelier ID" not in html

    response = client.post(CONNECTIONS, {"account": account.pk})

    assert response.status_code == 302
    assert not SocialAccount.objects.exists()


def test_the_last_connection_of_an_account_without_password_stays(
    client: Client, providers: str
) -> None:
    sign_in(client)
    account = SocialAccount.objects.get()

    response = client.post(CONNECTIONS, {"account": account.pk})

    assert response.status_code == 400
    # allauth's own message, from allauth's French catalog
    assert "Vous devez d&#x27;abord définir le mot de passe" in response.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_another_customers_connection_cannot_be_removed(client: Client, providers: str) -> None:
    sign_in(client)
    account = SocialAccount.objects.get()
    client.force_login(UserFactory.create())

    response = client.post(CONNECTIONS, {"account": account.pk})

    assert response.status_code == 400
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_social_account_sets_a_password_then_disconnects(client: Client, providers: str) -> None:
    sign_in(client)
    user = User.objects.get()
    page = client.get(reverse("storefront:account_password")).content.decode()
    assert "<h1>Définir un mot de passe</h1>" in page
    assert 'name="old_password"' not in page
    new = "Zx9-long-enough-passphrase"

    response = client.post(
        reverse("storefront:account_password"), {"new_password1": new, "new_password2": new}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert (
        'name="old_password"' in client.get(reverse("storefront:account_password")).content.decode()
    )
    response = client.post(CONNECTIONS, {"account": SocialAccount.objects.get().pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
