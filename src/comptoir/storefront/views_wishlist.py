"""Wishlist pages: add (from listing cards and the product page), the customer's wishlist
with remove, move to cart and its share link, and the public read-only shared list.

Plain forms (POST, then a redirect with a message), so everything works without
JavaScript. A visitor who asks to add is sent to the login page and back to where they
were. Another customer's item is a 404."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from comptoir.cart.services import MAX_QUANTITY
from comptoir.core.errors import DomainError
from comptoir.core.views import next_param
from comptoir.storefront.shop import current_channel, current_language
from comptoir.storefront.views_account import not_found_is_404, render_private
from comptoir.storefront.views_cart import cart_shown
from comptoir.storefront.web_cart import web_cart, with_cart_cookie
from comptoir.wishlists import selectors, services

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _back(request: HttpRequest, fallback: str) -> str:
    """The `next` field of the form when it is a path of this site, else `fallback`."""
    return next_param(request) or fallback


@require_POST
def wishlist_add(request: HttpRequest) -> HttpResponse:
    """Keep the posted `sku` (product page: the chosen variant) or `product` (a listing
    card: its slug)."""
    product = request.POST.get("product", "")[:200]
    fallback = reverse("storefront:home")
    if _SLUG.fullmatch(product):
        fallback = reverse("storefront:product", args=[product])
    back = _back(request, fallback)
    if not request.user.is_authenticated:
        messages.info(request, _("Log in to keep products in your wishlist."))
        return redirect_to_login(back)
    sku = request.POST.get("sku", "")[:200]
    try:
        _item, added = services.wishlist_item_add(
            user=request.user,
            channel=current_channel(request),
            product="" if sku else product,
            sku=sku,
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if added:
            messages.success(request, _("Added to your wishlist."))
        else:
            messages.info(request, _("Already in your wishlist."))
    return redirect(back)


def _entries(request: HttpRequest, wishlist: Any) -> list[selectors.WishlistEntry]:
    return selectors.wishlist_entries(
        wishlist=wishlist, channel=current_channel(request), language=current_language()
    )


@login_required
@never_cache
@require_safe
def wishlist_page(request: HttpRequest) -> HttpResponse:
    wishlist = selectors.wishlist_of(user=request.user)
    share_url = ""
    if wishlist is not None:
        share_url = request.build_absolute_uri(
            reverse("storefront:wishlist_shared", args=[wishlist.share_token])
        )
    context = {
        "entries": _entries(request, wishlist),
        "share_url": share_url,
        "max_items": services.max_items(),
        "current_page": "wishlist",
    }
    return render_private(request, "storefront/account/wishlist.html", context)


def _item_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise Http404(_("This item is not in your wishlist."))
    return int(raw)


@login_required
@require_POST
def wishlist_remove(request: HttpRequest, item_id: str) -> HttpResponse:
    with not_found_is_404():
        services.wishlist_item_remove(user=request.user, item_id=_item_id(item_id))
    messages.success(request, _("Removed from your wishlist."))
    return redirect("storefront:wishlist")


@login_required
@with_cart_cookie
@require_POST
def wishlist_move(request: HttpRequest, item_id: str) -> HttpResponse:
    """Into the cart through the cart's add to cart; a refusal (out of stock, no longer
    sold, an option to choose) is shown and the item stays."""
    with not_found_is_404():
        item = selectors.wishlist_item_get(user=request.user, item_id=_item_id(item_id))
    name = item.product.name
    raw = request.POST.get("quantity", "1")
    quantity = int(raw) if raw.isdigit() and len(raw) <= 4 else 0
    try:
        cart = web_cart(request, create=True)
        if cart is None:
            raise DomainError(_("Nothing is sold here yet."))
        if not 1 <= quantity <= MAX_QUANTITY:
            raise DomainError(_("Enter a quantity from 1 to %(max)s.") % {"max": MAX_QUANTITY})
        services.wishlist_item_move_to_cart(
            user=request.user,
            item_id=item.pk,
            cart=cart,
            quantity=quantity,
            sku=request.POST.get("sku", "")[:100],
        )
    except DomainError as exc:
        messages.error(request, f"{name}: {exc.detail}")
    else:
        cart_shown(request, cart)  # the header's count, from the cart as it now is
        messages.success(request, _("%(name)s is now in your cart.") % {"name": name})
    return redirect("storefront:wishlist")


@login_required
@require_POST
def wishlist_share_regenerate(request: HttpRequest) -> HttpResponse:
    services.wishlist_share_regenerate(user=request.user)
    messages.success(request, _("New share link made: the previous one no longer works."))
    return redirect("storefront:wishlist")


@never_cache
@require_safe
def wishlist_shared(request: HttpRequest, token: str) -> HttpResponse:
    with not_found_is_404():
        wishlist = selectors.wishlist_by_token(token=token)
    context = {"entries": _entries(request, wishlist)}
    return render_private(request, "storefront/wishlist_shared.html", context)
