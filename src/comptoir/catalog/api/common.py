"""Shared pieces of the catalog API: routers, channel and language of a request, price
objects; the staff plumbing of comptoir.core.staff_api, re-exported."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from comptoir.accounts.auth import session_or_bearer
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_get
from comptoir.core.errors import NotFound
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    reject_unknown_parameters,
    staff,
)

__all__ = [
    "EmptyOut",
    "admin_router",
    "as_bad_reference",
    "channel_of",
    "json_ok",
    "language_of",
    "page_request",
    "paginated",
    "patch_changes",
    "reject_unknown_parameters",
    "router",
    "staff",
]

router = Router(tags=["catalog"])
# Staff and integrations: a bearer token or the admin session, then Django permissions.
admin_router = Router(tags=["admin: catalog"], auth=session_or_bearer)

_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def language_of(request: HttpRequest) -> str:
    """The language LocaleMiddleware picked (Accept-Language, language cookie...)."""
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def channel_of(code: str | None) -> Channel:
    """The channel named by `?channel=`, or the default one; 404 CHANNEL_NOT_FOUND."""
    if code and not _CODE.match(code):
        raise NotFound(
            _("Unknown channel: %(code)s") % {"code": code[:50]}, code="CHANNEL_NOT_FOUND"
        )
    return channel_get(code=code or None)


def json_ok(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """A 200 response of `data`, rendered as the API renders any result, without ninja
    validating it against the operation's response schema first.

    For hot reads only, whose handler builds exactly the dict the schema describes (same
    keys, in the same order, JSON types): the schema still documents the response, and the
    tests validate responses against it. Validating 48 product cards again on every list
    request costs more than building them.
    """
    from comptoir.api import api  # here: comptoir.api imports this module

    return api.create_response(request, data, status=200)


class EmptyOut(Schema):
    pass
