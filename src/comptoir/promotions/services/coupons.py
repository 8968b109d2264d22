"""Coupons: creation (one code, or a batch of single-use codes), the check a cart runs
when a code is entered, and the redemption order placement runs.

Usage is counted at order placement only (`coupon_redeem`, inside the checkout's
transaction), never when a code is entered: the coupon row is locked (SELECT ... FOR
UPDATE; several coupons always in primary-key order), the per-customer limit is counted
under that lock, and `times_used` goes up by a conditional UPDATE (`times_used + 1 WHERE
times_used < usage_limit`), so that no number of concurrent orders can use a coupon more
often than allowed.

A code that does not exist is bad input (400 COUPON_NOT_FOUND), not a missing resource: it
was typed by a customer, and a 404 would read as "the cart was not found".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.services import UNSET, Unset
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.text import text_storable
from comptoir.promotions.models import (
    Coupon,
    CouponRedemption,
    Promotion,
    PromotionKind,
)
from comptoir.promotions.services._common import dates_check, field_error, validate

CODE = re.compile(r"^[A-Z0-9-]{3,40}$")
PREFIX = re.compile(r"^[A-Z0-9-]{0,20}$")
# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read aloud or typed from paper is never mistaken.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
MAX_GENERATED = 10_000
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class CouponBatch:
    """Codes generated together, and the batch reference stored on each of them."""

    batch: str
    codes: list[str]


def code_normalize(code: str) -> str:
    """The stored form of a code: stripped, upper-case."""
    return code.strip().upper()


def _code_checked(code: str, *, field: str = "code") -> str:
    normalized = code_normalize(code)
    if not CODE.match(normalized):
        raise field_error(
            "INVALID_COUPON_CODE",
            field,
            _("A code has 3 to 40 letters, digits or hyphens."),
        )
    return normalized


def _promotion_takes_coupons(promotion: Promotion) -> None:
    if promotion.kind != PromotionKind.CART or not promotion.requires_coupon:
        raise field_error(
            "COUPON_NOT_ALLOWED",
            "promotion",
            _("Only a cart promotion that needs a coupon code can have coupons."),
        )


def _limits_check(
    *,
    usage_limit: int | None,
    per_customer_limit: int | None,
    min_subtotal: Decimal | None,
    valid_from: datetime | None,
    valid_until: datetime | None,
) -> None:
    for field, limit in (("usage_limit", usage_limit), ("per_customer_limit", per_customer_limit)):
        if limit is not None and limit < 1:
            raise field_error("INVALID_INPUT", field, _("A limit must be at least 1."))
    if min_subtotal is not None and min_subtotal <= 0:
        raise field_error(
            "INVALID_INPUT", "min_subtotal", _("The minimum order amount must be above zero.")
        )
    dates_check(valid_from, valid_until, start_field="valid_from", end_field="valid_until")


def _taken(code: str) -> Conflict:
    message = _("The code %(code)s is already taken.") % {"code": code}
    return Conflict(message, code="COUPON_CODE_TAKEN", errors={"code": [message]})


@transaction.atomic
def coupon_create(
    *,
    promotion: Promotion,
    code: str,
    usage_limit: int | None = None,
    per_customer_limit: int | None = None,
    min_subtotal: Decimal | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    is_active: bool = True,
    batch: str = "",
) -> Coupon:
    """Create one coupon of a cart promotion that needs a code. The code is stored
    upper-case (INVALID_COUPON_CODE, COUPON_CODE_TAKEN 409, COUPON_NOT_ALLOWED,
    INVALID_DATES, INVALID_INPUT)."""
    normalized = _code_checked(code)
    _promotion_takes_coupons(promotion)
    _limits_check(
        usage_limit=usage_limit,
        per_customer_limit=per_customer_limit,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if Coupon.objects.filter(code=normalized).exists():
        raise _taken(normalized)
    coupon = Coupon(
        promotion=promotion,
        code=normalized,
        usage_limit=usage_limit,
        per_customer_limit=per_customer_limit,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
        is_active=is_active,
        batch=batch,
    )
    validate(coupon, exclude=["code"])
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError:  # the same code created meanwhile
        raise _taken(normalized) from None
    return coupon


@transaction.atomic
def coupon_update(
    *,
    coupon: Coupon,
    usage_limit: int | Unset | None = UNSET,
    per_customer_limit: int | Unset | None = UNSET,
    min_subtotal: Decimal | Unset | None = UNSET,
    valid_from: datetime | Unset | None = UNSET,
    valid_until: datetime | Unset | None = UNSET,
    is_active: bool | Unset = UNSET,
) -> Coupon:
    """Change a coupon's limits, validity or state (its code and promotion never change).
    A total limit below the uses already counted is refused (COUPON_LIMIT_BELOW_USAGE)."""
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
    changes = {
        k: v
        for k, v in {
            "usage_limit": usage_limit,
            "per_customer_limit": per_customer_limit,
            "min_subtotal": min_subtotal,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "is_active": is_active,
        }.items()
        if v is not UNSET
    }
    merged = {
        field: changes.get(field, getattr(locked, field))
        for field in (
            "usage_limit",
            "per_customer_limit",
            "min_subtotal",
            "valid_from",
            "valid_until",
        )
    }
    _limits_check(**merged)
    limit = merged["usage_limit"]
    if limit is not None and limit < locked.times_used:
        raise field_error(
            "COUPON_LIMIT_BELOW_USAGE",
            "usage_limit",
            _("This coupon was already used %(count)s times.") % {"count": locked.times_used},
        )
    for field, value in changes.items():
        setattr(locked, field, value)
    validate(locked, exclude=["code"])
    locked.save(update_fields=[*changes] if changes else None)
    coupon.__dict__.update(locked.__dict__)
    return coupon


@transaction.atomic
def coupon_delete(*, coupon: Coupon) -> None:
    """Delete a coupon nobody used; one used by orders is kept (Conflict COUPON_IN_USE):
    deactivate it instead. The coupon row is locked first, as `coupon_redeem` does, so that
    an order redeeming it meanwhile is either seen here or waits for the delete."""
    Coupon.objects.select_for_update().filter(pk=coupon.pk).exists()
    if coupon.redemptions.exists():
        raise Conflict(
            _("Orders used this coupon: deactivate it instead."),
            code="COUPON_IN_USE",
            errors={"code": ["COUPON_IN_USE"]},
        )
    coupon.delete()


def _random_codes(count: int, *, prefix: str, length: int) -> set[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(prefix + "".join(secrets.choice(ALPHABET) for _ in range(length)))
    return codes


def _existing(codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), _CHUNK):
        found |= set(
            Coupon.objects.filter(code__in=codes[start : start + _CHUNK]).values_list(
                "code", flat=True
            )
        )
    return found


@transaction.atomic
def coupons_generate(
    *,
    promotion: Promotion,
    count: int,
    prefix: str = "",
    length: int = 10,
    usage_limit: int | None = 1,
    per_customer_limit: int | None = 1,
    min_subtotal: Decimal | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> CouponBatch:
    """Generate `count` (1..10,000) random codes `prefix` + `length` characters (6..32)
    of an unambiguous alphabet, single-use by default, all inserted in one transaction and
    sharing one batch reference (returned with the codes, sorted)."""
    _promotion_takes_coupons(promotion)
    if not 1 <= count <= MAX_GENERATED:
        raise field_error(
            "INVALID_INPUT",
            "count",
            _("Generate between 1 and %(max)s codes.") % {"max": MAX_GENERATED},
        )
    normalized_prefix = code_normalize(prefix)
    if not PREFIX.match(normalized_prefix):
        raise field_error(
            "INVALID_COUPON_CODE", "prefix", _("A prefix has up to 20 letters, digits or hyphens.")
        )
    if not 6 <= length <= 32 or len(normalized_prefix) + length > 40:
        raise field_error(
            "INVALID_INPUT",
            "length",
            _("Codes have 6 to 32 random characters and at most 40 in all."),
        )
    _limits_check(
        usage_limit=usage_limit,
        per_customer_limit=per_customer_limit,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    batch = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    codes = _random_codes(count, prefix=normalized_prefix, length=length)
    for _attempt in range(5):
        taken = _existing(sorted(codes))
        while taken:  # astronomically rare with 10 characters; replace and check again
            codes -= taken
            fresh = _random_codes(len(taken), prefix=normalized_prefix, length=length) - codes
            codes |= fresh
            taken = _existing(sorted(fresh))
        rows = [
            Coupon(
                promotion=promotion,
                code=code,
                usage_limit=usage_limit,
                per_customer_limit=per_customer_limit,
                min_subtotal=min_subtotal,
                valid_from=valid_from,
                valid_until=valid_until,
                batch=batch,
            )
            for code in sorted(codes)
        ]
        try:
            with transaction.atomic():
                Coupon.objects.bulk_create(rows, batch_size=_CHUNK)
        except IntegrityError:  # a code created meanwhile by someone else: draw again
            codes = _random_codes(count, prefix=normalized_prefix, length=length)
            continue
        return CouponBatch(batch=batch, codes=sorted(codes))
    raise Conflict(_("Could not generate unique codes, try again."), code="COUPON_CODE_TAKEN")


# --- checking and redeeming ----------------------------------------------------------------


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors={"code": [message]})


def _not_found() -> InvalidInput:
    return _refuse("COUPON_NOT_FOUND", _("This code does not exist."))


def _email_normalize(email: str) -> str:
    return email.strip().lower()


def _customer_uses(coupon: Coupon, *, user: User | None, email: str) -> int:
    """How many orders of this customer used it: the user's, and those placed with the
    order's email or the user's account email, or by an account with one of those emails
    (an account and guest checkouts under its address count as one customer)."""
    condition = Q()
    emails = {email} if email else set()
    if user is not None and user.pk is not None:
        condition |= Q(user_id=user.pk)
        if user.email:
            emails.add(user.email)
    for address in emails:
        if text_storable(address):  # an email no column can hold matches no order
            normalized = _email_normalize(address)
            condition |= Q(email=normalized) | Q(user__email__iexact=normalized)
    if not condition:
        return 0
    return CouponRedemption.objects.filter(condition, coupon=coupon).count()


def _check(
    coupon: Coupon,
    *,
    channel: Channel,
    subtotal: Decimal,
    user: User | None,
    email: str,
    customer_group_id: int | None,
    now: datetime,
) -> None:
    promotion = coupon.promotion
    if not coupon.is_active or not promotion.is_active:
        raise _refuse("COUPON_EXPIRED", _("This code is no longer valid."))
    starts = [d for d in (coupon.valid_from, promotion.starts_at) if d is not None]
    if any(now < d for d in starts):
        raise _refuse("COUPON_NOT_STARTED", _("This code is not valid yet."))
    ends = [d for d in (coupon.valid_until, promotion.ends_at) if d is not None]
    if any(now >= d for d in ends):
        raise _refuse("COUPON_EXPIRED", _("This code has expired."))
    channel_ids = {c.pk for c in promotion.channels.all()}
    wrong_currency = bool(promotion.currency) and promotion.currency != channel.currency
    if (channel_ids and channel.pk not in channel_ids) or wrong_currency:
        raise _refuse("COUPON_NOT_APPLICABLE", _("This code cannot be used here."))
    group_ids = {g.pk for g in promotion.customer_groups.all()}
    if group_ids and customer_group_id not in group_ids:
        raise _refuse("COUPON_NOT_APPLICABLE", _("This code cannot be used by this customer."))
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise _refuse("COUPON_EXHAUSTED", _("This code has been used up."))
    if coupon.per_customer_limit is not None and (
        _customer_uses(coupon, user=user, email=email) >= coupon.per_customer_limit
    ):
        raise _refuse("COUPON_CUSTOMER_LIMIT", _("You have already used this code."))
    minimum = max(
        (m for m in (coupon.min_subtotal, promotion.min_subtotal) if m is not None), default=None
    )
    if minimum is not None and subtotal < minimum:
        raise _refuse(
            "COUPON_MIN_AMOUNT",
            _("This code needs an order of at least %(amount)s %(currency)s.")
            % {"amount": minimum, "currency": channel.currency},
        )


def coupon_check(
    *,
    code: str,
    channel: Channel,
    subtotal: Decimal,
    user: User | None = None,
    email: str = "",
    customer_group_id: int | None = None,
    now: datetime | None = None,
) -> Coupon:
    """The coupon of `code` if a cart of `subtotal` (as the channel enters prices) in
    `channel` may use it now; changes nothing. InvalidInput (400) otherwise, in this
    order: COUPON_NOT_FOUND, COUPON_EXPIRED (coupon or promotion inactive or ended),
    COUPON_NOT_STARTED, COUPON_NOT_APPLICABLE (channel, currency or customer group),
    COUPON_EXHAUSTED, COUPON_CUSTOMER_LIMIT (the user, or the email, used it
    `per_customer_limit` times), COUPON_MIN_AMOUNT (below the coupon's or the promotion's
    minimum)."""
    normalized = code_normalize(code)
    if not CODE.match(normalized):
        raise _not_found()
    coupon = (
        Coupon.objects.select_related("promotion")
        .prefetch_related("promotion__channels", "promotion__customer_groups")
        .filter(code=normalized)
        .first()
    )
    if coupon is None:
        raise _not_found()
    _check(
        coupon,
        channel=channel,
        subtotal=subtotal,
        user=user,
        email=email,
        customer_group_id=customer_group_id,
        now=now or timezone.now(),
    )
    return coupon


def _locked(code: str) -> Coupon | None:
    """The coupon of `code`, locked until the transaction ends (PK order, as every lock of
    several coupons must be taken)."""
    normalized = code_normalize(code)
    if not CODE.match(normalized):
        return None
    return (
        Coupon.objects.select_for_update(of=("self",))
        .select_related("promotion")
        .filter(code=normalized)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def coupon_redeem(
    *,
    code: str,
    order_reference: str,
    email: str,
    subtotal: Decimal,
    channel: Channel,
    user: User | None = None,
    customer_group_id: int | None = None,
    now: datetime | None = None,
) -> CouponRedemption:
    """Count one use of `code` by the order `order_reference`. Call it from order
    placement, inside its transaction (the lock on the coupon is held until that commits),
    after the order's subtotal is known and before any external call.

    Runs every check of `coupon_check` again under the lock (same codes), then increments
    `times_used` by a conditional UPDATE and records the redemption. Idempotent: a second
    call for the same order returns the first redemption and counts nothing."""
    if not order_reference or len(order_reference) > 64 or not text_storable(order_reference):
        raise field_error("INVALID_INPUT", "order_reference", _("An order reference is needed."))
    coupon = _locked(code)
    if coupon is None:
        raise _not_found()
    existing = CouponRedemption.objects.filter(
        coupon=coupon, order_reference=order_reference
    ).first()
    if existing is not None:
        return existing
    _check(
        coupon,
        channel=channel,
        subtotal=subtotal,
        user=user,
        email=email,
        customer_group_id=customer_group_id,
        now=now or timezone.now(),
    )
    redemption = CouponRedemption(
        coupon=coupon,
        user=user if user is not None and user.pk is not None else None,
        email=_email_normalize(email),
        order_reference=order_reference,
    )
    validate(redemption, exclude=["coupon", "user"])
    counted = (
        Coupon.objects.filter(pk=coupon.pk)
        .filter(Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")))
        .update(times_used=F("times_used") + 1)
    )
    if not counted:
        raise _refuse("COUPON_EXHAUSTED", _("This code has been used up."))
    redemption.save()
    return redemption


@transaction.atomic
def coupon_release(*, code: str, order_reference: str) -> bool:
    """Give back the use an order made of a coupon (the order was cancelled): the
    redemption is deleted and `times_used` decremented. Idempotent: False when there was
    nothing to release."""
    coupon = _locked(code)
    if coupon is None or not text_storable(order_reference):
        return False
    deleted, _rows = CouponRedemption.objects.filter(
        coupon=coupon, order_reference=order_reference
    ).delete()
    if not deleted:
        return False
    Coupon.objects.filter(pk=coupon.pk, times_used__gt=0).update(times_used=F("times_used") - 1)
    return True
