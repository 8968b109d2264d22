"""COMPTOIR_SOCIAL_* environment variables -> allauth's SOCIALACCOUNT_PROVIDERS."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from comptoir.accounts.social_config import socialaccount_providers


def test_no_providers_configured_gives_none() -> None:
    assert socialaccount_providers({}) == {}
    assert socialaccount_providers({"COMPTOIR_SOCIAL_PROVIDERS": " , "}) == {}


def test_built_in_and_openid_connect_providers() -> None:
    environ = {
        "COMPTOIR_SOCIAL_PROVIDERS": "Google, facebook,my-idp,google",
        "COMPTOIR_SOCIAL_GOOGLE_CLIENT_ID": "g-id",
        "COMPTOIR_SOCIAL_GOOGLE_SECRET": "g-secret",
        "COMPTOIR_SOCIAL_FACEBOOK_CLIENT_ID": "fb-id",
        "COMPTOIR_SOCIAL_FACEBOOK_SECRET": "fb-secret",
        "COMPTOIR_SOCIAL_FACEBOOK_VERIFIED_EMAIL": "true",
        "COMPTOIR_SOCIAL_MY_IDP_CLIENT_ID": "oidc-id",
        "COMPTOIR_SOCIAL_MY_IDP_SECRET": "oidc-secret",
        "COMPTOIR_SOCIAL_MY_IDP_SERVER_URL": "https://id.example.org/realms/shop",
        "COMPTOIR_SOCIAL_MY_IDP_NAME": "Atelier ID",
    }

    providers = socialaccount_providers(environ)

    assert providers == {
        "google": {
            "APPS": [{"client_id": "g-id", "secret": "g-secret", "key": "", "settings": {}}],
            "OAUTH_PKCE_ENABLED": True,
        },
        "facebook": {
            "APPS": [
                {
                    "client_id": "fb-id",
                    "secret": "fb-secret",
                    "key": "",
                    "settings": {"verified_email": True},
                }
            ]
        },
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "my-idp",
                    "name": "Atelier ID",
                    "client_id": "oidc-id",
                    "secret": "oidc-secret",
                    "key": "",
                    "settings": {"server_url": "https://id.example.org/realms/shop"},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        },
    }


def test_apple_needs_its_private_key() -> None:
    environ = {
        "COMPTOIR_SOCIAL_PROVIDERS": "apple",
        "COMPTOIR_SOCIAL_APPLE_CLIENT_ID": "fr.comptoir.web",
        "COMPTOIR_SOCIAL_APPLE_SECRET": "KEYID1234",
        "COMPTOIR_SOCIAL_APPLE_KEY": "TEAMID5678",
    }
    with pytest.raises(ImproperlyConfigured, match="COMPTOIR_SOCIAL_APPLE_CERTIFICATE_KEY"):
        socialaccount_providers(environ)

    environ["COMPTOIR_SOCIAL_APPLE_CERTIFICATE_KEY"] = "-----BEGIN PRIVATE KEY-----\n..."
    (app,) = socialaccount_providers(environ)["apple"]["APPS"]
    assert app["key"] == "TEAMID5678"
    assert app["settings"] == {"certificate_key": "-----BEGIN PRIVATE KEY-----\n..."}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"COMPTOIR_SOCIAL_PROVIDERS": "google"}, "COMPTOIR_SOCIAL_GOOGLE_CLIENT_ID"),
        (
            {"COMPTOIR_SOCIAL_PROVIDERS": "corp", "COMPTOIR_SOCIAL_CORP_CLIENT_ID": "x"},
            "COMPTOIR_SOCIAL_CORP_SERVER_URL",
        ),
        ({"COMPTOIR_SOCIAL_PROVIDERS": "goo gle"}, "not a provider id"),
        ({"COMPTOIR_SOCIAL_PROVIDERS": "openid_connect"}, "not a provider id"),
    ],
)
def test_incomplete_configuration_stops_the_start(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        socialaccount_providers(environ)
