"""A payment's way through checkout: created with the checkout (`payment_start`), sent to
the provider with no lock held (`payment_execute`), asked about again when the answer was
lost or the customer had a second step (`payment_sync`), tied to its order
(`payment_attach`). See docs/payments.md."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.numbers import is_currency
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    invalid_from_django,
)
from comptoir.core.validation import text_check
from comptoir.orders.models import Order
from comptoir.payments.models import Payment, PaymentMethod, PaymentState, TransactionKind
from comptoir.payments.providers import method_enabled, on_account, test_gateway
from comptoir.payments.providers.base import ChargeRequest, ProviderResult, ProviderUnavailable
from comptoir.payments.services._common import (
    amount_check,
    apply,
    fresh,
    outside_transaction,
    payment_lock,
    provider_of,
    record_no_answer,
    record_result,
    return_url_of,
    save,
)
from comptoir.payments.services.operations import refunds_retry

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_STRIPE_PM = re.compile(r"^pm_[A-Za-z0-9_]{1,252}$")
CHECKOUT_REF_MAX_LENGTH = 120
RETURN_URL_MAX_LENGTH = 1000
# What `payment_execute` and `payment_sync` act on; other states are decided.
_TO_CHARGE = frozenset({PaymentState.PENDING, PaymentState.UNKNOWN})
_TO_SYNC = frozenset(
    {
        PaymentState.PENDING,
        PaymentState.REQUIRES_ACTION,
        PaymentState.UNKNOWN,
        PaymentState.AUTHORIZED,
    }
)


def _invalid(code: str, field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def _currency_check(currency: object) -> str:
    if not isinstance(currency, str) or not _CURRENCY.match(currency) or not is_currency(currency):
        raise _invalid("INVALID_CURRENCY", "currency", _("Use an ISO 4217 code such as EUR."))
    return currency


def _return_url_check(url: object) -> str:
    if not isinstance(url, str) or len(url) > RETURN_URL_MAX_LENGTH:
        raise _invalid("INVALID_RETURN_URL", "return_url", _("Enter an http or https URL."))
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError as exc:
            raise _invalid(
                "INVALID_RETURN_URL", "return_url", _("Enter an http or https URL.")
            ) from exc
    return url


def _email_check(email: object) -> str:
    if not isinstance(email, str) or len(email) > 254:
        raise _invalid("INVALID_EMAIL", "email", _("Enter a valid email address."))
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise _invalid("INVALID_EMAIL", "email", _("Enter a valid email address.")) from exc
    return email


def _source_fields(method: str, source: object) -> dict[str, str]:
    """What a payment keeps of the client's `source`: never a card number."""
    if not isinstance(source, str) or len(source) > 255:
        raise _invalid("INVALID_PAYMENT_SOURCE", "payment_source", _("Invalid payment source."))
    if method == PaymentMethod.TEST_CARD:
        try:
            card = test_gateway.tokenize(source)
        except ValueError as exc:
            raise _invalid("INVALID_CARD", "payment_source", _("Invalid card number.")) from exc
        return {
            "source": card.masked,
            "token": card.token,
            "card_brand": card.brand,
            "card_last4": card.last4,
        }
    if method == PaymentMethod.STRIPE:
        if not _STRIPE_PM.match(source):
            raise _invalid(
                "INVALID_PAYMENT_SOURCE",
                "payment_source",
                _("Send the id of a Stripe PaymentMethod (pm_...)."),
            )
        return {"source": source, "token": source}
    return {}  # bank transfer and payment on account: nothing to keep


def payment_start(
    *,
    checkout_ref: str,
    method: str,
    amount: Decimal,
    currency: str,
    source: str = "",
    return_url: str = "",
    email: str = "",
    metadata: dict[str, Any] | None = None,
) -> Payment:
    """A new pending payment of `amount` for the checkout `checkout_ref` (call inside the
    checkout's transaction; no provider call). `metadata`: kept as given (checkout's order
    snapshot), in the same insert. `source`: the card number for the test
    gateway (checked, then kept masked with its token, brand and last four digits), the
    Stripe PaymentMethod id (pm_...) for Stripe, nothing for the offline methods.

    An `amount` of 0 (an order that coupons and free shipping pay in full) has nothing to
    take: the payment is created captured, its `source` is not needed, and no provider is
    ever called for it (`payment_execute` returns it as it is).

    400 INVALID_PAYMENT_METHOD / METHOD_UNAVAILABLE / INVALID_AMOUNT / INVALID_CURRENCY /
    INVALID_CARD / INVALID_PAYMENT_SOURCE / INVALID_RETURN_URL / INVALID_EMAIL /
    INVALID_INPUT / INVALID_TEXT."""
    # None (a JSON null passed through) means "not given".
    source, return_url, email = source or "", return_url or "", email or ""
    if not isinstance(method, str) or method not in PaymentMethod.values:
        raise _invalid("INVALID_PAYMENT_METHOD", "payment_method", _("Unknown payment method."))
    if not method_enabled(method):
        raise _invalid(
            "METHOD_UNAVAILABLE", "payment_method", _("This payment method is not available.")
        )
    if not isinstance(checkout_ref, str) or not 0 < len(checkout_ref) <= CHECKOUT_REF_MAX_LENGTH:
        raise _invalid("INVALID_INPUT", "checkout_ref", _("Invalid checkout reference."))
    text_check(checkout_ref=checkout_ref, payment_source=source, return_url=return_url, email=email)
    currency = _currency_check(currency)
    amount = amount_check(amount, currency=currency, allow_zero=True)
    free = amount == 0
    payment = Payment(
        checkout_ref=checkout_ref,
        method=method,
        amount=amount,
        currency=currency,
        return_url=_return_url_check(return_url),
        email=_email_check(email),
        metadata=dict(metadata or {}),
        **({} if free else _source_fields(method, source)),
    )
    if free:
        payment.state = PaymentState.CAPTURED
    # Field checks only: the new row's reference is a fresh UUID and its amounts satisfy
    # the check constraints by construction (a positive amount, nothing captured or
    # refunded), which the database enforces anyway; Django's unique and constraint
    # validation would cost a query (and savepoints) each.
    try:
        payment.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise invalid_from_django(exc) from exc
    payment.save()
    return payment


