"""Public cart endpoints under /api/v1/: carts reached by their token.

Callers are anonymous, signed in with a bearer token, or signed in with the session of the
bundled pages (unsafe methods then pass Django's CSRF check, 403 CSRF_FAILED otherwise).
A visitor's cart is reached by whoever holds its token; a customer's cart by its owner
only (404 CART_NOT_FOUND for anyone else, as for a token that does not exist).
Every write answers with the whole cart, recomputed (`CartOut`)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.utils import check_csrf
from pydantic import ValidationError as PydanticValidationError

from comptoir.accounts.auth import bearer_token, optional_user, session_or_bearer
from comptoir.cart import selectors, services
from comptoir.cart.models import Cart
from comptoir.cart.presenters import cart_out, option_out
from comptoir.cart.schemas import (
    AddressesIn,
    CartIn,
    CartOut,
    CouponIn,
    LineIn,
    LinePatch,
    ShippingMethodIn,
    ShippingOptionsOut,
)
from comptoir.cart.web import cart_cookie_delete, cart_cookie_set, cart_cookie_token
from comptoir.channels.selectors import channel_for_buyer
from comptoir.core.errors import NotFound, PermissionDenied
from comptoir.core.validation import UNSET
from comptoir.pricing.selectors.context import company_of

router = Router(tags=["cart"])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NOT_FOUND = "404 `CART_NOT_FOUND` (unknown token, or another customer's cart)"
LOCKED = (
    "409 `CART_LOCKED` while a checkout runs on the cart; 404 `CART_NOT_FOUND` once it is "
    "completed or merged (read-only)"
)
LINE_ERRORS = (
    "400 `INVALID_QUANTITY` (not a whole number from 1 to 9999), `UNKNOWN_SKU`, "
    "`NOT_FOR_SALE`, `QUANTITY_RULE` (the buyer's price list sells it by a minimum, an "
    "increment or up to a maximum), `CART_FULL`; 409 `INSUFFICIENT_STOCK`"
)


def _caller(request: HttpRequest) -> Any:
    """The signed-in caller or None; a session caller's unsafe request passes the CSRF
    check (a bearer token is not sent by browsers on their own)."""
    user = optional_user(request)
    if (
        user is not None
        and bearer_token(request) is None
        and request.method not in SAFE_METHODS
        and check_csrf(request) is not None
    ):
        raise PermissionDenied(_("CSRF check failed."), code="CSRF_FAILED")
    return user


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def _cart(request: HttpRequest, token: str) -> tuple[Cart, Any]:
    user = _caller(request)
    return selectors.cart_for(token=token, user=user), user


def _out(request: HttpRequest, cart: Cart, user: Any) -> dict[str, Any]:
    view = selectors.cart_view(cart=cart, user=user, language=_language(request))
    return cart_out(view, cart)


def cart_answer(request: HttpRequest, cart: Cart) -> dict[str, Any]:
    """The cart as every write answers it, priced for the signed-in caller (also for other
    apps' endpoints that change a cart)."""
    return _out(request, cart, optional_user(request))


def _optional_body(request: HttpRequest) -> CartIn:
    """`CartIn` from a body that may be absent (`POST carts` with no body at all)."""
    if not request.body.strip():
        return CartIn()
    try:
        data = json.loads(request.body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("not JSON") from None
    try:
        return CartIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]
        ) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


@router.post(
    "carts",
    response={200: CartOut, 201: CartOut},
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": CartIn.model_json_schema()}},
        }
    },
    summary="Create a cart (or get the signed-in customer's)",
    description=(
        "A new cart in the channel of `?channel=` (else the caller's default: a business "
        "channel for company buyers). A signed-in customer who has a cart in the channel "
        "gets it back (200) instead of a new one (201). A visitor's cart is reached by its "
        "`token` only; web callers (no bearer token) also get it in the HttpOnly, "
        "SameSite=Lax cookie `comptoir_cart`. Errors: 400 `INVALID_EMAIL`, `INVALID_INPUT` "
        "(language); 404 `CHANNEL_NOT_FOUND`; 401 for a bad bearer token."
    ),
)
def create_cart(
    request: HttpRequest,
    response: HttpResponse,
    channel: str | None = Query(None, description="Channel code."),
) -> Status[dict[str, Any]]:
    user = _caller(request)
    payload = _optional_body(request)
    if channel is not None and len(channel) > 50:
        raise NotFound(_("Unknown channel."), code="CHANNEL_NOT_FOUND")
    sales_channel = channel_for_buyer(code=channel, business=company_of(user) is not None)
    existing = selectors.open_cart(user=user, channel=sales_channel)
    cart = existing or services.cart_create(
        channel=sales_channel,
        user=user,
        language=payload.language or _language(request),
        email=payload.email,
    )
    if cart.user_id is None and bearer_token(request) is None:
        cart_cookie_set(request, response, cart.token)
    return Status(200 if existing is not None else 201, _out(request, cart, user))


