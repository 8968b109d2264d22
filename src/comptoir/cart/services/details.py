"""What checkout needs besides the lines: coupons, addresses and email, shipping method."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import Address
from comptoir.accounts.selectors import address_get
from comptoir.accounts.services import ADDRESS_TEXT_FIELDS, address_clean, address_values
from comptoir.cart.models import Cart
from comptoir.cart.selectors.view import buyer_of, cart_goods, cart_shipping_options
from comptoir.cart.services._common import MAX_COUPONS, synced, touch, writable
from comptoir.cart.services.carts import email_clean
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.text import text_storable
from comptoir.pricing.records import minor_decimal
from comptoir.promotions.services.coupons import code_normalize, coupon_check

# --- coupons -------------------------------------------------------------------------------


def _coupon_not_found() -> InvalidInput:
    message = _("This code does not exist.")
    return InvalidInput(message, code="COUPON_NOT_FOUND", errors={"code": [message]})


@transaction.atomic
def coupon_apply(*, cart: Cart, code: str, user: object = None) -> Cart:
    """Enter a coupon code on the cart after `promotions.services.coupon_check` accepted it
    for this cart now (its subtotal before cart promotions, its buyer and email): 400
    COUPON_NOT_FOUND, COUPON_EXPIRED, COUPON_NOT_STARTED, COUPON_NOT_APPLICABLE,
    COUPON_EXHAUSTED, COUPON_CUSTOMER_LIMIT, COUPON_MIN_AMOUNT, TOO_MANY_COUPONS. A code
    already entered changes nothing. Usage is counted only when an order is placed."""
    if not isinstance(code, str) or not text_storable(code) or len(code.strip()) > 40:
        raise _coupon_not_found()
    normalized = code_normalize(code)
    locked = writable(cart)
    codes = list(locked.coupon_codes or [])
    if normalized in codes:
        return synced(cart, locked)
    if len(codes) >= MAX_COUPONS:
        message = _("A cart takes at most %(max)s codes.") % {"max": MAX_COUPONS}
        raise InvalidInput(message, code="TOO_MANY_COUPONS", errors={"code": [message]})
    goods = cart_goods(cart=locked, user=user)
    coupon = coupon_check(
        code=normalized,
        channel=locked.channel,
        subtotal=minor_decimal(goods.goods_entered, goods.ctx.digits),
        user=goods.buyer,
        email=goods.email,
        customer_group_id=goods.ctx.customer_group_id,
        now=goods.ctx.now,
    )
    locked.coupon_codes = [*codes, coupon.code]
    touch(locked, "coupon_codes")
    return synced(cart, locked)


@transaction.atomic
def coupon_remove(*, cart: Cart, code: str) -> Cart:
    """Take a code off the cart (case-insensitive); a code it does not have changes
    nothing."""
    locked = writable(cart)
    normalized = code_normalize(code) if isinstance(code, str) else ""
    codes = list(locked.coupon_codes or [])
    if normalized in codes:
        locked.coupon_codes = [c for c in codes if c != normalized]
        touch(locked, "coupon_codes")
    return synced(cart, locked)


# --- addresses -----------------------------------------------------------------------------


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        _("The address is invalid."), code="ADDRESS_INVALID", errors={field: [message]}
    )


def address_snapshot(value: object, *, field: str) -> dict[str, str]:
    """An address given as a dict, checked by the accounts' address rules (country, postal
    code format for the country, phone number as E.164, required fields) and returned as
    the snapshot the cart keeps. ADDRESS_INVALID with errors per field (`<field>.city`)."""
    if not isinstance(value, dict):
        raise _invalid(field, _("An address is an object."))
    unknown = sorted(str(key)[:50] for key in value if key not in ADDRESS_TEXT_FIELDS)
    if unknown:
        raise InvalidInput(
            _("The address is invalid."),
            code="ADDRESS_INVALID",
            errors={f"{field}.{name}": [_("Unknown field.")] for name in unknown[:20]},
        )
    for key, item in value.items():
        if item is not None and not isinstance(item, str):
            raise _invalid(f"{field}.{key}", _("Must be text."))
    address = Address(**{key: value.get(key) or "" for key in ADDRESS_TEXT_FIELDS})
    try:
        address_clean(address)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.detail,
            code=exc.code,
            errors={f"{field}.{name}": messages for name, messages in exc.errors.items()},
        ) from None
    return address_values(address)


def _saved(owner: Any, address_id: object) -> dict[str, str]:
    """A snapshot of one of the owner's saved addresses (404 ADDRESS_NOT_FOUND for anyone
    else's, and for a cart without a customer)."""
    valid = isinstance(address_id, int) and not isinstance(address_id, bool)
    if owner is None or not valid or not 0 < address_id < 2**63:  # type: ignore[operator]
        raise NotFound(_("Address not found."), code="ADDRESS_NOT_FOUND")
    return address_values(address_get(user=owner, address_id=address_id))  # type: ignore[arg-type]


