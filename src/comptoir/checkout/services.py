"""Checkout: turn a cart into an order (docs/checkout.md).

Three steps, so that no lock is held while a payment provider is called:

1. a short transaction reserves the stock, redeems the coupons the cart view applied,
   freezes the order snapshot (`OrderDraft`) into the payment and starts the payment;
2. the provider call, outside any transaction;
3. a short transaction turns the settled payment into the order (or, when it was
   declined, gives back the stock and the coupons: no order exists).

The checkout reference (`checkout_ref`) is derived from the cart and the
`Idempotency-Key`, so a retry after a crash finds the payment it already started and
asks the provider again with the same reference: a customer is never charged twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.approvals import presenters as approval_presenters
from comptoir.approvals import selectors as approval_selectors
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.cart import selectors as cart_selectors
from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartStatus
from comptoir.cart.records import CartView
from comptoir.checkout.presenters import declined_body, not_placed_body, order_body, pending_body
from comptoir.companies import selectors as company_selectors
from comptoir.companies.permissions import CompanyPermission
from comptoir.companies.selectors import po_number_required
from comptoir.core import idempotency
from comptoir.core.errors import Conflict, DomainError, InvalidInput, NotFound, problem
from comptoir.inventory import services as inventory
from comptoir.orders import services as orders
from comptoir.orders.drafts import order_draft_from_snapshot
from comptoir.orders.models import Order, PaymentStatus
from comptoir.payments import services as payments
from comptoir.payments.models import Payment, PaymentMethod, PaymentState
from comptoir.payments.providers import on_account
from comptoir.pricing.records import minor_decimal
from comptoir.pricing.selectors.context import company_of
from comptoir.promotions.services import coupons

logger = logging.getLogger(__name__)

# Payments made without a provider call: the order is placed at once, unpaid.
OFFLINE_METHODS = frozenset({PaymentMethod.BANK_TRANSFER, PaymentMethod.ON_ACCOUNT})
SETTLED_OK = frozenset({PaymentState.CAPTURED, PaymentState.AUTHORIZED})
SETTLED_KO = frozenset({PaymentState.DECLINED, PaymentState.FAILED, PaymentState.VOIDED})
MAX_PO_NUMBER = 64
MAX_COST_CENTRE = 64
MAX_RETURN_URL = 1000
# An order on account refused by the credit check when it is placed (docs/invoicing.md):
# the checkout is given back and answers 409 with the check's code.
CREDIT_REFUSALS = frozenset({"CREDIT_LIMIT_EXCEEDED", "ON_ACCOUNT_NOT_ALLOWED"})


def checkout_ref_for(*, cart_token: str, key: str) -> str:
    """The reference of one checkout attempt: the same cart and key give the same one."""
    digest = hashlib.sha256(f"{cart_token}\x00{key}".encode()).hexdigest()
    return f"co-{digest[:40]}"


def _reservation_seconds() -> int:
    return int(getattr(settings, "COMPTOIR_RESERVATION_SECONDS", 900))


# --- The request ------------------------------------------------------------------------


REQUEST_FIELDS = {
    "payment_method": 30,
    "payment_source": 255,
    "po_number": MAX_PO_NUMBER,
    "cost_centre": MAX_COST_CENTRE,
    "return_url": MAX_RETURN_URL,
    "customer_note": 2000,
}


def _strings(body: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    """Each known field as a stripped string ("" when absent); unknown fields are errors."""
    for name in body:
        if name not in REQUEST_FIELDS:
            errors[name] = [_("Unknown field.")]
    values: dict[str, str] = {}
    for name, limit in REQUEST_FIELDS.items():
        value = body.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Must be a string.")]
        elif len(value) > limit or "\x00" in value:
            errors[name] = [_("At most %(n)d characters, no NUL.") % {"n": limit}]
        else:
            values[name] = value.strip()
    return values


def _request(body: Mapping[str, Any]) -> dict[str, str]:
    """The checked request body: payment method and source, PO number, return URL, note."""
    errors: dict[str, list[str]] = {}
    values = _strings(body, errors)
    method = values.get("payment_method")
    if method == "":
        errors["payment_method"] = [_("This field is required.")]
    elif method is not None and method not in PaymentMethod.values:
        errors["payment_method"] = [_("Unknown payment method.")]
    url = values.get("return_url", "")
    if url and not url.startswith(("https://", "http://")):
        errors["return_url"] = [_("Enter an http(s) URL.")]
    if errors:
        raise InvalidInput(_("The checkout request is not valid."), errors=errors)
    return values


# --- Snapshot ---------------------------------------------------------------------------


def _decimal(amount: int, view: CartView) -> str:
    return str(minor_decimal(amount, view.digits))


def _draft_data(
    *,
    view: CartView,
    cart: Cart,
    user: Any,
    company_id: int | None,
    request: dict[str, str],
    placed_by_staff_id: int | None = None,
) -> dict[str, Any]:
    """The order as the customer reviewed it, JSON-ready (frozen into the payment).
    `placed_by_staff_id`: the staff member shopping on the customer's behalf, if any."""
    lines = []
    for line in view.lines:
        assert line.unit is not None
        assert line.total is not None
        assert line.subtotal is not None
        undiscounted = line.undiscounted_unit or line.unit
        lines.append(
            {
                "variant_id": line.variant_id,
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "tax_rate": str(Decimal(line.tax_rate) / 1000),
                "undiscounted_unit_gross": _decimal(undiscounted.gross, view),
                "unit_net": _decimal(line.unit.net, view),
                "unit_gross": _decimal(line.unit.gross, view),
                "discount_gross": _decimal(line.subtotal.gross - line.total.gross, view),
                "total_net": _decimal(line.total.net, view),
                "total_tax": _decimal(line.total.tax, view),
                "total_gross": _decimal(line.total.gross, view),
                "rule": line.rule,
            }
        )
    shipping = view.shipping
    discount_gross = sum(
        (line.subtotal.gross - line.total.gross)
        for line in view.lines
        if line.subtotal and line.total
    )
    return {
        "channel_id": view.channel_id,
        "user_id": getattr(user, "pk", None),
        "company_id": company_id,
        "email": cart.email or getattr(user, "email", ""),
        "language": cart.language or "fr",
        "currency": view.currency,
        "prices_include_tax": view.display_gross,
        "subtotal_net": _decimal(view.subtotal.net, view),
        "subtotal_tax": _decimal(view.subtotal.tax, view),
        "subtotal_gross": _decimal(view.subtotal.gross, view),
        "discount_gross": _decimal(discount_gross, view),
        "shipping_net": _decimal(shipping.price.net if shipping else 0, view),
        "shipping_tax": _decimal(shipping.price.tax if shipping else 0, view),
        "shipping_gross": _decimal(shipping.price.gross if shipping else 0, view),
        "total_net": _decimal(view.total.net, view),
        "total_tax": _decimal(view.total.tax, view),
        "total_gross": _decimal(view.total.gross, view),
        "tax_breakdown": [
            {
                "rate": str(Decimal(bucket.rate) / 1000),
                "net": _decimal(bucket.net, view),
                "tax": _decimal(bucket.tax, view),
            }
            for bucket in view.tax_breakdown
        ],
        "tax_treatment": view.tax_treatment,
        "legal_mention": view.legal_mention,
        "shipping_method_code": shipping.code if shipping else "",
        "shipping_method_name": shipping.name if shipping else "",
        "pickup_warehouse_id": shipping.pickup_warehouse_id if shipping else None,
        "shipping_address": cart.shipping_address,
        "billing_address": cart.billing_address or cart.shipping_address,
        "discounts": [
            {
                "code": discount.promotion_code,
                "coupon": discount.coupon_code,
                "name": discount.label,
                "amount": _decimal(discount.amount, view),
            }
            for discount in view.discounts
        ],
        "coupon_codes": sorted({d.coupon_code for d in view.discounts if d.coupon_code}),
        "customer_note": request.get("customer_note") or cart.customer_note,
        "po_number": request.get("po_number", ""),
        "cost_centre": request.get("cost_centre", ""),
        "lines": lines,
        "cart_token": cart.token,
        "placed_by_staff_id": placed_by_staff_id,
    }


