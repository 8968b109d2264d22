"""Middleware of our own. Kept tiny: anything with logic belongs in a service."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from comptoir.core.errors import problem

API_PREFIX = "/api/"


class ApiMethodNotAllowedMiddleware:
    """Under /api/, turn Django's and django-ninja's plain-text 405 (HttpResponseNotAllowed,
    answered before any API exception handler runs) into problem+json METHOD_NOT_ALLOWED,
    keeping the `Allow` header. Other paths are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or not request.path_info.startswith(
            API_PREFIX
        ):
            return response
        allow = response["Allow"]
        body = problem(
            405,
            "METHOD_NOT_ALLOWED",
            "Method not allowed",
            f"{request.method} is not allowed here. Allowed: {allow}.",
        )
        converted = HttpResponse(
            json.dumps(body), status=405, content_type="application/problem+json"
        )
        converted["Allow"] = allow
        return converted
