"""API authentication, for every router: bearer tokens (`POST /api/v1/auth/token`) and the
Django session of the bundled web pages.

- `bearer_auth`: bearer token only.
- `session_or_bearer`: a bearer token, or the session cookie (with Django's CSRF check on
  unsafe methods, as ninja's SessionAuth does). Use as `auth=session_or_bearer`.
- `optional_user(request)`: for public endpoints that adapt to the caller (prices): the user
  of the bearer token or the session, or None for an anonymous caller. A bearer token that is
  sent but invalid or expired is a 401, not an anonymous call: a client must learn that its
  token expired rather than silently get public prices.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_authenticate

_USER_ATTR = "_comptoir_api_user"


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `POST /api/v1/auth/token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
            setattr(request, _USER_ATTR, user)
        return user


bearer_auth = BearerAuth()
session_or_bearer: list[Any] = [bearer_auth, django_auth]


def bearer_token(request: HttpRequest) -> str | None:
    """The raw token of an `Authorization: Bearer ...` header, if any."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def optional_user(request: HttpRequest) -> User | None:
    """The authenticated caller (bearer token first, then session), or None if anonymous.
    Raises ninja's AuthenticationError (401 problem+json) for a bad bearer token."""
    cached = getattr(request, _USER_ATTR, None)
    if cached is not None:
        return cached
    if (raw := bearer_token(request)) is not None:
        user = api_token_authenticate(raw=raw)
        if user is None:
            raise AuthenticationError()
        setattr(request, _USER_ATTR, user)
        return user
    session_user = getattr(request, "user", None)
    if session_user is not None and session_user.is_authenticated:
        return session_user
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The address login throttling counts against: REMOTE_ADDR. Behind a reverse proxy,
    have the proxy/app server set it from the forwarded address (e.g. uvicorn
    --proxy-headers); X-Forwarded-For is not trusted here because anyone can send it."""
    return request.META.get("REMOTE_ADDR") or None
