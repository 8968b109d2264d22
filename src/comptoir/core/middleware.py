"""Middleware of our own. Kept tiny: anything with logic belongs in a service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, Resolver404, URLResolver, get_resolver
from django.utils import translation

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


@cache
def _localized_resolvers(urlconf: str) -> tuple[URLResolver, ...]:
    return tuple(
        pattern
        for pattern in get_resolver(urlconf).url_patterns
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern)
    )


class PathLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language of a page taken from its path only where
    the path is one of the localized pages (`i18n_patterns`: French at the root, English under
    /en/). Django's own middleware forces the default language on every unprefixed path, the
    API and the admin included; there the language is still negotiated from the cookie and
    Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        if self._localized(request):
            super().process_request(request)
            return
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    @staticmethod
    def _localized(request: HttpRequest) -> bool:
        path = request.path_info
        if translation.get_language_from_path(path):
            return True
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        with translation.override(settings.LANGUAGE_CODE):
            for resolver in _localized_resolvers(urlconf):
                try:
                    resolver.resolve(path.removeprefix("/"))  # as the root resolver passes it
                except Resolver404:
                    continue
                return True
        return False