# --- Step 1: reserve and start the payment ---------------------------------------------


def _payment_check(method: str, *, channel: Any, company_id: int | None, view: CartView) -> None:
    """Refuse a payment method the order may not use (PAYMENT_METHOD_UNAVAILABLE), and an
    order on account beyond the company's credit (early, nothing reserved yet: placement
    checks again under the billing account's lock)."""
    if method not in payments.methods_available(channel=channel, company_id=company_id):
        raise InvalidInput(
            _("This payment method is not available for this order."),
            code="PAYMENT_METHOD_UNAVAILABLE",
            errors={"payment_method": [_("Not available.")]},
        )
    if method == PaymentMethod.ON_ACCOUNT and company_id is not None:
        on_account.credit_check(company_id, minor_decimal(view.total.gross, view.digits))


def _start(
    *,
    cart: Cart,
    user: Any,
    request: dict[str, str],
    checkout_ref: str,
    placed_by_staff_id: int | None = None,
) -> Payment | OrderApproval:
    """Reserve the stock, redeem the coupons, freeze the snapshot and start the payment,
    in one short transaction; or find the payment an earlier attempt with the same key
    started (a retry after a crash or a timeout). When the company's approval rules or
    the buyer's budget apply, freeze the snapshot into a pending approval instead
    (`_approval_start`): nothing reserved, redeemed or paid until it is approved."""
    with transaction.atomic():
        locked = cart_services.cart_lock(cart_id=cart.pk, like=cart)
        if locked.metadata.get("approval_id") and (
            locked.metadata.get("checkout_ref") == checkout_ref
        ):  # a retry of the checkout that started this approval
            return OrderApproval.objects.get(pk=locked.metadata["approval_id"])
        existing = Payment.objects.filter(checkout_ref=checkout_ref).order_by("-id").first()
        if existing is not None and (
            existing.order_id is not None
            or existing.state not in SETTLED_KO
            or _is_current(existing, locked)  # declined, but never given back (a crash)
        ):
            return existing
        if locked.status == CartStatus.CHECKING_OUT:
            raise Conflict(
                _("A checkout of this cart is already in progress."),
                code="CHECKOUT_IN_PROGRESS",
            )
        if locked.status != CartStatus.OPEN:
            raise Conflict(_("This cart was already checked out."), code="CART_COMPLETED")
        buyer = company_of(user) if user is not None else None
        company_id = buyer.company_id if buyer is not None else None
        if not request.get("po_number") and po_number_required(company_id=company_id):
            message = _("Your company requires a purchase order number.")
            raise InvalidInput(message, code="PO_NUMBER_REQUIRED", errors={"po_number": [message]})
        view = cart_selectors.cart_view(cart=locked, user=user, language=locked.language or "fr")
        short = {
            line.sku: [_("Only %(n)d available.") % {"n": max(line.available or 0, 0)}]
            for line in view.lines
            if line.problem == "INSUFFICIENT_STOCK"
        }
        if short:
            raise Conflict(
                _("Not enough stock for some lines."), code="INSUFFICIENT_STOCK", errors=short
            )
        refused = {code: [problem] for code, problem in view.coupons if problem}
        if refused:
            # The customer counted on it: say so rather than charge the full price.
            raise InvalidInput(
                _("A coupon of this cart cannot be used any more; remove it to continue."),
                code=next(iter(refused.values()))[0],
                errors={"coupons": [f"{code}: {p[0]}" for code, p in refused.items()]},
            )
        if view.blockers:
            raise InvalidInput(
                _("The cart cannot be checked out yet."),
                code="CHECKOUT_NOT_READY",
                errors={
                    "cart": list(view.blockers),
                    **{line.sku: [line.problem] for line in view.lines if line.problem},
                },
            )
        method = request["payment_method"]
        channel = locked.channel
        _payment_check(method, channel=channel, company_id=company_id, view=view)
        if buyer is not None:
            approval = _approval_start(
                cart=locked,
                user=user,
                view=view,
                request=request,
                checkout_ref=checkout_ref,
                placed_by_staff_id=placed_by_staff_id,
            )
            if approval is not None:
                return approval
        expires_at = timezone.now() + timedelta(seconds=_reservation_seconds())
        reserved = inventory.stock_reserve(
            token=checkout_ref,
            lines=[(line.variant_id, line.quantity) for line in view.lines],
            channel=channel,
            expires_at=expires_at,
        )
        data = _draft_data(
            view=view,
            cart=locked,
            user=user,
            company_id=company_id,
            request=request,
            placed_by_staff_id=placed_by_staff_id,
        )
        data["backordered"] = {str(k): v for k, v in reserved.backordered.items()}
        # Coupon minimums count the goods before cart promotions, as the cart checked them.
        entry_subtotal = minor_decimal(view.goods_entered, view.digits)
        for code in data["coupon_codes"]:
            coupons.coupon_redeem(
                code=code,
                order_reference=checkout_ref,
                email=data["email"],
                subtotal=entry_subtotal,
                channel=channel,
                user=user if getattr(user, "pk", None) else None,
                customer_group_id=buyer.customer_group_id if buyer is not None else None,
            )
        payment = payments.payment_start(
            checkout_ref=checkout_ref,
            method=method,
            amount=Decimal(data["total_gross"]),
            currency=view.currency,
            source=request.get("payment_source", ""),
            return_url=request.get("return_url", ""),
            email=data["email"],
            metadata={"draft": data},
        )
        cart_services.cart_mark(
            cart=locked,
            status=CartStatus.CHECKING_OUT,
            metadata={**locked.metadata, "checkout_ref": checkout_ref},
        )
        return payment


