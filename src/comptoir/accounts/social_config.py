"""Social login providers from the environment -> django-allauth's `SOCIALACCOUNT_PROVIDERS`.

Read by the settings (no Django import beyond the exception), so every provider is configured
by environment variables and none needs a database `SocialApp` (docs/social-login.md):

    COMPTOIR_SOCIAL_PROVIDERS=google,apple,facebook,keycloak
    COMPTOIR_SOCIAL_<ID>_CLIENT_ID, COMPTOIR_SOCIAL_<ID>_SECRET      (all)
    COMPTOIR_SOCIAL_<ID>_KEY                                         (Apple: the team id)
    COMPTOIR_SOCIAL_<ID>_CERTIFICATE_KEY                             (Apple: the private key)
    COMPTOIR_SOCIAL_<ID>_SERVER_URL, COMPTOIR_SOCIAL_<ID>_NAME       (OpenID Connect)
    COMPTOIR_SOCIAL_<ID>_VERIFIED_EMAIL=true                         (trust the provider's emails)

`google`, `apple` and `facebook` are allauth's own providers; any other id is an OpenID Connect
provider (Keycloak, Microsoft Entra, Auth0, ...) found through `<SERVER_URL>/.well-known/
openid-configuration`. <ID> is the id in capitals, with `-` as `_`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

PREFIX = "COMPTOIR_SOCIAL_"
BUILT_IN = ("google", "apple", "facebook")
OIDC = "openid_connect"
_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_TRUE = {"1", "true", "yes", "on"}


def _var(environ: Mapping[str, str], provider_id: str, name: str) -> str:
    return environ.get(f"{PREFIX}{provider_id.upper().replace('-', '_')}_{name}", "").strip()


def _required(environ: Mapping[str, str], provider_id: str, name: str) -> str:
    value = _var(environ, provider_id, name)
    if not value:
        variable = f"{PREFIX}{provider_id.upper().replace('-', '_')}_{name}"
        raise ImproperlyConfigured(f"Social login provider {provider_id!r} needs {variable}.")
    return value


def provider_ids(environ: Mapping[str, str]) -> list[str]:
    """The ids listed in COMPTOIR_SOCIAL_PROVIDERS (comma-separated), in order, once each."""
    ids: list[str] = []
    for raw in environ.get(f"{PREFIX}PROVIDERS", "").split(","):
        provider_id = raw.strip().lower()
        if not provider_id or provider_id in ids:
            continue
        if not _ID.match(provider_id) or provider_id == OIDC:
            raise ImproperlyConfigured(
                f"COMPTOIR_SOCIAL_PROVIDERS: {raw.strip()!r} is not a provider id "
                "(lowercase letters, digits and '-')."
            )
        ids.append(provider_id)
    return ids


def socialaccount_providers(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """allauth's SOCIALACCOUNT_PROVIDERS with one `APPS` entry per configured provider."""
    providers: dict[str, dict[str, Any]] = {}
    for provider_id in provider_ids(environ):
        app: dict[str, Any] = {
            "client_id": _required(environ, provider_id, "CLIENT_ID"),
            "secret": _var(environ, provider_id, "SECRET"),
            "key": _var(environ, provider_id, "KEY"),
            "settings": {},
        }
        if _var(environ, provider_id, "VERIFIED_EMAIL").lower() in _TRUE:
            app["settings"]["verified_email"] = True
        if provider_id == "apple":
            app["settings"]["certificate_key"] = _required(environ, provider_id, "CERTIFICATE_KEY")
        if provider_id in BUILT_IN:
            providers[provider_id] = {"APPS": [app]}
            if provider_id == "google":
                providers[provider_id]["OAUTH_PKCE_ENABLED"] = True  # PKCE on top of the state
            continue
        app["provider_id"] = provider_id
        app["name"] = _var(environ, provider_id, "NAME") or provider_id.replace("-", " ").title()
        app["settings"]["server_url"] = _required(environ, provider_id, "SERVER_URL")
        # PKCE (RFC 7636) on top of the state: OpenID Connect servers accept it.
        oidc = providers.setdefault(OIDC, {"APPS": [], "OAUTH_PKCE_ENABLED": True})
        oidc["APPS"].append(app)
    return providers