@router.get(
    "carts/{token}",
    response=CartOut,
    summary="A cart, priced now",
    description=(
        "Every amount recomputed by the price engine for the caller (a customer's cart: for "
        "its customer): lines, cart promotions, coupons with the reason one does not apply, "
        "shipping, tax breakdown, total and the `blockers` checkout would refuse. A "
        f"completed or merged cart is shown read-only. Errors: {NOT_FOUND}."
    ),
)
def get_cart(request: HttpRequest, token: str) -> dict[str, Any]:
    cart, user = _cart(request, token)
    return _out(request, cart, user)


@router.post(
    "carts/{token}/lines",
    response=CartOut,
    summary="Add a SKU to the cart",
    description=(
        "Adds `quantity` units to the cart's line of this SKU (or a new line). Prices sent "
        f"by the client are ignored. Errors: {LINE_ERRORS}; {LOCKED}; {NOT_FOUND}; 422 "
        "`VALIDATION_ERROR`."
    ),
)
def add_line(request: HttpRequest, token: str, body: LineIn) -> dict[str, Any]:
    cart, user = _cart(request, token)
    with selectors.goods_reused():
        services.line_add(
            cart=cart,
            sku=body.sku,
            quantity=body.quantity,
            user=user,
            language=_language(request),
        )
        # The service synced `cart` with the row it wrote and checked the line on the
        # goods the answer shows: no second read, no second pricing.
        return _out(request, cart, user)


@router.patch(
    "carts/{token}/lines/{line_id}",
    response=CartOut,
    summary="Change a line",
    description=(
        "`quantity` sets the line's quantity; `saved_for_later` moves it out of the cart "
        "(true) or back (false; joining the cart's line of the same SKU if any). Errors: "
        f"{LINE_ERRORS}; 400 `INVALID_INPUT`; 404 `LINE_NOT_FOUND`; {LOCKED}; {NOT_FOUND}."
    ),
)
def patch_line(request: HttpRequest, token: str, line_id: int, body: LinePatch) -> dict[str, Any]:
    cart, user = _cart(request, token)
    sent = body.model_fields_set
    services.line_update(
        cart=cart,
        line_id=line_id,
        quantity=body.quantity if "quantity" in sent else UNSET,
        saved_for_later=body.saved_for_later if "saved_for_later" in sent else UNSET,
        user=user,
    )
    # The service synced `cart` with the row it wrote: no second read.
    return _out(request, cart, user)


@router.delete(
    "carts/{token}/lines/{line_id}",
    response=CartOut,
    summary="Remove a line",
    description=f"Errors: 404 `LINE_NOT_FOUND`; {LOCKED}; {NOT_FOUND}.",
)
def delete_line(request: HttpRequest, token: str, line_id: int) -> dict[str, Any]:
    cart, user = _cart(request, token)
    services.line_delete(cart=cart, line_id=line_id)
    # The service synced `cart` with the row it wrote: no second read.
    return _out(request, cart, user)


@router.post(
    "carts/{token}/coupons",
    response=CartOut,
    summary="Enter a coupon code",
    description=(
        "The code is checked for this cart now (case-insensitive); its use is counted only "
        "when an order is placed. Errors: 400 `COUPON_NOT_FOUND`, `COUPON_EXPIRED`, "
        "`COUPON_NOT_STARTED`, `COUPON_NOT_APPLICABLE`, `COUPON_EXHAUSTED`, "
        f"`COUPON_CUSTOMER_LIMIT`, `COUPON_MIN_AMOUNT`, `TOO_MANY_COUPONS`; {LOCKED}; "
        f"{NOT_FOUND}."
    ),
)
def add_coupon(request: HttpRequest, token: str, body: CouponIn) -> dict[str, Any]:
    cart, user = _cart(request, token)
    cart = services.coupon_apply(cart=cart, code=body.code, user=user)
    return _out(request, cart, user)


