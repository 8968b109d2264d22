"""Project-wide views: the health check and the error handlers (config/urls.py).

Errors Django answers itself (a disallowed Host header, an exception in a middleware, a
body it cannot parse before the API runs) go through handler400/403/404/500. Under /api/
they are problem+json like every other API error; elsewhere they are the usual pages (the
storefront's templates/404.html and 500.html)."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views import i18n as django_i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from comptoir.core.errors import problem

API_PREFIX = "/api/"
PROBLEM_JSON = "application/problem+json"


def same_site_url(request: HttpRequest, url: str | None) -> bool:
    """Whether `url` leads to this site (the request's own host, HTTPS kept): what a `next`
    parameter may send a visitor to."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_param(request: HttpRequest) -> str:
    """The `next` parameter (form, then query string) if it is a URL of this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if same_site_url(request, candidate) else ""


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _problem(status: int, code: str, title: str, detail: str) -> HttpResponse:
    return HttpResponse(
        json.dumps(problem(status, code, title, detail)), status=status, content_type=PROBLEM_JSON
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _problem(400, "BAD_REQUEST", "Bad request", "Bad request.")
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _problem(
            403,
            "PERMISSION_DENIED",
            "Permission denied",
            "You do not have permission to do this.",
        )
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _problem(404, "NOT_FOUND", "Not found", "No such API endpoint.")
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _problem(
            500,
            "INTERNAL_ERROR",
            "Internal server error",
            "An unexpected error occurred. It has been logged.",
        )
    return defaults.server_error(request)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which sends the visitor to the `next` page in the chosen
    language. Django translates `next` by resolving it in the active language, which is the
    negotiated one here (this URL has no language prefix): resolve it in the page's own
    language instead, so `/en/p/x/` switched to French gives `/p/x/`."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    page_language = translation.get_language_from_path(next_url) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        return django_i18n.set_language(request)
