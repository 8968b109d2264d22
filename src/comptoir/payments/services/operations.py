"""Money moves after checkout: capture, void, refunds (staff, or checkout giving money
back), and bank transfers marked received. Provider calls are made with no lock held; the
order's books are kept by comptoir.orders.services (`order_mark_paid`,
`order_record_refund`). Locks follow docs/checkout.md: stock -> order -> payment."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, DomainError, InvalidInput
from comptoir.orders import services as order_services
from comptoir.orders.models import Order
from comptoir.payments.models import (
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentTransaction,
    TransactionKind,
    TransactionResult,
)
from comptoir.payments.providers.base import (
    NOT_FOUND,
    Provider,
    ProviderResult,
    ProviderUnavailable,
    ResultStatus,
)
from comptoir.payments.services._common import (
    CAPTURED_STATES,
    REASON_MAX_LENGTH,
    ProviderRefused,
    ProviderUnavailableError,
    amount_check,
    apply,
    emit,
    fresh,
    logger,
    outside_transaction,
    payment_lock,
    provider_of,
    record,
    record_no_answer,
    record_result,
    save,
    text_limit,
)


def _order_lock(order_id: int) -> Order:
    """The order row, locked (before the payment's: docs/checkout.md's lock order)."""
    return Order.objects.select_for_update(of=("self",)).get(pk=order_id)


def _no_answer(
    payment: Payment,
    *,
    kind: str,
    error: Exception,
    amount: Decimal,
    key: str = "",
    actor: Any = None,
) -> ProviderUnavailableError:
    with transaction.atomic():
        record_no_answer(payment, kind=kind, error=error, amount=amount, key=key, actor=actor)
    return ProviderUnavailableError(_("The payment provider did not answer. Try again later."))


def _refused(result: ProviderResult) -> ProviderRefused:
    return ProviderRefused(
        _("The payment provider refused: %(code)s.") % {"code": result.error_code or result.status},
        errors={"provider": [result.error_code or str(result.status)]},
    )


def _order_books(payment: Payment, call: Any, **kwargs: Any) -> str | None:
    """Keep the order's books after money moved at the provider. The money has moved
    whatever the order says: a refusal by the order is logged and written to the ledger
    (ERROR, its code) for staff to look at, and never undoes the payment's record.
    Returns the order's error code, or None when the books were kept (or there is no
    order)."""
    if payment.order_id is None:
        return None
    try:
        with transaction.atomic():
            # The order service takes its own locks (stock, then the order).
            call(order=Order.objects.get(pk=payment.order_id), **kwargs)
    except DomainError as exc:
        logger.error(
            "order %s not updated for payment %s: %s", payment.order_id, payment.reference, exc.code
        )
        record(
            payment,
            kind=TransactionKind.MANUAL,
            result=TransactionResult.ERROR,
            amount=kwargs.get("amount", Decimal(0)),
            error_code=exc.code,
            raw={"order_not_updated": exc.detail},
        )
        return exc.code
    return None


# --- capture and void -------------------------------------------------------------------------


def payment_capture(*, payment: Payment, actor: Any = None) -> Payment:
    """Capture an authorized payment (never inside a transaction); its order, if any,
    records the amount as paid. 409 PAYMENT_NOT_CAPTURABLE, 502 PAYMENT_PROVIDER_ERROR,
    503 PAYMENT_PROVIDER_UNAVAILABLE."""
    outside_transaction("payment_capture")
    current = fresh(payment)
    provider = provider_of(current)
    if current.state != PaymentState.AUTHORIZED or provider is None:
        raise Conflict(
            _("Only an authorized card payment can be captured."), code="PAYMENT_NOT_CAPTURABLE"
        )
    try:
        result = provider.capture(
            reference=current.reference, provider_ref=current.provider_ref, amount=current.amount
        )
    except ProviderUnavailable as exc:
        raise _no_answer(
            current, kind=TransactionKind.CAPTURE, error=exc, amount=current.amount, actor=actor
        ) from exc
    with transaction.atomic():
        if current.order_id is not None:
            _order_lock(current.order_id)
        locked = payment_lock(current)
        record_result(
            locked, kind=TransactionKind.CAPTURE, result=result, amount=current.amount, actor=actor
        )
        previous = locked.state
        save(locked, apply(locked, result, fail_on_error=False), previous=previous)
        captured = previous == PaymentState.AUTHORIZED and locked.state == PaymentState.CAPTURED
        if captured and locked.order_id is not None:
            _order_books(
                locked,
                order_services.order_mark_paid,
                amount=locked.amount_captured,
                actor=actor,
                reference=locked.provider_ref,
            )
    if result.status != ResultStatus.SUCCEEDED:
        raise _refused(result)
    return locked


def payment_void(*, payment: Payment, actor: Any = None) -> Payment:
    """Cancel a payment that holds no money (never inside a transaction): pending,
    waiting for the customer, unknown or authorized. A payment voided, declined or failed
    already is returned as it is (nothing to cancel). 409 PAYMENT_NOT_VOIDABLE (captured:
    refund it; money already received by transfer; the provider would not void it), 503
    PAYMENT_PROVIDER_UNAVAILABLE."""
    outside_transaction("payment_void")
    current = fresh(payment)
    if current.is_failed:
        return current  # voided already, or declined / failed: nothing to cancel
    if current.state in CAPTURED_STATES or current.amount_captured > 0:
        raise Conflict(
            _("This payment cannot be voided (a captured payment is refunded)."),
            code="PAYMENT_NOT_VOIDABLE",
        )
    provider = provider_of(current)
    if provider is None:
        result = ProviderResult(ResultStatus.VOIDED, raw={"offline": True})
    else:
        try:
            result = provider.void(reference=current.reference, provider_ref=current.provider_ref)
        except ProviderUnavailable as exc:
            raise _no_answer(
                current, kind=TransactionKind.VOID, error=exc, amount=Decimal(0), actor=actor
            ) from exc
        if result.status == ResultStatus.ERROR and result.error_code == NOT_FOUND:
            # Never sent to the provider: nothing to cancel there.
            result = ProviderResult(ResultStatus.VOIDED, raw={"not_at_provider": True})
    with transaction.atomic():
        locked = payment_lock(current)
        record_result(locked, kind=TransactionKind.VOID, result=result, actor=actor)
        previous = locked.state
        save(locked, apply(locked, result, fail_on_error=False), previous=previous)
    if locked.state != PaymentState.VOIDED:
        raise Conflict(
            _("The payment provider would not void this payment: %(code)s.")
            % {"code": result.error_code or result.status},
            code="PAYMENT_NOT_VOIDABLE",
        )
    return locked


# --- refunds ----------------------------------------------------------------------------------


# At most this many lines per refund (as the order's books accept).
MAX_LINES = 1000


def _lines_check(lines: object) -> list[tuple[int, int]]:
    """(order line id, quantity) pairs as the ledger keeps them. Only their shape is
    checked here: the order's books check them against the order when they record the
    refund (`order_record_refund`)."""
    pairs = list(lines) if isinstance(lines, list | tuple) else None
    if (
        pairs is None
        or len(pairs) > MAX_LINES
        or not all(
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
            for pair in pairs
        )
    ):
        raise InvalidInput(
            _("Give the lines as (line id, quantity) pairs, at most %(n)d.") % {"n": MAX_LINES},
            code="INVALID_INPUT",
            errors={"lines": [_("Invalid lines.")]},
        )
    return [(line_id, quantity) for line_id, quantity in pairs]


def payment_refund(
    *,
    payment: Payment,
    amount: Decimal,
    lines: Sequence[tuple[int, int]] = (),
    actor: Any = None,
    reason: str = "",
) -> Payment:
    """Give back `amount` of a captured payment (never inside a transaction).

    1. Under the payment's row lock, `amount` is checked against what is left (captured -
       refunded - refunds in flight) and reserved (`amount_refund_pending`, a PENDING
       ledger row with a new idempotency key, the `reason` and the `lines`). Concurrent
       refunds therefore never exceed the captured amount.
    2. The provider is asked, with no lock held, once per key (none for the offline
       methods: the money goes back by hand).
    3. The outcome is recorded once per key; on success the order, if any, records the
       refund with the `lines` ((order line id, quantity) pairs it covers) in one
       `order_record_refund` (one timeline event). Lines the order refuses are left out
       (the money is recorded, a ledger ERROR row names the order's code).

    No answer from the provider keeps the reservation: `payment_sync` asks again with the
    same key (and records the same lines). 400 INVALID_AMOUNT / INVALID_INPUT, 409
    PAYMENT_NOT_REFUNDABLE / REFUND_EXCEEDS_CAPTURED, 502 PAYMENT_PROVIDER_ERROR
    (refused: nothing refunded), 503 PAYMENT_PROVIDER_UNAVAILABLE."""
    outside_transaction("payment_refund")
    reason = text_limit(reason, field="reason", limit=REASON_MAX_LENGTH)
    pairs = _lines_check(lines)
    current = fresh(payment)
    amount = amount_check(amount, currency=current.currency)
    key = uuid.uuid4().hex
    with transaction.atomic():
        locked = payment_lock(current)
        if locked.state not in CAPTURED_STATES:
            raise Conflict(
                _("Only a captured payment can be refunded."), code="PAYMENT_NOT_REFUNDABLE"
            )
        left = locked.amount_refundable
        if amount > left:
            raise Conflict(
                _("Only %(left)s %(currency)s can still be refunded.")
                % {"left": f"{left}", "currency": locked.currency},
                code="REFUND_EXCEEDS_CAPTURED",
                errors={"amount": [f"{left}"]},
            )
        locked.amount_refund_pending += amount
        locked.save(update_fields=["amount_refund_pending", "updated_at"])
        raw: dict[str, Any] = {"reason": reason}
        if pairs:
            raw["lines"] = [list(pair) for pair in pairs]
        record(
            locked,
            kind=TransactionKind.REFUND,
            result=TransactionResult.PENDING,
            amount=amount,
            key=key,
            raw=raw,
            actor=actor,
        )
    provider = provider_of(locked)
    if provider is None:
        result = ProviderResult(ResultStatus.SUCCEEDED, amount=amount, raw={"offline": True})
    else:
        try:
            result = _refund_call(provider, locked, key=key, amount=amount)
        except ProviderUnavailable as exc:
            raise _no_answer(
                locked, kind=TransactionKind.REFUND, error=exc, amount=amount, key=key, actor=actor
            ) from exc
    settled = _refund_settle(
        locked, key=key, amount=amount, lines=pairs, result=result, actor=actor
    )
    if result.status != ResultStatus.SUCCEEDED:
        raise _refused(result)
    return settled


def _refund_call(
    provider: Provider, payment: Payment, *, key: str, amount: Decimal
) -> ProviderResult:
    return provider.refund(
        reference=payment.reference,
        provider_ref=payment.provider_ref,
        amount=amount,
        currency=payment.currency,
        idempotency_key=key,
    )


# The order's refusals of a refund's lines (the money is then recorded without them).
_LINE_REFUSALS = frozenset({"LINE_NOT_FOUND", "INVALID_QUANTITY", "INVALID_INPUT"})


def _refund_settle(
    payment: Payment,
    *,
    key: str,
    amount: Decimal,
    lines: list[tuple[int, int]],
    result: ProviderResult,
    actor: Any,
) -> Payment:
    """Record a refund's outcome once per key (a unique ledger row: a concurrent retry of
    the same key finds it and changes nothing), then the order's books (the amount and the
    lines in one record), then the payment (its row locked last)."""
    succeeded = result.status == ResultStatus.SUCCEEDED
    with transaction.atomic():
        try:
            with transaction.atomic():
                record(
                    payment,
                    kind=TransactionKind.REFUND,
                    result=TransactionResult.SUCCESS if succeeded else TransactionResult.FAILURE,
                    amount=amount,
                    provider_ref=result.provider_ref,
                    error_code=result.error_code,
                    raw={"status": str(result.status), **result.raw},
                    key=key,
                    actor=actor,
                )
        except IntegrityError:
            return fresh(payment)  # settled already
        if succeeded and payment.order_id is not None:
            books = {"amount": amount, "actor": actor, "reference": result.provider_ref or key}
            refused = _order_books(
                payment, order_services.order_record_refund, lines=lines, **books
            )
            if lines and refused in _LINE_REFUSALS:
                _order_books(payment, order_services.order_record_refund, **books)
        locked = payment_lock(payment)
        locked.amount_refund_pending -= amount
        fields = ["amount_refund_pending"]
        previous = locked.state
        if succeeded:
            locked.amount_refunded += amount
            full = locked.amount_refunded >= locked.amount_captured
            locked.state = PaymentState.REFUNDED if full else PaymentState.PARTIALLY_REFUNDED
            fields += ["amount_refunded", "state"]
        locked.save(update_fields=[*fields, "updated_at"])
        if succeeded:
            emit("payment.refunded", locked, refund=f"{amount}", previous=previous)
    return locked


def refunds_retry(*, payment: Payment, provider: Provider) -> int:
    """Ask again, with the same keys, about refunds reserved and never answered; returns
    how many were settled (never inside a transaction)."""
    rows = PaymentTransaction.objects.filter(payment=payment, kind=TransactionKind.REFUND)
    settled = set(
        rows.filter(result__in=[TransactionResult.SUCCESS, TransactionResult.FAILURE])
        .exclude(key="")
        .values_list("key", flat=True)
    )
    pending = (
        rows.filter(result=TransactionResult.PENDING)
        .exclude(key="")
        .select_related("actor")
        .order_by("pk")
    )
    done = 0
    for row in pending:
        if row.key in settled:
            continue
        try:
            result = _refund_call(provider, payment, key=row.key, amount=row.amount)
        except ProviderUnavailable as exc:
            _no_answer(
                payment, kind=TransactionKind.REFUND, error=exc, amount=row.amount, key=row.key
            )
            continue
        _refund_settle(
            payment,
            key=row.key,
            amount=row.amount,
            lines=_lines_check(row.raw.get("lines") or []),
            result=result,
            actor=row.actor,
        )
        done += 1
    return done


# --- bank transfers ---------------------------------------------------------------------------


def payment_mark_received(
    *, payment: Payment, amount: Decimal, actor: Any = None, reference: str = ""
) -> Payment:
    """Record `amount` received by bank transfer for a payment whose order exists, and
    mark it paid on the order (`orders.services.order_mark_paid`). Several transfers may
    add up to the amount due; the payment is CAPTURED once all has come. A `reference`
    (the bank's) already recorded for this payment is a no-op, so an import may run
    twice. 400 INVALID_AMOUNT / INVALID_INPUT, 409 PAYMENT_NOT_BANK_TRANSFER /
    PAYMENT_WITHOUT_ORDER / PAYMENT_NOT_PENDING / AMOUNT_EXCEEDS_DUE, and the order's
    refusals (409 INVALID_TRANSITION, 400 OVERPAYMENT)."""
    reference = text_limit(reference, field="reference")
    current = fresh(payment)
    amount = amount_check(amount, currency=current.currency)
    if current.method != PaymentMethod.BANK_TRANSFER:
        raise Conflict(
            _("Only bank transfers are marked received."), code="PAYMENT_NOT_BANK_TRANSFER"
        )
    if current.order_id is None:
        raise Conflict(_("This payment has no order yet."), code="PAYMENT_WITHOUT_ORDER")
    with transaction.atomic():
        order = _order_lock(current.order_id)
        locked = payment_lock(current)
        received = locked.transactions.filter(
            kind=TransactionKind.MANUAL, result=TransactionResult.SUCCESS
        )
        if reference and received.filter(provider_ref=reference).exists():
            return locked
        if locked.state != PaymentState.PENDING:
            raise Conflict(_("This payment is not waiting for money."), code="PAYMENT_NOT_PENDING")
        due = locked.amount - locked.amount_captured
        if amount > due:
            raise Conflict(
                _("Only %(due)s %(currency)s is due.")
                % {"due": f"{due}", "currency": locked.currency},
                code="AMOUNT_EXCEEDS_DUE",
                errors={"amount": [f"{due}"]},
            )
        previous = locked.state
        locked.amount_captured += amount
        fields = ["amount_captured"]
        if locked.amount_captured == locked.amount:
            locked.state = PaymentState.CAPTURED
            fields.append("state")
        record(
            locked,
            kind=TransactionKind.MANUAL,
            result=TransactionResult.SUCCESS,
            amount=amount,
            provider_ref=reference,
            actor=actor,
        )
        save(locked, fields, previous=previous)
        if locked.state == previous:
            emit("payment.received", locked, received=f"{amount}")
        order_services.order_mark_paid(order=order, amount=amount, actor=actor, reference=reference)
    return locked