# --- Approvals (docs/approvals.md) ---------------------------------------------------------


def _approval_start(
    *,
    cart: Cart,
    user: Any,
    view: CartView,
    request: dict[str, str],
    checkout_ref: str,
    placed_by_staff_id: int | None = None,
) -> OrderApproval | None:
    """Inside `_start`'s transaction, the cart locked: when the company's rules or the
    buyer's budget apply to this order, a pending approval of its frozen snapshot and the
    cart closed (so it is not checked out twice); None when no approval is needed.
    Nothing is reserved or redeemed until the approval (as Adobe Commerce does). Only
    offline payment methods wait for an approval (400 APPROVAL_PAYMENT_METHOD)."""
    member = company_selectors.membership_for_user(user)
    if member is None:
        return None
    data = _draft_data(
        view=view,
        cart=cart,
        user=user,
        company_id=member.company_id,
        request=request,
        placed_by_staff_id=placed_by_staff_id,
    )
    levels, reasons = approval_selectors.approval_levels_for(
        member=member, facts=approval_selectors.facts_from_draft(data)
    )
    if not levels:
        return None
    if request["payment_method"] not in OFFLINE_METHODS:
        message = _("An order that needs approval is paid on account or by bank transfer.")
        raise InvalidInput(
            message, code="APPROVAL_PAYMENT_METHOD", errors={"payment_method": [message]}
        )
    # What placement needs later: coupon minimums count the goods before cart promotions.
    data["coupon_subtotal"] = str(minor_decimal(view.goods_entered, view.digits))
    data["customer_group_id"] = member.company.customer_group_id
    approval = approval_services.approval_create(
        company_id=member.company_id,
        buyer=user,
        checkout_ref=checkout_ref,
        draft=data,
        request=dict(request),
        levels=levels,
        reasons=reasons,
    )
    cart_services.cart_mark(
        cart=cart,
        status=CartStatus.COMPLETED,
        metadata={**cart.metadata, "checkout_ref": checkout_ref, "approval_id": approval.pk},
    )
    return approval