def payment_execute(*, payment: Payment) -> Payment:
    """Ask the provider to charge a pending payment (never inside a transaction: no lock is
    held during the call). The charge is keyed by the payment's reference, so calling again
    (after a crash, or for an UNKNOWN payment) never charges twice. Offline methods and
    payments already decided are returned as they are. Returns the payment as stored after
    the answer: CAPTURED, REQUIRES_ACTION (`action_url`), DECLINED (`error_code`), FAILED,
    or UNKNOWN when no answer came back."""
    outside_transaction("payment_execute")
    current = fresh(payment)
    provider = provider_of(current)
    if provider is None or current.state not in _TO_CHARGE:
        return current
    request = ChargeRequest(
        reference=current.reference,
        amount=current.amount,
        currency=current.currency,
        token=current.token,
        return_url=return_url_of(current),
        email=current.email,
    )
    try:
        result = provider.charge(request)
    except ProviderUnavailable as exc:
        return _no_answer(current, kind=TransactionKind.SALE, error=exc)
    return _settle(current, kind=TransactionKind.SALE, result=result, fail_on_error=True)


def _no_answer(payment: Payment, *, kind: str, error: Exception) -> Payment:
    with transaction.atomic():
        locked = payment_lock(payment)
        record_no_answer(locked, kind=kind, error=error, amount=locked.amount)
        previous = locked.state
        if locked.state == PaymentState.PENDING:
            locked.state = PaymentState.UNKNOWN
            save(locked, ["state"], previous=previous)
    return locked


def _settle(payment: Payment, *, kind: str, result: ProviderResult, fail_on_error: bool) -> Payment:
    """Record the provider's answer and move the payment accordingly (its row locked)."""
    with transaction.atomic():
        locked = payment_lock(payment)
        record_result(locked, kind=kind, result=result, amount=locked.amount)
        previous = locked.state
        save(locked, apply(locked, result, fail_on_error=fail_on_error), previous=previous)
    return locked


def payment_sync(*, payment: Payment) -> Payment:
    """Ask the provider where a payment stands and record it (never inside a transaction):
    after a lost answer (UNKNOWN), when the customer is back from a second step
    (REQUIRES_ACTION), for a payment never sent (PENDING: FAILED when the provider has no
    such payment) or authorized. Refunds left without an answer are asked again with the
    same idempotency key. Offline methods and decided payments make no call."""
    outside_transaction("payment_sync")
    current = fresh(payment)
    provider = provider_of(current)
    if provider is None:
        return current
    refunds_retry(payment=current, provider=provider)
    current = fresh(current)
    if current.state not in _TO_SYNC:
        return current
    try:
        result = provider.retrieve(reference=current.reference, provider_ref=current.provider_ref)
    except ProviderUnavailable as exc:
        with transaction.atomic():
            locked = payment_lock(current)
            record_no_answer(locked, kind=TransactionKind.SYNC, error=exc, amount=Decimal(0))
        return locked
    return _settle(current, kind=TransactionKind.SYNC, result=result, fail_on_error=False)


def payment_attach(*, payment: Payment, order: Order) -> Payment:
    """Tie a payment to the order made for it (inside checkout's transaction, after the
    order row). 409 PAYMENT_ALREADY_ATTACHED (another order), 400 CURRENCY_MISMATCH,
    404 PAYMENT_NOT_FOUND.

    No savepoint inside the caller's transaction (two round trips less): a refusal, which
    has written nothing, is raised once the block is left, so that it does not doom the
    caller's transaction."""
    refusal: DomainError | None = None
    with transaction.atomic(savepoint=False):
        try:
            locked = payment_lock(payment)
        except NotFound as exc:
            refusal = exc
        else:
            if locked.order_id == order.pk:
                return locked
            if locked.order_id is not None:
                refusal = Conflict(
                    _("This payment already belongs to another order."),
                    code="PAYMENT_ALREADY_ATTACHED",
                )
            elif locked.currency != order.currency:
                refusal = InvalidInput(
                    _("The payment and the order are not in the same currency."),
                    code="CURRENCY_MISMATCH",
                )
            else:
                locked.order = order
                locked.save(update_fields=["order", "updated_at"])
                payment.order = order
    if refusal is not None:
        raise refusal
    return locked


def methods_available(*, channel: Any, company_id: int | None) -> list[str]:
    """The payment method codes a buyer may use in `channel`: the card methods this
    deployment enables, bank transfer, and payment on account for the buyers
    `providers.on_account.allowed` accepts (company buyers). `channel` is where per-channel
    method lists will plug in; every channel offers the same methods today."""
    del channel  # same methods in every channel for now
    methods = [
        m
        for m in (PaymentMethod.TEST_CARD, PaymentMethod.STRIPE, PaymentMethod.BANK_TRANSFER)
        if method_enabled(m)
    ]
    if on_account.allowed(company_id):
        methods.append(PaymentMethod.ON_ACCOUNT)
    return [str(m) for m in methods]
