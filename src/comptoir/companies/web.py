"""Assisted shopping in a browser session (docs/companies.md): which staff member is
shopping on behalf of the signed-in member. An interface module: it reads requests, for
the storefront's pages and the API's session callers, and hands the staff member to the
services (`checkout.services.checkout_place(placed_by_staff=...)`).

The session switch itself is django-hijack's: its `hijack_history` holds the staff member's
id while the browser is signed in as the member; `ASSISTED_SESSION_KEY` holds the
`AssistedSession` row recording it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comptoir.accounts.models import User
from comptoir.companies.models import AssistedSession

HIJACK_HISTORY_KEY = "hijack_history"  # django-hijack's own session key
ASSISTED_SESSION_KEY = "assisted_session_id"


def is_assisting(request: HttpRequest) -> bool:
    """Whether the browser is signed in as a member by a staff member (no query: the
    session is already loaded by the authentication)."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(HIJACK_HISTORY_KEY))


def assisted_session_id(request: HttpRequest) -> int | None:
    value = request.session.get(ASSISTED_SESSION_KEY) if is_assisting(request) else None
    return value if isinstance(value, int) else None


_UNREAD = object()


def assisted_session(request: HttpRequest) -> AssistedSession | None:
    """The open assisted session of this browser, with its staff member, member and company
    (one query, once per request: the banner and checkout both ask), or None when not
    assisting."""
    session_id = assisted_session_id(request)
    user_id = getattr(request.user, "pk", None)
    if session_id is None or user_id is None:
        return None
    cached = getattr(request, "_assisted_session", _UNREAD)
    if cached is _UNREAD or getattr(cached, "user_id", user_id) != user_id:
        cached = (
            AssistedSession.objects.select_related("staff", "user", "company")
            .filter(pk=session_id, ended_at__isnull=True, user_id=user_id)
            .first()
        )
        request._assisted_session = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def assisting_staff(request: HttpRequest, user: Any) -> User | None:
    """The staff member shopping on behalf of `user` in this browser session, or None: only
    when `user` is the session's signed-in user (a bearer-token caller is never taken for
    an assisted session). One query when assisting, none otherwise."""
    if not is_assisting(request) or user is None:
        return None
    if getattr(request.user, "pk", None) != getattr(user, "pk", None):
        return None
    session = assisted_session(request)
    return session.staff if session is not None else None