@router.delete(
    "carts/{token}/coupons/{code}",
    response=CartOut,
    summary="Remove a coupon code",
    description=f"A code the cart does not have changes nothing. Errors: {LOCKED}; {NOT_FOUND}.",
)
def delete_coupon(request: HttpRequest, token: str, code: str) -> dict[str, Any]:
    cart, user = _cart(request, token)
    cart = services.coupon_remove(cart=cart, code=code)
    return _out(request, cart, user)


@router.put(
    "carts/{token}/addresses",
    response=CartOut,
    summary="Set the addresses and email",
    description=(
        "Both addresses are replaced (one left out is cleared). Each is an address object, "
        "or the id of one of the signed-in customer's saved addresses; `same_as_shipping` "
        "bills to the shipping address. A guest cart needs an `email`. Errors: 400 "
        "`ADDRESS_INVALID` (errors per field: `shipping_address.postal_code`...), "
        "`INVALID_EMAIL`, `EMAIL_REQUIRED`, `INVALID_INPUT`; 404 `ADDRESS_NOT_FOUND` "
        f"(another customer's address); {LOCKED}; {NOT_FOUND}; 422 `VALIDATION_ERROR`."
    ),
)
def put_addresses(request: HttpRequest, token: str, body: AddressesIn) -> dict[str, Any]:
    cart, user = _cart(request, token)
    cart = services.addresses_set(
        cart=cart,
        shipping_address=None
        if body.shipping_address is None
        else body.shipping_address.model_dump(),
        billing_address=None if body.billing_address is None else body.billing_address.model_dump(),
        shipping_address_id=body.shipping_address_id,
        billing_address_id=body.billing_address_id,
        email=body.email,
        same_as_shipping=body.same_as_shipping,
        user=user,
    )
    return _out(request, cart, user)


@router.get(
    "carts/{token}/shipping-methods",
    response=ShippingOptionsOut,
    summary="The cart's shipping options",
    description=(
        "The methods that can ship this cart to its shipping address's country (else the "
        "buyer's default country), priced for it: free over a method's threshold or with a "
        f"free-shipping promotion. Errors: {NOT_FOUND}."
    ),
)
def get_shipping_methods(request: HttpRequest, token: str) -> dict[str, Any]:
    cart, user = _cart(request, token)
    goods, options = selectors.cart_shipping_options(
        cart=cart, user=user, language=_language(request)
    )
    return {
        "country": goods.country,
        "results": [option_out(o, goods.ctx.currency, goods.ctx.digits) for o in options],
    }


@router.put(
    "carts/{token}/shipping-method",
    response=CartOut,
    summary="Choose the shipping method",
    description=(
        "By `method_id` or `code` (one of them), among the cart's options. Errors: 400 "
        f"`SHIPPING_METHOD_UNAVAILABLE`, `INVALID_INPUT`; {LOCKED}; {NOT_FOUND}."
    ),
)
def put_shipping_method(request: HttpRequest, token: str, body: ShippingMethodIn) -> dict[str, Any]:
    cart, user = _cart(request, token)
    # The lines do not change: the answer shows the goods the service chose the option on.
    with selectors.goods_reused():
        cart = services.shipping_method_set(
            cart=cart,
            method_id=body.method_id,
            code=body.code,
            user=user,
            language=_language(request),
        )
        return _out(request, cart, user)


@router.post(
    "carts/{token}/merge",
    response=CartOut,
    auth=session_or_bearer,
    summary="Keep a visitor's cart after signing in",
    description=(
        "The signed-in caller absorbs the visitor's cart of `token`: its lines join the "
        "caller's cart in that channel (quantities of the same SKU add up, coupons are "
        "kept) and it becomes `merged`; without a cart there, it simply becomes the "
        "caller's. Answers the caller's cart. Asking again answers the same cart. Errors: "
        "401 `UNAUTHORIZED`; 404 `CART_NOT_FOUND`; 409 `CART_LOCKED`, `CART_CHANGED`."
    ),
)
def merge_cart(request: HttpRequest, response: HttpResponse, token: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    cart = services.cart_merge(user=user, token=token)
    if cart_cookie_token(request) == token:
        cart_cookie_delete(response)
    return _out(request, cart, user)
