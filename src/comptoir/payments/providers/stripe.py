"""Stripe, through the official library: PaymentIntents confirmed at creation with the
PaymentMethod the client made with Stripe.js (card data never reaches us).

- Our payment reference is the Idempotency-Key of the create call and is kept in the
  intent's metadata (`comptoir_reference`), so asking again returns the same intent and
  reconciliation can find an intent whose id we never received (search by metadata).
- Amounts go in minor units of the currency.
- Settings: COMPTOIR_STRIPE_SECRET_KEY (the method is offered only when set),
  COMPTOIR_STRIPE_WEBHOOK_SECRET (webhooks are refused without it),
  COMPTOIR_STRIPE_API_BASE (another API address, e.g. the local fake of
  comptoir.payments.testing), COMPTOIR_STRIPE_TIMEOUT (seconds per request).
- No answer (network error, 5xx, 429) is ProviderUnavailable / ProviderTimeout: the
  library retries twice first, with the same idempotency key.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

import stripe
from django.conf import settings

from comptoir.core.money import minor_unit, to_minor
from comptoir.payments.providers.base import (
    NOT_FOUND,
    ChargeRequest,
    ProviderEvent,
    ProviderResult,
    ProviderTimeout,
    ProviderUnavailable,
    ResultStatus,
    WebhookInvalid,
)

CODE = "stripe"
REFERENCE_KEY = "comptoir_reference"
SIGNATURE_HEADER = "stripe-signature"
TOLERANCE_SECONDS = 300
NETWORK_RETRIES = 2


@functools.cache
def _client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def client() -> stripe.StripeClient:
    """A client for the configured key and address (one per process and configuration)."""
    return _client(
        settings.COMPTOIR_STRIPE_SECRET_KEY,
        settings.COMPTOIR_STRIPE_API_BASE,
        float(settings.COMPTOIR_STRIPE_TIMEOUT),
    )


def _amount(minor: Any, currency: str) -> Decimal | None:
    if not isinstance(minor, int):
        return None
    return Decimal(minor) * minor_unit(currency.upper())


def _intent_raw(intent: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a PaymentIntent the ledger keeps (no card details)."""
    error = intent.get("last_payment_error") or {}
    action = intent.get("next_action") or {}
    return {
        "id": intent.get("id"),
        "object": "payment_intent",
        "status": intent.get("status"),
        "amount": intent.get("amount"),
        "amount_received": intent.get("amount_received"),
        "currency": intent.get("currency"),
        "last_payment_error": {
            "code": error.get("code"),
            "decline_code": error.get("decline_code"),
        }
        if error
        else None,
        "next_action": action.get("type"),
    }


def _decline_code(error: Mapping[str, Any]) -> str:
    """Stripe's most telling code: the decline code (insufficient_funds...) unless it is
    the generic one, else the error code (card_declined, expired_card...)."""
    decline = error.get("decline_code")
    if decline and decline != "generic_decline":
        return str(decline)
    return str(error.get("code") or decline or "payment_failed")


def intent_result(intent: Mapping[str, Any]) -> ProviderResult:
    """Where a PaymentIntent stands, as a ProviderResult."""
    status = intent.get("status")
    ref = str(intent.get("id") or "")
    currency = str(intent.get("currency") or "eur")
    raw = _intent_raw(intent)
    if status == "succeeded":
        received = _amount(intent.get("amount_received"), currency)
        return ProviderResult(ResultStatus.SUCCEEDED, ref, amount=received, raw=raw)
    if status == "requires_capture":
        amount = _amount(intent.get("amount"), currency)
        return ProviderResult(ResultStatus.AUTHORIZED, ref, amount=amount, raw=raw)
    if status == "requires_action":
        action = intent.get("next_action") or {}
        url = (action.get("redirect_to_url") or {}).get("url") or ""
        return ProviderResult(ResultStatus.REQUIRES_ACTION, ref, action_url=url, raw=raw)
    if status == "requires_payment_method":
        code = _decline_code(intent.get("last_payment_error") or {})
        return ProviderResult(ResultStatus.DECLINED, ref, error_code=code, raw=raw)
    # processing, canceled; requires_confirmation is not ours to finish (we always confirm
    # at creation).
    simple = _STATUSES.get(str(status))
    if simple is not None:
        return ProviderResult(simple, ref, raw=raw)
    return ProviderResult(ResultStatus.ERROR, ref, error_code=f"status_{status}", raw=raw)


_STATUSES = {"processing": ResultStatus.PROCESSING, "canceled": ResultStatus.VOIDED}


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if isinstance(obj, stripe.StripeObject) else dict(obj or {})


def _error_result(exc: stripe.StripeError, *, lookup: bool = False) -> ProviderResult:
    """A refusal by Stripe (4xx). A card error carries the intent it declined; with
    `lookup` (a call on an existing intent), an unknown intent is NOT_FOUND."""
    body = exc.json_body if isinstance(exc.json_body, dict) else {}
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    intent = error.get("payment_intent")
    intent = intent if isinstance(intent, dict) else {}
    if isinstance(exc, stripe.CardError):
        if intent.get("id"):
            result = intent_result(intent)
            if result.status == ResultStatus.DECLINED:
                return result
        return ProviderResult(
            ResultStatus.DECLINED, str(intent.get("id") or ""), error_code=_decline_code(error)
        )
    code = str(error.get("code") or exc.code or "stripe_error")
    if lookup and code == "resource_missing":
        code = NOT_FOUND
    raw = {
        "error": {"type": error.get("type"), "code": error.get("code"), "status": exc.http_status}
    }
    return ProviderResult(ResultStatus.ERROR, error_code=code, raw=raw)


