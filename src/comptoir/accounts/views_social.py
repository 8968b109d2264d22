"""Account pages of social login: the connected sign-in services, and a provider that cannot
be reached. The OAuth views themselves are django-allauth's (comptoir.accounts.social_urls)."""

from __future__ import annotations

from typing import cast

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.forms import DisconnectForm
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from comptoir.accounts.models import User
from comptoir.accounts.social import ERROR_TEMPLATE


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def connections(request: HttpRequest) -> HttpResponse:
    """The customer's connected providers, each with a Disconnect button (refused for the
    last one of an account without a usable password), and buttons to connect the others."""
    form = DisconnectForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()  # allauth adds the "disconnected" message
            return redirect("socialaccount_connections")
        status = 400
    providers = get_adapter().list_providers(request)
    names = {provider.sub_id: provider.name for provider in providers}
    accounts = [
        {"pk": account.pk, "name": names.get(account.provider, account.provider.title())}
        for account in form.accounts.order_by("pk")
    ]
    connected = {account.provider for account in form.accounts}
    context = {
        "form": form,
        "accounts": accounts,
        "connectable": [p for p in providers if p.sub_id not in connected],
        "has_password": cast(User, request.user).has_usable_password(),
        "current_page": "social",
    }
    response = render(request, "accounts/social_connections.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def provider_unreachable(request: HttpRequest) -> HttpResponse:
    context = {
        "title": _("Sign-in service unavailable"),
        "message": _(
            "We could not reach this sign-in service. Please try again in a moment, or log in "
            "with your email address."
        ),
    }
    return render(request, ERROR_TEMPLATE, context, status=502)