# --- Step 3: settle ---------------------------------------------------------------------


def _is_current(payment: Payment, cart: Cart) -> bool:
    """Whether `cart` is checking out with `payment`'s checkout (not an older attempt)."""
    return cart.status == CartStatus.CHECKING_OUT and cart.metadata.get("checkout_ref") in (
        None,
        payment.checkout_ref,
    )


def _order_of(payment: Payment) -> Order | None:
    return Order.objects.filter(pk=payment.order_id).first() if payment.order_id else None


def _place_order(payment: Payment) -> Order:
    """Inside a transaction that holds the cart lock: the order from the frozen snapshot."""
    data = payment.metadata["draft"]
    if payment.method == PaymentMethod.ON_ACCOUNT:
        # Locks the company's billing account until this order is committed (before the
        # stock rows, as in _start: no deadlock).
        on_account.credit_check(data["company_id"], Decimal(data["total_gross"]))
    try:
        allocations = inventory.reservation_commit(token=payment.checkout_ref)
        backordered = {int(k): v for k, v in data.get("backordered", {}).items()}
    except Conflict as exc:
        if exc.code != "RESERVATION_EXPIRED":
            raise
        # The customer took longer than the reservation (a second payment step): take the
        # stock again now, or fail (the caller gives the money back).
        reserved = inventory.stock_reserve(
            token=payment.checkout_ref,
            lines=[(line["variant_id"], line["quantity"]) for line in data["lines"]],
            channel=Cart.objects.get(token=data["cart_token"]).channel,
            expires_at=timezone.now() + timedelta(seconds=60),
        )
        backordered = reserved.backordered
        allocations = inventory.reservation_commit(token=payment.checkout_ref)
    captured = payment.state == PaymentState.CAPTURED
    received = payment.amount_captured or payment.amount
    # Captured in full (a card): the order is placed paid, in its insert; a part capture
    # is recorded after it (order_mark_paid).
    paid = captured and received == Decimal(data["total_gross"])
    if payment.method == PaymentMethod.ON_ACCOUNT:
        status = PaymentStatus.ON_ACCOUNT
    elif paid:
        status = PaymentStatus.PAID
    elif captured:
        status = PaymentStatus.PENDING  # order_mark_paid below records the money
    elif payment.state == PaymentState.AUTHORIZED:
        status = PaymentStatus.AUTHORIZED
    else:
        status = PaymentStatus.PENDING
    paid = paid and status == PaymentStatus.PAID
    draft = order_draft_from_snapshot(
        data,
        checkout_ref=payment.checkout_ref,
        method=payment.method,
        allocations=allocations,
        backordered=backordered,
        paid=received if paid else Decimal("0"),
        payment_status=status,
        payment_reference=str(payment.reference) if paid else "",
    )
    order = orders.order_create(draft=draft)
    payments.payment_attach(payment=payment, order=order)
    if captured and not paid:
        order = orders.order_mark_paid(
            order=order, amount=received, reference=str(payment.reference)
        )
    return order


