"""Reads of payments: one payment by its (unguessable) reference, and the staff list."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable
from comptoir.payments.models import Payment, PaymentMethod, PaymentState, PaymentTransaction


def _not_found() -> NotFound:
    return NotFound(_("Unknown payment."), code="PAYMENT_NOT_FOUND")


def _by_reference(queryset: QuerySet[Payment], reference: Any) -> Payment:
    try:
        ref = reference if isinstance(reference, uuid.UUID) else uuid.UUID(str(reference)[:64])
    except ValueError:
        raise _not_found() from None
    payment = queryset.filter(reference=ref).first()
    if payment is None:
        raise _not_found()
    return payment


def payment_get(*, reference: Any) -> Payment:
    """The payment with `reference` (a UUID, or its text), its order loaded; 404
    PAYMENT_NOT_FOUND for anything else."""
    return _by_reference(Payment.objects.select_related("order"), reference)


def payment_admin_get(*, reference: Any) -> Payment:
    """`payment_get` with the ledger (and each row's actor) loaded."""
    transactions = PaymentTransaction.objects.select_related("actor").order_by("pk")
    return _by_reference(
        Payment.objects.select_related("order").prefetch_related(
            Prefetch("transactions", queryset=transactions)
        ),
        reference,
    )


def _filter_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_FILTER", errors={field: [message]})


def payment_admin_list(
    *,
    page: PageRequest,
    state: str | None = None,
    method: str | None = None,
    order: str | None = None,
    checkout: str | None = None,
) -> tuple[list[Payment], int]:
    """Payments, newest first, filtered by state, method, order number or checkout
    reference; and how many match. 400 INVALID_FILTER for an unknown state or method."""
    queryset: QuerySet[Payment] = Payment.objects.select_related("order").order_by("-pk")
    if state is not None:
        if state not in PaymentState.values:
            raise _filter_error("state", _("Unknown state."))
        queryset = queryset.filter(state=state)
    if method is not None:
        if method not in PaymentMethod.values:
            raise _filter_error("method", _("Unknown payment method."))
        queryset = queryset.filter(method=method)
    for field, value in (("order", order), ("checkout", checkout)):
        if value is not None and not text_storable(value):
            raise _filter_error(field, _("This text contains characters that are not allowed."))
    if order is not None:
        queryset = queryset.filter(order__number=order[:32])
    if checkout is not None:
        queryset = queryset.filter(checkout_ref=checkout[:120])
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count
