"""The cart pages: add to cart (from the product page), the cart with its lines, coupons
and totals, quantity changes, save for later. Plain forms (POST, then a redirect), so
everything works without JavaScript; a refused change shows the page again with the error
on the field it concerns (status 400 or 409).

With JavaScript, htmx opens the cart drawer instead: the header's cart link asks for it
(`cart/drawer`), and adding to the cart answers it (with the header's cart link swapped out
of band) rather than redirecting; a refused addition answers the product page's add-to-cart
form with its errors, swapped in place (`HX-Retarget`)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from comptoir.cart import selectors as cart_selectors
from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartStatus
from comptoir.catalog.selectors.pictures import product_cover_pictures
from comptoir.companies.selectors import member_can
from comptoir.core.errors import DomainError
from comptoir.storefront.cart_display import ShownCart, shown_cart
from comptoir.storefront.context_processors import SESSION_CART_COUNT
from comptoir.storefront.forms import AddToCartForm, CouponForm, LineForm, add_domain_errors
from comptoir.storefront.shop import current_language
from comptoir.storefront.templatetags.storefront import babel_locale
from comptoir.storefront.views import product_page
from comptoir.storefront.web_cart import signed_in, web_cart, with_cart_cookie


def remember_count(request: HttpRequest, count: int) -> None:
    """Keep the cart's unit count for the header (see context_processors._cart_count)."""
    if request.session.get(SESSION_CART_COUNT) != count and (count or request.session.session_key):
        request.session[SESSION_CART_COUNT] = count


def cart_shown(request: HttpRequest, cart: Cart, *, pictures: bool = False) -> ShownCart:
    """The cart priced for its buyer, in the page's language, as the page shows it; with
    `pictures`, each line's product picture (one more query)."""
    language = current_language()
    view = cart_selectors.cart_view(cart=cart, user=signed_in(request), language=language)
    covers = (
        product_cover_pictures(product_ids=[line.product_id for line in view.lines + view.saved])
        if pictures
        else None
    )
    shown = shown_cart(view, locale=babel_locale(language), pictures=covers)
    remember_count(request, shown.count)
    return shown