def _give_back(payment: Payment, cart: Cart | None) -> None:
    """A declined or abandoned payment: reopen the cart, first (lock order: carts before
    holds, stock and coupons; reopening may lock the customer's other open cart), then
    release the stock and the coupons. Only the checkout holding the cart reopens it:
    settling an older, declined attempt again never frees a cart another checkout pays for."""
    if cart is not None and _is_current(payment, cart):
        cart_services.cart_mark(cart=cart, status=CartStatus.OPEN)
    inventory.reservation_release(token=payment.checkout_ref)
    for code in payment.metadata.get("draft", {}).get("coupon_codes", []):
        coupons.coupon_release(code=code, order_reference=payment.checkout_ref)


def _money_back(payment: Payment) -> None:
    """Give back a payment whose order could not be made (no transaction open: provider
    call). A failure is logged; reconciliation asks again."""
    current = Payment.objects.get(pk=payment.pk)
    try:
        if current.state == PaymentState.AUTHORIZED:
            payments.payment_void(payment=current)
            return
        left = current.amount_captured - current.amount_refunded - current.amount_refund_pending
        if current.state == PaymentState.CAPTURED and left > 0:
            payments.payment_refund(payment=current, amount=left, reason="order not placed")
    except DomainError:
        logger.exception("checkout %s: money not given back yet", current.checkout_ref)


