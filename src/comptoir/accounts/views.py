"""Account pages: login, logout, registration, password reset. Thin: forms parse, services
decide."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.accounts import selectors, services
from comptoir.accounts.auth import client_ip
from comptoir.accounts.forms import (
    LoginForm,
    PasswordResetRequestForm,
    RegisterForm,
    SetPasswordForm,
    add_domain_errors,
)
from comptoir.cart.web import merge_on_login
from comptoir.core.errors import InvalidInput, Throttled, Unauthorized
from comptoir.core.views import next_param

EMAIL_BACKEND_PATH = "comptoir.accounts.backends.EmailBackend"
RESET_SESSION_KEY = "_password_reset_token"
RESET_URL_TOKEN = "set-password"  # noqa: S105 - a URL placeholder, not a secret


def _safe_next(request: HttpRequest) -> str:
    return next_param(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                client_ip=client_ip(request),
            )
        except Throttled as exc:
            form.add_error(None, exc.detail)
            response = render(
                request,
                "accounts/login.html",
                {"form": form, "next": next_param(request)},
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except Unauthorized as exc:
            form.add_error(None, exc.detail)
        else:
            auth_login(request, user, backend=EMAIL_BACKEND_PATH)
            response = HttpResponseRedirect(_safe_next(request))
            merge_on_login(request, response, user)  # a visitor's cart joins the customer's
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/login.html", {"form": form, "next": next_param(request)}, status=status
    )


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            )
        except InvalidInput as exc:
            add_domain_errors(form, exc, fields={"password": "password1"})
        else:
            auth_login(request, user, backend=EMAIL_BACKEND_PATH)
            return HttpResponseRedirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_param(request)}
    return render(request, "accounts/register.html", context, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


def password_reset_done_view(request: HttpRequest) -> HttpResponse:
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    return render(request, "accounts/password_reset_done.html", {"password_reset_minutes": minutes})


@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """As Django's own view: the token moves from the URL to the session at once, so that it
    does not leak through the Referer header of the page's resources or links."""
    if token != RESET_URL_TOKEN:
        if selectors.password_reset_user(uidb64=uidb64, token=token) is not None:
            request.session[RESET_SESSION_KEY] = token
            return redirect(
                reverse(
                    "accounts:password_reset_confirm",
                    kwargs={"uidb64": uidb64, "token": RESET_URL_TOKEN},
                )
            )
        return render(request, "accounts/password_reset_confirm.html", {"validlink": False})

    session_token = request.session.get(RESET_SESSION_KEY, "")
    if selectors.password_reset_user(uidb64=uidb64, token=session_token) is None:
        return render(request, "accounts/password_reset_confirm.html", {"validlink": False})

    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                uidb64=uidb64, token=session_token, new_password=form.cleaned_data["new_password1"]
            )
        except InvalidInput as exc:
            add_domain_errors(form, exc, fields={"new_password": "new_password1"})
        else:
            del request.session[RESET_SESSION_KEY]
            return redirect("accounts:password_reset_complete")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/password_reset_confirm.html",
        {"validlink": True, "form": form},
        status=status,
    )


def password_reset_complete_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")
