"""Development pages, served only with DEBUG on (404 otherwise): the mailbox of the emails
the file mail backend wrote (`/_dev/mail/`), so a demo user can read what the shop sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from comptoir.storefront.mailbox import mail_dir, mail_get, mail_list

_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)


def debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@debug_only
@require_safe
@never_cache
def mail_index(request: HttpRequest) -> HttpResponse:
    folder = mail_dir()
    context = {"messages_found": mail_list(), "folder": folder, "enabled": folder is not None}
    return render(request, "storefront/dev/mail_list.html", context)


@debug_only
@require_safe
@never_cache
def mail_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    mail = mail_get(message_id)
    if mail is None:
        raise Http404
    return render(
        request, "storefront/dev/mail_detail.html", {"mail": mail, "html": _framed(mail.html)}
    )


def _framed(html: str) -> str:
    """The HTML part with its links opening in a new tab, out of the sandboxed frame (the
    <base> goes in its <head>, so the document keeps its doctype and standards mode)."""
    if not html:
        return ""
    base = '<base target="_blank">'
    match = _HEAD.search(html)
    if match is None:
        return f"{base}{html}"
    return f"{html[: match.end()]}{base}{html[match.end() :]}"