def _call(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a library call: no answer is ProviderTimeout/Unavailable; a refusal is returned
    as the exception for the caller to map."""
    try:
        return func(*args, **kwargs)
    except stripe.APIConnectionError as exc:
        raise ProviderTimeout(str(exc)) from exc
    except (stripe.RateLimitError, stripe.APIError) as exc:
        raise ProviderUnavailable(str(exc)) from exc


class StripeProvider:
    code = CODE

    def charge(self, request: ChargeRequest) -> ProviderResult:
        return self._create(request, capture_method="automatic")

    def authorize(self, request: ChargeRequest) -> ProviderResult:
        return self._create(request, capture_method="manual")

    def _create(self, request: ChargeRequest, *, capture_method: str) -> ProviderResult:
        params: dict[str, Any] = {
            "amount": to_minor(request.amount, request.currency),
            "currency": request.currency.lower(),
            "payment_method": request.token,
            "payment_method_types": ["card"],
            "confirm": True,
            "capture_method": capture_method,
            "metadata": {REFERENCE_KEY: str(request.reference)},
        }
        if request.return_url:
            params["return_url"] = request.return_url
        try:
            intent = _call(
                client().v1.payment_intents.create,
                params=params,
                options={"idempotency_key": str(request.reference)},
            )
        except stripe.StripeError as exc:
            return _error_result(exc)
        return intent_result(_as_dict(intent))

    def _intent_call(self, method: str, provider_ref: str, **params: Any) -> ProviderResult:
        if not provider_ref:
            return ProviderResult(ResultStatus.ERROR, error_code=NOT_FOUND)
        try:
            func = getattr(client().v1.payment_intents, method)
            intent = (
                _call(func, provider_ref, params=params) if params else _call(func, provider_ref)
            )
        except stripe.StripeError as exc:
            return _error_result(exc, lookup=True)
        return intent_result(_as_dict(intent))

    def capture(self, *, reference: UUID, provider_ref: str, amount: Decimal) -> ProviderResult:
        intent = self.retrieve(reference=reference, provider_ref=provider_ref)
        currency = str(intent.raw.get("currency") or "").upper()
        if intent.status in (ResultStatus.SUCCEEDED, ResultStatus.ERROR) or not currency:
            return intent  # already captured (asked twice), or not found
        if intent.status != ResultStatus.AUTHORIZED:
            return ProviderResult(
                ResultStatus.ERROR, intent.provider_ref, error_code="not_capturable", raw=intent.raw
            )
        minor = to_minor(amount, currency)
        return self._intent_call("capture", intent.provider_ref, amount_to_capture=minor)

    def void(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        ref = provider_ref or self.retrieve(reference=reference, provider_ref="").provider_ref
        return self._intent_call("cancel", ref)

    def refund(
        self,
        *,
        reference: UUID,
        provider_ref: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> ProviderResult:
        params = {
            "payment_intent": provider_ref,
            "amount": to_minor(amount, currency),
            "metadata": {REFERENCE_KEY: str(reference)},
        }
        try:
            refund = _call(
                client().v1.refunds.create,
                params=params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            return _error_result(exc)
        data = _as_dict(refund)
        raw = {key: data.get(key) for key in ("id", "object", "status", "amount", "currency")}
        refunded = _amount(data.get("amount"), currency)
        # "pending" refunds are accepted by Stripe and complete later (almost always).
        if data.get("status") in ("succeeded", "pending"):
            return ProviderResult(ResultStatus.SUCCEEDED, str(data["id"]), amount=refunded, raw=raw)
        code = str(data.get("failure_reason") or f"refund_{data.get('status')}")
        return ProviderResult(ResultStatus.ERROR, str(data.get("id", "")), error_code=code, raw=raw)

    def retrieve(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        if provider_ref:
            return self._intent_call("retrieve", provider_ref)
        query = f"metadata['{REFERENCE_KEY}']:'{reference}'"
        try:
            found = _call(client().v1.payment_intents.search, params={"query": query})
        except stripe.StripeError as exc:
            return _error_result(exc)
        intents = [_as_dict(intent) for intent in found.data]
        if not intents:
            return ProviderResult(ResultStatus.ERROR, error_code=NOT_FOUND)
        return intent_result(intents[0])

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        secret = settings.COMPTOIR_STRIPE_WEBHOOK_SECRET
        if not secret:
            raise WebhookInvalid("COMPTOIR_STRIPE_WEBHOOK_SECRET is not set")
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get(SIGNATURE_HEADER), secret, tolerance=TOLERANCE_SECONDS
            )
            data = _as_dict(event)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise WebhookInvalid(str(exc)) from exc
        obj = (data.get("data") or {}).get("object") or {}
        event_id, kind = str(data.get("id") or ""), str(data.get("type") or "")
        if not event_id or not isinstance(obj, dict):
            raise WebhookInvalid("not a Stripe event")
        if obj.get("object") != "payment_intent":
            return ProviderEvent(event_id=event_id, type=kind, raw={"type": kind})
        metadata = obj.get("metadata") or {}
        return ProviderEvent(
            event_id=event_id,
            type=kind,
            reference=str(metadata.get(REFERENCE_KEY) or ""),
            provider_ref=str(obj.get("id") or ""),
            result=intent_result(obj),
            raw={"type": kind, "object": _intent_raw(obj)},
        )
