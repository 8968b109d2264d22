"""Social login URLs (django-allauth), mounted under `accounts/social/` in both languages.

Only what social login needs: the providers' login and callback URLs
(`<provider>/login/`, `<provider>/login/callback/`, `oidc/<id>/login/...`), the connections
page and allauth's own error pages. The names allauth reverses for its account views
(`account_login`, `account_signup`) lead to our login and registration pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account import views as account_views
from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.models import SocialApp
from allauth.urls import build_provider_urlpatterns
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView
from requests import RequestException

from comptoir.accounts import views_social


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A provider that is not configured is a 404; a provider that cannot be reached (an
    OpenID Connect discovery document, say) is a clear 502 page, never a 500."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist as exc:
            raise Http404 from exc
        except RequestException:
            return views_social.provider_unreachable(request)

    return wrapper


def _guard(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _guarded(pattern.callback)
        else:
            _guard(pattern.url_patterns)
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_social.connections, name="socialaccount_connections"),
    path(
        "login/cancelled/",
        socialaccount_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("login/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    path("signup/", socialaccount_views.signup, name="socialaccount_signup"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path(
        "to/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="account_login",
    ),
    path(
        "to/register/",
        RedirectView.as_view(pattern_name="accounts:register", query_string=True),
        name="account_signup",
    ),
    *_guard(build_provider_urlpatterns()),
]
