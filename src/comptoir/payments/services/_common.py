"""Shared plumbing of the payment services: input checks, the payment row lock, the ledger,
the state a provider's answer leads to, and the outbox."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core import outbox, validation
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.validation import amount_check  # noqa: F401 - re-exported to the services
from comptoir.payments.models import (
    OPEN_STATES,
    SETTLED_STATES,
    Payment,
    PaymentState,
    PaymentTransaction,
    TransactionKind,
    TransactionResult,
)
from comptoir.payments.providers import provider_for
from comptoir.payments.providers.base import NOT_FOUND, Provider, ProviderResult, ResultStatus

logger = logging.getLogger("comptoir.payments")

TEXT_MAX_LENGTH: Final = 255
REASON_MAX_LENGTH: Final = 1000

CAPTURED_STATES = frozenset(
    {PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED}
)


class ProviderUnavailableError(DomainError):
    status = 503
    code = "PAYMENT_PROVIDER_UNAVAILABLE"
    title = "Payment provider unavailable"


class ProviderRefused(DomainError):
    status = 502
    code = "PAYMENT_PROVIDER_ERROR"
    title = "Payment provider error"


def outside_transaction(service: str) -> None:
    """Provider calls are never made inside a transaction (docs/checkout.md's lock order)."""
    if connection.in_atomic_block:
        raise AssertionError(f"{service} calls the payment provider: never inside a transaction")


def text_limit(value: object, *, field: str, limit: int = TEXT_MAX_LENGTH) -> str:
    """Free text (a reason, a bank reference) within `limit` characters that can be stored."""
    return validation.text_limit(value, field=field, limit=limit)


def actor_or_none(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.pk is not None else None


def payment_lock(payment: Payment | int) -> Payment:
    """The payment row, locked until the transaction ends; always the last lock taken
    (after stock, order...). FOR NO KEY UPDATE: ledger rows inserted by others (which
    share-lock the key) do not wait for it."""
    payment_id = payment if isinstance(payment, int) else payment.pk
    locked = Payment.objects.select_for_update(no_key=True).filter(pk=payment_id).first()
    if locked is None:
        raise NotFound(_("Unknown payment."), code="PAYMENT_NOT_FOUND")
    return locked


def fresh(payment: Payment) -> Payment:
    found = Payment.objects.filter(pk=payment.pk).first()
    if found is None:
        raise NotFound(_("Unknown payment."), code="PAYMENT_NOT_FOUND")
    return found


def provider_of(payment: Payment) -> Provider | None:
    return provider_for(payment.method)


def return_url_of(payment: Payment) -> str:
    """Where the customer comes back after a second step: the client's URL, else our own
    return page (which settles the payment)."""
    if payment.return_url:
        return payment.return_url
    try:
        path = reverse("payments:return", args=[str(payment.reference)])
    except NoReverseMatch:  # the payments pages are not mounted (see docs/payments.md)
        path = f"/payments/{payment.reference}/return/"
    return f"{settings.SITE_URL}{path}"


# --- the ledger ---------------------------------------------------------------------------

_SUCCESS_OF: dict[str, frozenset[ResultStatus]] = {
    TransactionKind.VOID: frozenset({ResultStatus.VOIDED}),
    TransactionKind.CAPTURE: frozenset({ResultStatus.SUCCEEDED}),
    TransactionKind.REFUND: frozenset({ResultStatus.SUCCEEDED}),
}
_DEFAULT_SUCCESS = frozenset({ResultStatus.SUCCEEDED, ResultStatus.AUTHORIZED})
_PENDING = frozenset({ResultStatus.REQUIRES_ACTION, ResultStatus.PROCESSING})


def ledger_result(kind: str, result: ProviderResult) -> str:
    if result.status in _SUCCESS_OF.get(kind, _DEFAULT_SUCCESS):
        return TransactionResult.SUCCESS
    if result.status == ResultStatus.ERROR:
        return TransactionResult.ERROR
    if result.status in _PENDING:
        return TransactionResult.PENDING
    return TransactionResult.FAILURE


def record(
    payment: Payment,
    *,
    kind: str,
    result: str,
    amount: Decimal = Decimal(0),
    provider_ref: str = "",
    error_code: str = "",
    raw: dict[str, Any] | None = None,
    key: str = "",
    actor: Any = None,
) -> PaymentTransaction:
    """One ledger row (append-only)."""
    return PaymentTransaction.objects.create(
        payment=payment,
        kind=kind,
        result=result,
        amount=amount,
        provider_ref=provider_ref[:255],
        error_code=error_code[:60],
        raw=raw or {},
        key=key,
        actor=actor_or_none(actor),
    )


def record_result(
    payment: Payment,
    *,
    kind: str,
    result: ProviderResult,
    amount: Decimal | None = None,
    key: str = "",
    actor: Any = None,
    extra: dict[str, Any] | None = None,
) -> PaymentTransaction:
    """The ledger row of a provider's answer (`extra`: more to keep in its raw data)."""
    moved = result.amount if result.amount is not None else amount
    return record(
        payment,
        kind=kind,
        result=ledger_result(kind, result),
        amount=moved if moved is not None else Decimal(0),
        provider_ref=result.provider_ref,
        error_code=result.error_code,
        raw={"status": str(result.status), **result.raw, **(extra or {})},
        key=key,
        actor=actor,
    )


def record_no_answer(
    payment: Payment,
    *,
    kind: str,
    error: Exception,
    amount: Decimal,
    key: str = "",
    actor: Any = None,
) -> PaymentTransaction:
    """The ledger row of a call that got no answer (its outcome is unknown)."""
    return record(
        payment,
        kind=kind,
        result=TransactionResult.ERROR,
        amount=amount,
        error_code="no_answer",
        raw={"error": type(error).__name__, "detail": str(error)[:500]},
        key=key,
        actor=actor,
    )


# --- states ---------------------------------------------------------------------------------


def apply(payment: Payment, result: ProviderResult, *, fail_on_error: bool) -> list[str]:
    """Move the (locked) payment to where the provider says it stands; returns the changed
    fields. The provider is the truth about money: a success is taken from any state that
    holds no money yet (a late webhook after a decline or a failed status check included);
    a settled payment is never moved back by a decline or an error. An ERROR answer fails
    an open payment only with `fail_on_error` (a charge the provider refused) or when the
    provider has no such payment (NOT_FOUND); otherwise it changes nothing."""
    state, status = payment.state, result.status
    changes: dict[str, Any] = {}
    if status == ResultStatus.SUCCEEDED and state not in CAPTURED_STATES:
        captured = result.amount if result.amount is not None else payment.amount
        changes = {"state": PaymentState.CAPTURED, "amount_captured": captured}
    elif status == ResultStatus.AUTHORIZED and state not in SETTLED_STATES:
        changes = {"state": PaymentState.AUTHORIZED}
    elif status == ResultStatus.REQUIRES_ACTION and state in OPEN_STATES:
        changes = {"state": PaymentState.REQUIRES_ACTION, "action_url": result.action_url}
    elif status == ResultStatus.PROCESSING and state in OPEN_STATES:
        changes = {"state": PaymentState.UNKNOWN}
    elif status == ResultStatus.DECLINED and state in OPEN_STATES:
        changes = {"state": PaymentState.DECLINED, "error_code": result.error_code}
    elif status == ResultStatus.VOIDED and (
        state in OPEN_STATES or state == PaymentState.AUTHORIZED
    ):
        changes = {"state": PaymentState.VOIDED}
    elif status == ResultStatus.ERROR and (
        (fail_on_error and state in OPEN_STATES)
        or (
            result.error_code == NOT_FOUND and state in (PaymentState.PENDING, PaymentState.UNKNOWN)
        )
    ):
        changes = {"state": PaymentState.FAILED, "error_code": result.error_code}
    if changes.get("state") in SETTLED_STATES:
        changes.update(error_code="", action_url="")
    if changes.get("state") in (PaymentState.DECLINED, PaymentState.FAILED, PaymentState.VOIDED):
        changes["action_url"] = ""
    if result.provider_ref and not payment.provider_ref:
        changes["provider_ref"] = result.provider_ref
    changed = [name for name, value in changes.items() if getattr(payment, name) != value]
    for name in changed:
        setattr(payment, name, changes[name])
    return changed


def save(payment: Payment, changed: list[str], *, previous: str) -> None:
    """Save the changed fields; an event `payment.<state>` when the state changed."""
    if not changed:
        return
    payment.save(update_fields=[*changed, "updated_at"])
    if payment.state != previous:
        emit(f"payment.{payment.state}", payment, previous=previous)


def emit(topic: str, payment: Payment, **payload: Any) -> None:
    outbox.emit(
        topic,
        aggregate="payment",
        aggregate_id=payment.pk,
        payload={
            "reference": str(payment.reference),
            "method": payment.method,
            "state": payment.state,
            "amount": f"{payment.amount}",
            "currency": payment.currency,
            "amount_captured": f"{payment.amount_captured}",
            "amount_refunded": f"{payment.amount_refunded}",
            "order_id": payment.order_id,
            **payload,
        },
    )
