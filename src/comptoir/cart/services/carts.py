"""Carts: creation, merge on sign-in, the lock and status changes checkout uses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.accounts.services import email_normalize
from comptoir.cart.models import Cart, CartStatus
from comptoir.cart.selectors.access import cart_for, cart_not_found, open_cart
from comptoir.cart.services._common import MAX_COUPONS, MAX_QUANTITY, cart_lock_row, touch
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput, Unauthorized
from comptoir.core.text import text_storable

# Which status may follow which (checkout drives the last three).
TRANSITIONS: dict[str, frozenset[str]] = {
    CartStatus.OPEN: frozenset({CartStatus.CHECKING_OUT, CartStatus.COMPLETED, CartStatus.MERGED}),
    CartStatus.CHECKING_OUT: frozenset({CartStatus.OPEN, CartStatus.COMPLETED}),
    CartStatus.COMPLETED: frozenset(),
    CartStatus.MERGED: frozenset(),
}


def email_clean(email: object, *, field: str = "email") -> str:
    """A normalised email address, "" for none; INVALID_EMAIL (400) otherwise."""
    if email is None or email == "":
        return ""
    message = _("Enter a valid email address.")
    if not isinstance(email, str) or len(email) > 254 or not text_storable(email):
        raise InvalidInput(message, code="INVALID_EMAIL", errors={field: [message]})
    normalized = email_normalize(email)
    try:
        validate_email(normalized)
    except ValidationError:
        raise InvalidInput(message, code="INVALID_EMAIL", errors={field: [message]}) from None
    return normalized


def _language(language: object, channel: Channel) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return str(language)
    if language:
        message = _("Unknown language.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"language": [message]})
    return channel.default_language if channel.default_language in codes else settings.LANGUAGE_CODE


def _customer(user: object) -> Any:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def cart_create(*, channel: Channel, user: object = None, language: str, email: str = "") -> Cart:
    """A new open cart in `channel`. For a signed-in customer, their current cart in the
    channel is returned instead when they have one (one open cart per customer and
    channel; a cart being checked out counts). `language`: fr or en ("" for the channel's);
    INVALID_INPUT, INVALID_EMAIL (400)."""
    chosen = _language(language, channel)
    address = email_clean(email)
    customer = _customer(user)
    if customer is not None:
        existing = open_cart(user=customer, channel=channel)
        if existing is not None:
            return existing
    if customer is None:  # a visitor's cart clashes with none: no savepoint needed
        cart = Cart.objects.create(channel=channel, user=None, language=chosen, email=address)
        cart.channel = channel
        return cart
    try:
        with transaction.atomic():
            cart = Cart.objects.create(
                channel=channel, user=customer, language=chosen, email=address
            )
    except IntegrityError:  # the customer's cart was created meanwhile by another request
        existing = open_cart(user=customer, channel=channel)
        if existing is None:
            raise
        return existing
    cart.channel = channel
    return cart


def cart_lock(*, cart_id: int, like: Cart | None = None) -> Cart:
    """The cart, locked (SELECT ... FOR UPDATE) until the caller's transaction ends: call it
    inside `transaction.atomic`, first of the locks checkout takes (cart -> stock ->
    coupons). `like`: the same cart read before, whose loaded customer is reused. 404
    CART_NOT_FOUND."""
    return cart_lock_row(cart_id, like=like)


def _absorb(target: Cart, source: Cart) -> None:
    """Move the lines of `source` into `target` (a line of the same variant in the same list
    takes the other's units, up to MAX_QUANTITY), keep both carts' coupons (at most
    MAX_COUPONS), and fill what `target` lacks (email, addresses, shipping method, note)
    from `source`. Both rows are locked by the caller."""
    existing = {(line.variant_id, line.saved_for_later): line for line in target.lines.all()}
    for line in source.lines.all():
        same = existing.get((line.variant_id, line.saved_for_later))
        if same is None:
            line.cart = target
            line.save(update_fields=["cart"])
        else:
            same.quantity = min(same.quantity + line.quantity, MAX_QUANTITY)
            same.save(update_fields=["quantity"])
            line.delete()
    codes = list(target.coupon_codes or [])
    for code in source.coupon_codes or []:
        if code not in codes and len(codes) < MAX_COUPONS:
            codes.append(code)
    target.coupon_codes = codes
    for field in ("email", "shipping_address", "billing_address", "customer_note"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    if target.shipping_method_id is None:
        target.shipping_method_id = source.shipping_method_id
    touch(
        target,
        "coupon_codes",
        "email",
        "shipping_address",
        "billing_address",
        "customer_note",
        "shipping_method",
    )
    source.status = CartStatus.MERGED
    source.metadata = {**(source.metadata or {}), "merged_into": target.pk}
    touch(source, "status", "metadata")


def _locked_in_order(*carts: Cart) -> dict[int, Cart]:
    """Lock carts in primary-key order (no deadlock between two merges)."""
    return {cart.pk: cart_lock_row(cart.pk) for cart in sorted(carts, key=lambda c: c.pk)}


def _merged_for(source: Cart, customer: Any) -> Cart | None:
    """The customer's cart when `source` already is it or was merged into it (a merge asked
    again); None when `source` still has to be merged. CART_NOT_FOUND for a cart merged
    into someone else's or completed."""
    if source.status == CartStatus.MERGED:
        merged_into = (source.metadata or {}).get("merged_into")
        target = (
            Cart.objects.select_related("channel", "user").filter(pk=merged_into).first()
            if isinstance(merged_into, int)
            else None
        )
        if target is None or target.user_id != customer.pk:
            raise cart_not_found()
        return target
    if source.user_id is not None and source.user_id == customer.pk:
        if source.status == CartStatus.COMPLETED:
            raise cart_not_found()
        return source
    return None


@transaction.atomic
def cart_merge(*, user: object, token: str) -> Cart:
    """On sign-in: the anonymous cart of `token` joins `user`'s open cart in its channel
    (lines moved, quantities of the same variant summed, coupons kept) and becomes MERGED;
    when the customer has no open cart there, the anonymous cart simply becomes theirs.
    Returns the customer's cart. Idempotent: the token of a cart already merged into the
    customer's cart, or of the customer's own cart, returns that cart.
    Errors: 401 UNAUTHORIZED (no user), 404 CART_NOT_FOUND (unknown token, another
    customer's cart, a completed cart), 409 CART_LOCKED (a checkout runs on it)."""
    customer = _customer(user)
    if customer is None:
        raise Unauthorized(_("Sign in to keep this cart."))
    source = cart_for(token=token, user=customer)
    done = _merged_for(source, customer)
    if done is not None:
        return done
    target = (
        Cart.objects.filter(
            user_id=customer.pk, channel_id=source.channel_id, status=CartStatus.OPEN
        )
        .only("pk")
        .first()
    )
    locked = _locked_in_order(source, *([target] if target is not None else []))
    source = locked[source.pk]
    done = _merged_for(source, customer)  # by a request that held the lock before this one
    if done is not None:
        return done
    if source.status == CartStatus.CHECKING_OUT:
        raise Conflict(
            _("A checkout is in progress on this cart: it cannot change until it ends."),
            code="CART_LOCKED",
        )
    if source.status != CartStatus.OPEN or source.user_id is not None:
        raise cart_not_found()  # completed, or claimed by someone else meanwhile
    if target is None:
        try:
            with transaction.atomic():
                source.user = customer
                touch(source, "user")
        except IntegrityError:
            # Another visitor cart of the customer became theirs meanwhile (two tabs signing
            # in at once); that request has committed: this cart joins that one.
            source.user = None
            target = (
                Cart.objects.filter(
                    user_id=customer.pk, channel_id=source.channel_id, status=CartStatus.OPEN
                )
                .only("pk")
                .first()
            )
            if target is None:
                raise Conflict(
                    _("Your cart changed meanwhile: try again."), code="CART_CHANGED"
                ) from None
            target = cart_lock_row(target.pk)
            _absorb(target, source)
            return target
        return source
    target = locked[target.pk]
    if target.status != CartStatus.OPEN or target.user_id != customer.pk:
        raise Conflict(_("Your cart changed meanwhile: try again."), code="CART_CHANGED")
    _absorb(target, source)
    return target


def _other_open_cart_locked(cart: Cart) -> Cart | None:
    """The customer's other open cart in the channel, locked, or None. What was read as
    open may have changed by the time its lock is granted (its own checkout committed, it
    was merged): it is read again under the lock, and only a cart still open counts."""
    if cart.user_id is None:
        return None
    for _attempt in range(3):
        found = (
            Cart.objects.filter(
                user_id=cart.user_id, channel_id=cart.channel_id, status=CartStatus.OPEN
            )
            .exclude(pk=cart.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            return None
        other = cart_lock_row(found)
        if (
            other.status == CartStatus.OPEN
            and other.user_id == cart.user_id
            and other.channel_id == cart.channel_id
        ):
            return other
    raise Conflict(_("Your cart changed meanwhile: try again."), code="CART_CHANGED")


def cart_mark(*, cart: Cart, status: str, metadata: dict[str, Any] | None = None) -> Cart:
    """Set the cart's status (checkout: open -> checking_out -> completed, or back to open
    when the payment fails). Call it while holding the cart's lock (`cart_lock`). The same
    status again changes nothing. A customer's cart that becomes open again while they
    opened another one in the channel takes that one's lines (the other is MERGED; one
    that a checkout took meanwhile is left alone). Call it before taking hold, stock or
    coupon locks: it may lock that other cart (docs/checkout.md's lock order).
    `metadata`: the cart's metadata saved with the status (checkout records itself there).
    Errors: INVALID_INPUT (unknown status, 400), INVALID_TRANSITION, CART_CHANGED (409),
    raised before anything is written. One UPDATE, no savepoint, but for the merge, which
    runs in a block of its own."""
    if status not in CartStatus.values:
        message = _("Unknown cart status.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"status": [message]})
    if cart.status == status:
        return cart
    if status not in TRANSITIONS[cart.status]:
        raise Conflict(
            _("A %(current)s cart cannot become %(status)s.")
            % {"current": cart.status, "status": status},
            code="INVALID_TRANSITION",
        )
    fields = ["status"] if metadata is None else ["status", "metadata"]
    if metadata is not None:
        cart.metadata = metadata
    if status == CartStatus.OPEN and cart.user_id is not None:
        with transaction.atomic():
            other = _other_open_cart_locked(cart)
            if other is not None:
                # The other cart leaves "open" first: one open cart per customer and channel.
                other.status = CartStatus.MERGED
                touch(other, "status")
                cart.status = status
                touch(cart, *fields)
                _absorb(cart, other)
                return cart
    cart.status = status
    touch(cart, *fields)
    return cart
