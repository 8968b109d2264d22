"""Provider webhooks: verified, processed once per event id, applied to the payment."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.payments.models import Payment, TransactionKind, TransactionResult, WebhookReceipt
from comptoir.payments.providers import webhook_provider
from comptoir.payments.providers.base import ProviderEvent, WebhookInvalid
from comptoir.payments.services._common import apply, payment_lock, record, record_result, save

MAX_BODY_BYTES = 256 * 1024
EVENT_ID_MAX_LENGTH = 255


def _invalid() -> InvalidInput:
    return InvalidInput(
        _("The webhook is not signed by the provider, or is too old."), code="WEBHOOK_INVALID"
    )


def _payment_of(provider: str, event: ProviderEvent) -> Payment | None:
    payments = Payment.objects.filter(method=provider)
    if event.reference:
        try:
            return payments.filter(reference=uuid.UUID(event.reference)).first()
        except ValueError:
            return None
    if event.provider_ref:
        return payments.filter(provider_ref=event.provider_ref).first()
    return None


def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> Payment | None:
    """Verify a provider's webhook and apply it to its payment, once per event id.

    Returns the payment the event is about (None when it concerns none of ours). A replay
    of an event already processed changes nothing and returns the payment as it stands.
    404 PROVIDER_NOT_FOUND (no such provider enabled), 400 WEBHOOK_INVALID (forged,
    stale, malformed or oversized: nothing changes). No provider call is made."""
    impl = webhook_provider(provider)
    if impl is None:
        raise NotFound(_("Unknown payment provider."), code="PROVIDER_NOT_FOUND")
    if not isinstance(body, bytes) or len(body) > MAX_BODY_BYTES:
        raise _invalid()
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    try:
        event = impl.verify_webhook(body, lowered)
    except WebhookInvalid as exc:
        raise _invalid() from exc
    if not event.event_id or len(event.event_id) > EVENT_ID_MAX_LENGTH:
        raise _invalid()
    payment = _payment_of(provider, event)
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookReceipt.objects.create(provider=provider, event_id=event.event_id)
        except IntegrityError:
            return payment  # a replay: processed already
        if payment is None:
            return None
        locked = payment_lock(payment)
        if event.result is None:
            record(
                locked,
                kind=TransactionKind.WEBHOOK,
                result=TransactionResult.PENDING,
                provider_ref=event.provider_ref,
                raw={"event": event.event_id, "type": event.type},
            )
            return locked
        record_result(
            locked,
            kind=TransactionKind.WEBHOOK,
            result=event.result,
            extra={"event": event.event_id, "type": event.type},
        )
        previous = locked.state
        save(locked, apply(locked, event.result, fail_on_error=False), previous=previous)
    return locked