def _cart_page(
    request: HttpRequest,
    *,
    status: int = 200,
    coupon_form: CouponForm | None = None,
    line_errors: dict[int, str] | None = None,
    error: str = "",
) -> HttpResponse:
    cart = web_cart(request)
    shown = cart_shown(request, cart, pictures=True) if cart is not None else None
    if shown is None:
        remember_count(request, 0)
    context: dict[str, Any] = {
        "cart": shown,
        "locked": cart is not None and cart.status == CartStatus.CHECKING_OUT,
        "coupon_form": coupon_form or CouponForm(),
        "line_errors": line_errors or {},
        "error": error,
        "current_page": "cart",
        # Called by the template for company buyers only (one query then).
        "can_request_quote": partial(member_can, request.user, "quotes.manage"),
    }
    response = render(request, "storefront/cart.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@with_cart_cookie
@require_http_methods(["GET", "HEAD"])
def cart(request: HttpRequest) -> HttpResponse:
    return _cart_page(request)


def _drawer(request: HttpRequest, *, added: bool = False) -> HttpResponse:
    cart = web_cart(request)
    shown = cart_shown(request, cart) if cart is not None else None
    if shown is None:
        remember_count(request, 0)
    context = {"cart": shown, "added": added, "oob": True}
    response = render(request, "storefront/includes/cart_drawer.html", context)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@with_cart_cookie
@require_http_methods(["GET", "HEAD"])
def cart_drawer(request: HttpRequest) -> HttpResponse:
    """The cart drawer (an htmx fragment); without htmx, the cart page."""
    if not getattr(request, "htmx", False):
        return redirect("storefront:cart")
    return _drawer(request)


@with_cart_cookie
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            cart = web_cart(request, create=True)
            if cart is None:
                raise DomainError(_("Nothing is sold here yet."))
            cart_services.line_add(
                cart=cart,
                sku=form.cleaned_data["sku"],
                quantity=form.cleaned_data["quantity"],
                user=signed_in(request),
            )
        except DomainError as exc:
            # Stock problems are keyed by SKU: they concern the quantity asked.
            add_domain_errors(form, exc, fields={form.cleaned_data["sku"]: "quantity"})
            status = exc.status
        else:
            if getattr(request, "htmx", False):
                return _drawer(request, added=True)
            messages.success(request, _("Added to your cart."))
            return redirect("storefront:cart")
    slug = str(form.cleaned_data.get("product") or "")
    if slug:
        try:  # the product page again, with the errors on its form
            response = product_page(request, slug, form=form, status=status)
        except Http404:
            pass
        else:
            if getattr(request, "htmx", False):
                response["HX-Retarget"] = "#add-to-cart"
                response["HX-Reswap"] = "outerHTML"
            return response
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    if getattr(request, "htmx", False):  # a whole page: the browser goes there
        return HttpResponseClientRedirect(reverse("storefront:cart"))
    return redirect("storefront:cart")


def _line_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None


@with_cart_cookie
@require_POST
def line_change(request: HttpRequest, line_id: str) -> HttpResponse:
    """One line: change its quantity, remove it, save it for later or move it back."""
    cart = web_cart(request)
    number = _line_id(line_id)
    form = LineForm(request.POST)
    if cart is None or number is None:
        messages.error(request, _("This line is no longer in your cart."))
        return redirect("storefront:cart")
    if not form.is_valid() or (
        form.cleaned_data["action"] == "update" and form.cleaned_data.get("quantity") is None
    ):
        errors = [e for field in ("quantity", "action") for e in form.errors.get(field, [])]
        message = str(errors[0]) if errors else _("Enter a quantity.")
        return _cart_page(request, status=400, line_errors={number: message})
    action = form.cleaned_data["action"]
    user = signed_in(request)
    try:
        if action == "remove":
            cart_services.line_delete(cart=cart, line_id=number)
            messages.success(request, _("The line was removed."))
        elif action == "save":
            cart_services.save_for_later(cart=cart, line_id=number)
            messages.success(request, _("Saved for later."))
        elif action == "move":
            cart_services.move_to_cart(cart=cart, line_id=number, user=user)
            messages.success(request, _("Moved to your cart."))
        else:
            cart_services.line_update(
                cart=cart, line_id=number, quantity=form.cleaned_data["quantity"], user=user
            )
            messages.success(request, _("The quantity was updated."))
    except DomainError as exc:
        if exc.code == "LINE_NOT_FOUND":
            messages.error(request, exc.detail)
            return redirect("storefront:cart")
        detail = next(iter(exc.errors.get("quantity", [])), exc.detail)
        return _cart_page(request, status=exc.status, line_errors={number: detail})
    return redirect("storefront:cart")


@with_cart_cookie
@require_POST
def coupon_add(request: HttpRequest) -> HttpResponse:
    form = CouponForm(request.POST)
    cart = web_cart(request)
    if cart is None:
        form.add_error(None, _("Add a product to your cart first."))
        return _cart_page(request, status=400, coupon_form=form)
    if not form.is_valid():
        return _cart_page(request, status=400, coupon_form=form)
    try:
        cart_services.coupon_apply(
            cart=cart, code=form.cleaned_data["code"], user=signed_in(request)
        )
    except DomainError as exc:
        add_domain_errors(form, exc)
        return _cart_page(request, status=exc.status, coupon_form=form)
    messages.success(request, _("The code was added."))
    return redirect("storefront:cart")


@with_cart_cookie
@require_POST
def coupon_delete(request: HttpRequest) -> HttpResponse:
    cart = web_cart(request)
    code = request.POST.get("code", "")[:40]
    if cart is not None and code:
        try:
            cart_services.coupon_remove(cart=cart, code=code)
        except DomainError as exc:
            return _cart_page(request, status=exc.status, error=exc.detail)
        messages.success(request, _("The code was removed."))
    return redirect("storefront:cart")
