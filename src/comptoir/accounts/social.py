"""django-allauth adapters: social login only (docs/social-login.md).

Email login, registration and passwords stay ours (comptoir.accounts.views); allauth runs the
OAuth 2 / OpenID Connect dance with the providers of `SOCIALACCOUNT_PROVIDERS` (built from
the environment by comptoir.accounts.social_config) and these adapters decide who gets in:

- a new social account signs up only with an email address the provider verified, which
  becomes the email of our `accounts.User`;
- an email that already belongs to an account is never joined automatically (whoever
  controls the provider account would get the shop account): its owner logs in with the
  password, then connects the provider from the account page;
- after a social login the visitor's cart joins the customer's, as after an email login,
  and the user lands on `next` (this site only) or where a normal login lands.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.accounts.services import email_normalize
from comptoir.cart.web import merge_on_login
from comptoir.core.text import text_storable
from comptoir.core.validation import storable
from comptoir.core.views import same_site_url

ERROR_TEMPLATE = "accounts/social_error.html"


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account side, used only by the social flows."""

    def is_safe_url(self, url: str | None) -> bool:
        # As our login's `next`: this site only, not every host of ALLOWED_HOSTS.
        return same_site_url(allauth_context.request, url)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        response = super().post_login(request, user, **kwargs)
        merge_on_login(request, response, user)  # a visitor's cart joins the customer's
        return response


def _error_page(
    request: HttpRequest, *, title: str, message: str, status: int, login_next: str = ""
) -> HttpResponse:
    context = {"title": title, "message": message, "login_next": login_next}
    return render(request, ERROR_TEMPLATE, context, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Providers come from the settings only: no `SocialApp` rows, no query."""
        apps = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for provider_apps in apps.values() for app in provider_apps]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Before allauth logs in or signs up: refuse a signup without a verified email, or
        with the email of an existing account (see the module's docstring)."""
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        provider = sociallogin.provider.name
        email = next((a.email for a in sociallogin.email_addresses if a.verified), "")
        if not email:
            raise ImmediateHttpResponse(
                _error_page(
                    request,
                    title=_("No verified email address"),
                    message=_(
                        "%(provider)s did not give us an email address it has verified, so we "
                        "cannot create your account with it. Create an account with your email "
                        "address instead."
                    )
                    % {"provider": provider},
                    status=403,
                )
            )
        if User.objects.filter(email__iexact=email).exists():
            raise ImmediateHttpResponse(
                _error_page(
                    request,
                    title=_("You already have an account"),
                    message=_(
                        "An account already uses the address %(email)s. Log in with its "
                        "password (or reset it), then connect %(provider)s on the "
                        "“Sign-in services” page of your account."
                    )
                    % {"email": email, "provider": provider},
                    status=409,
                    login_next=reverse("socialaccount_connections"),
                )
            )
        sociallogin.user.email = email_normalize(email)

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> Any:
        user = super().populate_user(request, sociallogin, data)
        # What the provider says (SocialAccount.extra_data, JSON) is kept only when a column
        # can hold all of it; called before the account is looked up and saved.
        if not storable(sociallogin.account.extra_data):
            sociallogin.account.extra_data = {}
        # Names come from the provider: kept only when a column can hold them.
        for field in ("first_name", "last_name"):
            value = getattr(user, field, "") or ""
            limit = 150  # User.first_name and last_name
            setattr(user, field, value[:limit] if text_storable(value) else "")
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        if language in dict(settings.LANGUAGES):
            user.language = language
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        """The new account; a signup that loses a race for its email (two first logins at
        once) gets the "you already have an account" page, not a 500."""
        try:
            with transaction.atomic():
                return super().save_user(request, sociallogin, form)
        except IntegrityError:
            raise ImmediateHttpResponse(
                _error_page(
                    request,
                    title=_("You already have an account"),
                    message=_(
                        "An account already uses this email address. Log in with its password "
                        "(or reset it), then connect the service on the “Sign-in services” "
                        "page of your account."
                    ),
                    status=409,
                    login_next=reverse("socialaccount_connections"),
                )
            ) from None

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """A cancelled or failed sign-in (provider error, bad or replayed state): a clear
        page, 400, with the way back to the login page."""
        if error == AuthError.CANCELLED:
            message = _("You cancelled signing in with %(provider)s.")
        else:
            message = _(
                "Signing in with %(provider)s failed or has expired. Please try again, or log "
                "in with your email address."
            )
        raise ImmediateHttpResponse(
            _error_page(
                request,
                title=_("Sign-in not completed"),
                message=message % {"provider": provider.name},
                status=400,
            )
        )