def _place_or_give_back(payment: Payment, cart: Cart | None) -> tuple[int, dict[str, Any]]:
    """A settled payment's order (201), in a savepoint; when it cannot be made (its stock
    went after the hold expired, the cart was closed by another checkout), everything is
    given back (409: the caller gives the money back after the commit)."""
    try:
        with transaction.atomic():
            if cart is not None and not _is_current(payment, cart):
                raise Conflict(
                    _("This checkout was closed before its payment settled."),
                    code="CHECKOUT_CLOSED",
                )
            order = _place_order(payment)
            if cart is not None:
                cart_services.cart_mark(cart=cart, status=CartStatus.COMPLETED)
    except DomainError as exc:
        refused = payment.method == PaymentMethod.ON_ACCOUNT and exc.code in CREDIT_REFUSALS
        if payment.method in OFFLINE_METHODS and not refused:
            raise  # nothing was paid: the request fails, a retry may run
        _give_back(payment, cart)
        if refused:
            return 409, problem(409, exc.code, exc.title, exc.detail, exc.errors)
        return 409, not_placed_body(payment, exc)
    return 201, order_body(order, payment)


def _settle(
    payment: Payment, record: Any | None, *, cart_id: int | None = None
) -> tuple[int, dict[str, Any]]:
    """Turn where the payment stands into the checkout's outcome (status, body); completes
    the idempotency record in the same transaction when there is one. `cart_id`: the
    payment's cart when the caller has it (else found by the snapshot's cart token).
    A paid checkout whose order cannot be made (stock sold after its hold expired, cart
    closed by another checkout) is given back, and the money too, after the commit."""
    refund = False
    with transaction.atomic():
        if cart_id is None:
            found = Cart.objects.filter(token=payment.metadata["draft"]["cart_token"]).first()
            cart_id = None if found is None else found.pk
        cart = None
        if cart_id is not None:
            try:
                cart = cart_services.cart_lock(cart_id=cart_id)
            except NotFound:  # the cart is gone (purged): the payment decides alone
                cart = None
        payment = Payment.objects.get(pk=payment.pk)
        order = _order_of(payment)
        if order is not None:
            status, body = 201, order_body(order, payment)
        elif payment.state in SETTLED_OK or payment.method in OFFLINE_METHODS:
            status, body = _place_or_give_back(payment, cart)
            refund = status == 409
        elif payment.state in SETTLED_KO:
            _give_back(payment, cart)
            status, body = 402, declined_body(payment)
        else:
            status, body = 202, pending_body(payment)
        if record is not None and status != 202:
            # A 202 is not final: a retry with the same key asks again where it stands.
            idempotency.complete(record=record, status=status, body=body)
    if refund:
        _money_back(payment)
    return status, body


# --- Entry points -----------------------------------------------------------------------


def checkout_place(
    *,
    token: str,
    user: Any,
    idempotency_key: str | None,
    body: Mapping[str, Any],
    placed_by_staff: Any = None,
) -> tuple[int, dict[str, Any]]:
    """Place the order of cart `token` (or start its payment's second step).

    Returns the HTTP status and the JSON body: 201 placed, 202 waiting for the payment
    (second step or provider not answering yet) or for the company's approval
    (`status: "approval_pending"`, code APPROVAL_REQUIRED), 402 declined (no order). The
    same key and body replay the first answer; the same key with another body is a 409.
    `placed_by_staff`: the staff member shopping on `user`'s behalf (an assisted shopping
    session, docs/companies.md); the order (or the approval's order) records them.
    """
    key = idempotency.key_check(idempotency_key)
    cart = cart_selectors.cart_for(token=token, user=user)
    _may_order(user)
    request = _request(body)
    claim = idempotency.claim(
        scope=f"checkout:{cart.token}", key=key, request_hash=idempotency.request_hash(request)
    )
    if claim.replay is not None:
        return claim.replay
    record = claim.record
    checkout_ref = checkout_ref_for(cart_token=cart.token, key=key)
    try:
        started = _start(
            cart=cart,
            user=user,
            request=request,
            checkout_ref=checkout_ref,
            placed_by_staff_id=getattr(placed_by_staff, "pk", None),
        )
        if isinstance(started, OrderApproval):
            # Final for this key: a replay answers the same pending approval.
            answer = approval_presenters.approval_pending_body(started, user=user)
            if record is not None:
                with transaction.atomic():
                    idempotency.complete(record=record, status=202, body=answer)
            return 202, answer
        payment = started
        if payment.order_id is None and payment.method not in OFFLINE_METHODS:
            if payment.state == PaymentState.PENDING:
                payment = payments.payment_execute(payment=payment)
            elif payment.state in {PaymentState.UNKNOWN, PaymentState.REQUIRES_ACTION}:
                payment = payments.payment_sync(payment=payment)
        # The payment's snapshot is of this cart (the checkout reference is derived from
        # its token).
        status, answer = _settle(payment, record, cart_id=cart.pk)
    except Exception:
        _release(record)
        raise
    if status == 202:
        _release(record)
    return status, answer


