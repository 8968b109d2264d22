"""Shared pieces of the catalog API: staff access checks, price objects, page links."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from comptoir.accounts.auth import session_or_bearer
from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_get
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest, page_links

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


def price_out(money: Money | None, *, channel: Channel) -> dict[str, str | None] | None:
    """The price object of a base price, until taxes land.

    The amount is the one entered for the channel, as the channel displays prices: it is the
    gross of a tax-included (B2C) channel, the net of a tax-excluded (B2B) one. The other
    side and the tax are not known yet and are null, rather than a made-up zero tax. The
    rule is "base".
    """
    if money is None:
        return None
    amount = money.as_str()
    return {
        "net": None if channel.shows_gross else amount,
        "tax": None,
        "gross": amount if channel.shows_gross else None,
        "currency": money.currency,
        "rule": "base",
    }


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


def page_request(page: int | None, page_size: int | None) -> PageRequest:
    return PageRequest.parse(page, page_size)


def paginated(
    request: HttpRequest, page: PageRequest, count: int, results: list[Any]
) -> dict[str, Any]:
    query = {
        key: request.GET.getlist(key) for key in request.GET if key not in ("page", "page_size")
    }
    nxt, prev = page_links(path=request.path, query=query, request=page, count=count)
    return {"count": count, "next": nxt, "previous": prev, "results": results}


def reject_unknown_parameters(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        detail = _("Unknown query parameters: %(names)s.") % {"names": ", ".join(unknown)[:200]}
        raise InvalidInput(
            detail,
            code="UNKNOWN_PARAMETER",
            errors={name[:100]: [_("Unknown parameter.")] for name in unknown[:20]},
        )


def staff(request: HttpRequest, *permissions: str) -> User:
    """The authenticated caller if staff with `permissions`; PermissionDenied otherwise."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User) or not user.is_active or not user.is_staff:
        raise PermissionDenied(_("Staff only."), code="PERMISSION_DENIED")
    if not user.has_perms(permissions):
        raise PermissionDenied(
            _("Missing permission: %(perms)s") % {"perms": ", ".join(permissions)},
            code="PERMISSION_DENIED",
        )
    return user


def as_bad_reference(exc: NotFound, field: str) -> InvalidInput:
    """A reference in a request body to something unknown is bad input (400), not a 404."""
    return InvalidInput(exc.detail, code=exc.code, errors={field: [exc.detail]})


class EmptyOut(Schema):
    pass
