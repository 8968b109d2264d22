"""The customer account pages: home with navigation, addresses (list, add, edit, delete,
default), profile (name, language), password change. Server-rendered forms (POST, then a
redirect with a message); another customer's address is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts import selectors as account_selectors
from comptoir.accounts import services as account_services
from comptoir.accounts.models import Address, User
from comptoir.accounts.services import ADDRESS_FIELDS
from comptoir.core.errors import DomainError, NotFound
from comptoir.orders import selectors as order_selectors
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.forms_account import (
    AddressBookForm,
    ProfileForm,
    StorePasswordChangeForm,
    StoreSetPasswordForm,
)
from comptoir.storefront.portal_dashboard import portal_dashboard
from comptoir.storefront.shop import current_channel
from comptoir.wishlists import selectors as wishlist_selectors

RECENT_ORDERS = 3


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the pages are login_required
    return user


def render_private(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A page of one customer's (or a secret link's): never stored, never indexed."""
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@contextmanager
def not_found_is_404() -> Iterator[None]:
    """A NotFound from a scoped selector or service (another customer's object) -> 404."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@login_required
@never_cache
@require_safe
def account_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orders = list(order_selectors.orders_for_customer(user=user)[:RECENT_ORDERS])
    addresses = list(account_selectors.address_list(user=user))
    default = next((a for a in addresses if a.is_default_shipping), None)
    wishlist = wishlist_selectors.wishlist_of(user=user)
    context = {
        "orders": orders,
        "default_address": default,
        "address_count": len(addresses),
        "wishlist_count": wishlist.items.count() if wishlist is not None else 0,
        "current_page": "account",
    }
    channel = current_channel(request)
    context |= portal_dashboard(request, user, currency=channel.currency if channel else "EUR")
    return render_private(request, "storefront/account/home.html", context)


@login_required
@never_cache
@require_safe
def account_addresses(request: HttpRequest) -> HttpResponse:
    addresses = list(account_selectors.address_list(user=_user(request)))
    context = {"addresses": addresses, "current_page": "addresses"}
    return render_private(request, "storefront/account/addresses.html", context)


def _address_form_page(
    request: HttpRequest, form: AddressBookForm, address: Address | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "address": address, "current_page": "addresses"}
    return render_private(request, "storefront/account/address_form.html", context, status=status)


def _address_form(request: HttpRequest, address: Address | None) -> HttpResponse:
    """The form of a new address (`address` None) or of one to change; saved through the
    accounts services, whose refusals are shown on the fields (status 400)."""
    if request.method != "POST":
        initial = {name: getattr(address, name) for name in ADDRESS_FIELDS} if address else None
        return _address_form_page(request, AddressBookForm(initial=initial), address)
    form = AddressBookForm(request.POST)
    if form.is_valid():
        user = _user(request)
        try:
            if address is None:
                account_services.address_create(user=user, **form.cleaned_data)
            else:
                account_services.address_update(
                    user=user, address_id=address.pk, **form.cleaned_data
                )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(
                request, _("Address added.") if address is None else _("Address saved.")
            )
            return redirect("storefront:account_addresses")
    return _address_form_page(request, form, address, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_address_add(request: HttpRequest) -> HttpResponse:
    return _address_form(request, None)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    with not_found_is_404():
        address = account_selectors.address_get(user=_user(request), address_id=address_id)
    return _address_form(request, address)


@login_required
@require_POST
def account_address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    with not_found_is_404():
        account_services.address_delete(user=_user(request), address_id=address_id)
    messages.success(request, _("Address deleted."))
    return redirect("storefront:account_addresses")


@login_required
@require_POST
def account_address_default(request: HttpRequest, address_id: int) -> HttpResponse:
    """Make the address the default for delivery (`kind=shipping`) or billing."""
    kind = request.POST.get("kind", "")
    if kind not in ("shipping", "billing"):
        messages.error(request, _("Choose delivery or billing."))
        return redirect("storefront:account_addresses")
    try:
        account_services.address_update(
            user=_user(request), address_id=address_id, **{f"is_default_{kind}": True}
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Default address changed."))
    return redirect("storefront:account_addresses")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    initial["language"] = user.language
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account_services.user_profile_update(user=user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("storefront:account_profile")
    context = {"form": form, "current_page": "profile"}
    return render_private(request, "storefront/account/profile.html", context, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_password(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # An account made through a social login has no password yet: it sets one, without the
    # current password (docs/social-login.md).
    has_password = user.has_usable_password()
    form_class = StorePasswordChangeForm if has_password else StoreSetPasswordForm
    form = form_class(user, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account_services.user_set_password(
                    user=user, password=form.cleaned_data["new_password1"]
                )
            except DomainError as exc:
                add_domain_errors(form, exc, fields={"password": "new_password2"})
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("storefront:account")
    context = {"form": form, "current_page": "password", "has_password": has_password}
    return render_private(request, "storefront/account/password.html", context, status=status)