def _one(
    owner: Any, value: dict[str, Any] | None, address_id: int | None, *, field: str
) -> dict[str, str] | None:
    if value is not None and address_id is not None:
        message = _("Give an address or the id of a saved address, not both.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={field: [message]})
    if address_id is not None:
        return _saved(owner, address_id)
    if value is not None:
        return address_snapshot(value, field=field)
    return None


def addresses_set(
    *,
    cart: Cart,
    shipping_address: dict[str, Any] | None = None,
    billing_address: dict[str, Any] | None = None,
    shipping_address_id: int | None = None,
    billing_address_id: int | None = None,
    email: str | None = None,
    same_as_shipping: bool = False,
    user: object = None,
) -> Cart:
    """Set the cart's shipping and billing addresses (both replaced: an address left out is
    cleared) and email. Each address is a dict of the accounts' address fields (validated
    by their rules), or the id of a saved address of the cart's customer (of the signed-in
    `user` for an anonymous cart): anyone else's is 404 ADDRESS_NOT_FOUND.
    `same_as_shipping` copies the shipping address to billing. A guest cart needs an email
    (given now or before): 400 EMAIL_REQUIRED. Errors: ADDRESS_INVALID, INVALID_EMAIL,
    INVALID_INPUT (400)."""
    if not isinstance(same_as_shipping, bool):
        message = _("Must be true or false.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"same_as_shipping": [message]})
    if same_as_shipping and (billing_address is not None or billing_address_id is not None):
        message = _("Leave the billing address out when it is the shipping address.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"billing_address": [message]})
    address = None if email is None else email_clean(email)
    with transaction.atomic():
        locked = writable(cart)
        owner = buyer_of(locked, user)
        shipping = _one(owner, shipping_address, shipping_address_id, field="shipping_address")
        billing = (
            shipping
            if same_as_shipping
            else _one(owner, billing_address, billing_address_id, field="billing_address")
        )
        final_email = locked.email if address is None else address
        if locked.user_id is None and not final_email:
            message = _("An email address is needed to check out as a guest.")
            raise InvalidInput(message, code="EMAIL_REQUIRED", errors={"email": [message]})
        locked.shipping_address = shipping
        locked.billing_address = billing
        locked.email = final_email
        touch(locked, "shipping_address", "billing_address", "email")
        return synced(cart, locked)


# --- shipping method -----------------------------------------------------------------------


def shipping_method_set(
    *,
    cart: Cart,
    method_id: int | None = None,
    code: str | None = None,
    user: object = None,
    language: str = "fr",
) -> Cart:
    """Choose the cart's shipping method by id or by code (exactly one): it must be among
    the cart's options now (its shipping country, weight and goods), else 400
    SHIPPING_METHOD_UNAVAILABLE; INVALID_INPUT when neither or both are given."""
    if (method_id is None) == (code is None):
        message = _("Give a shipping method's id or its code.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"method_id": [message]})
    with transaction.atomic():
        locked = writable(cart)
        _goods, options = cart_shipping_options(cart=locked, user=user, language=language)
        chosen = next(
            (
                option
                for option in options
                if (option.method_id == method_id if code is None else option.code == code)
            ),
            None,
        )
        if chosen is None:
            message = _("This shipping method is not available for this cart.")
            raise InvalidInput(
                message,
                code="SHIPPING_METHOD_UNAVAILABLE",
                errors={"method_id" if code is None else "code": [message]},
            )
        locked.shipping_method_id = chosen.method_id
        touch(locked, "shipping_method")
        return synced(cart, locked)