def _may_order(user: Any) -> None:
    """A company member orders only when their role holds `orders.place` (a viewer never
    does): 403 COMPANY_PERMISSION_DENIED, nothing changed. Customers of no company order."""
    if user is not None and company_selectors.membership_for_user(user) is not None:
        company_selectors.member_require(user, CompanyPermission.ORDERS_PLACE)


def _release(record: Any) -> None:
    """Let a retry run at once (a failed attempt changed nothing it keeps)."""
    try:
        if not connection.in_atomic_block and not connection.is_usable():
            connection.close()
        idempotency.release(record=record)
    except Exception:  # the database is gone: the lease expires instead
        logger.warning("could not release idempotency record", exc_info=True)


def checkout_payment_settled(*, payment: Payment) -> Order | None:
    """Turn a settled payment (webhook, return from a second step, reconciliation) into its
    order, or release its checkout when it failed. Idempotent."""
    if "draft" not in payment.metadata:
        return _order_of(payment)
    _settle(payment, None)
    payment.refresh_from_db()
    return _order_of(payment)


def checkout_reconcile(*, older_than_seconds: int = 60) -> int:
    """Ask the provider about checkouts left without an answer (timeouts, abandoned second
    steps) and settle them: paid ones become orders once, failed or expired ones give the
    stock back. Returns how many changed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    expired = timezone.now() - timedelta(seconds=_reservation_seconds())
    changed = 0
    stuck = Payment.objects.filter(
        order__isnull=True,
        updated_at__lt=cutoff,
        state__in=[PaymentState.UNKNOWN, PaymentState.PENDING, PaymentState.REQUIRES_ACTION],
    ).exclude(method__in=OFFLINE_METHODS)
    for candidate in stuck.order_by("id")[:500]:
        before = candidate.state
        try:
            payment = payments.payment_sync(payment=candidate)
        except DomainError:
            logger.warning("reconciliation: %s unanswered", candidate.reference)
            continue
        if payment.state not in SETTLED_OK and payment.created_at < expired:
            try:
                payment = payments.payment_void(payment=payment)
            except DomainError:
                logger.warning("reconciliation: %s could not be voided", payment.reference)
                continue
        if payment.state != before or payment.state in SETTLED_OK | SETTLED_KO:
            try:
                checkout_payment_settled(payment=payment)
            except DomainError:  # one payment never stops the others
                logger.warning("reconciliation: %s not settled", payment.reference)
                continue
            changed += 1
    # Paid but left without an order (its settlement failed): made now, or given back.
    paid = Payment.objects.filter(
        order__isnull=True, updated_at__lt=cutoff, state__in=SETTLED_OK, metadata__has_key="draft"
    ).exclude(method__in=OFFLINE_METHODS)
    for payment in paid.order_by("id")[:500]:
        try:
            checkout_payment_settled(payment=payment)
        except DomainError:
            logger.warning("reconciliation: %s not settled", payment.reference)
            continue
        changed += 1
    return changed
