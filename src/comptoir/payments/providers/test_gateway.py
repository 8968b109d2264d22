"""The demo card gateway: a provider whose "remote side" lives in its own tables
(TestGatewayCharge, TestGatewayRefund), so it keeps state as a real one does: a charge per
payment reference, refunds per idempotency key, a second step (3-D Secure) completed on its
own page, and an answer lost after charging.

Card numbers are those of Stripe's test cards (see `TEST_CARDS` and docs/payments.md).
`tokenize` plays the part of the provider's client-side library: it checks the number
(digits, Luhn) and turns it into a token naming the card's behaviour, its brand and last
four digits. The number itself is kept nowhere.

Webhooks: the gateway sends none on its own; `event_body` and `sign` build one as it would
(`Comptoir-Test-Gateway-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.body">`, the key
derived from SECRET_KEY), for tests and demos.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from comptoir.payments.models import TestGatewayCharge, TestGatewayRefund
from comptoir.payments.providers.base import (
    NOT_FOUND,
    ChargeRequest,
    ProviderEvent,
    ProviderResult,
    ProviderTimeout,
    ResultStatus,
    WebhookInvalid,
)

CODE = "test_card"
SIGNATURE_HEADER = "comptoir-test-gateway-signature"
TOLERANCE_SECONDS = 300

APPROVE = "approve"
THREE_D_SECURE = "tok_threeDSecure2Required"
TIMEOUT_AFTER_CHARGE = "tok_timeoutAfterCharge"
# Test card number -> the token the gateway issues for it.
TEST_CARDS = {
    "4242424242424242": "tok_visa",
    "4000000000000002": "tok_chargeDeclined",
    "4000000000009995": "tok_chargeDeclinedInsufficientFunds",
    "4000000000000069": "tok_chargeDeclinedExpiredCard",
    "4000002500003155": THREE_D_SECURE,
    "4000000000000119": TIMEOUT_AFTER_CHARGE,
}
# Token -> decline code; tokens of other valid numbers ("tok_visa", "tok_mastercard"...)
# are approved.
DECLINES = {
    "tok_chargeDeclined": "card_declined",
    "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "tok_chargeDeclinedExpiredCard": "expired_card",
}
APPROVED = frozenset({"tok_visa", "tok_mastercard", "tok_amex", "tok_card", TIMEOUT_AFTER_CHARGE})
AUTHENTICATION_FAILED = "authentication_failed"

# Charge statuses at the gateway.
REQUIRES_ACTION = "requires_action"
AUTHORIZED = "authorized"
CAPTURED = "captured"
DECLINED = "declined"
VOIDED = "voided"
STATUSES = frozenset({REQUIRES_ACTION, AUTHORIZED, CAPTURED, DECLINED, VOIDED})


@dataclass(frozen=True, slots=True)
class Card:
    token: str
    brand: str
    last4: str

    @property
    def masked(self) -> str:
        return f"**** **** **** {self.last4}"


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _brand(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "mastercard"
    return "card"


def tokenize(number: str) -> Card:
    """The token of a card number (spaces allowed between digits); ValueError when it is not
    12 to 19 digits or fails the Luhn check."""
    digits = number.replace(" ", "")
    if not (12 <= len(digits) <= 19 and digits.isascii() and digits.isdigit()):
        raise ValueError("not a card number")
    if not _luhn(digits):
        raise ValueError("Luhn check failed")
    brand = _brand(digits)
    return Card(token=TEST_CARDS.get(digits, f"tok_{brand}"), brand=brand, last4=digits[-4:])


def action_url(reference: UUID | str) -> str:
    """The gateway's page where the customer completes the second step."""
    try:
        path = reverse("payments:test_gateway", args=[str(reference)])
    except NoReverseMatch:  # the payments pages are not mounted (see docs/payments.md)
        path = f"/payments/test-gateway/{reference}/"
    return f"{settings.SITE_URL}{path}"


def _raw(charge: TestGatewayCharge) -> dict[str, Any]:
    return {
        "id": charge.provider_ref,
        "reference": str(charge.reference),
        "status": charge.status,
        "amount": f"{charge.amount}",
        "currency": charge.currency,
        "amount_captured": f"{charge.amount_captured}",
        "amount_refunded": f"{charge.amount_refunded}",
        "error_code": charge.error_code,
    }


def _result(charge: TestGatewayCharge) -> ProviderResult:
    raw = _raw(charge)
    ref = charge.provider_ref
    if charge.status == REQUIRES_ACTION:
        return ProviderResult(
            ResultStatus.REQUIRES_ACTION, ref, action_url=action_url(charge.reference), raw=raw
        )
    if charge.status == AUTHORIZED:
        return ProviderResult(ResultStatus.AUTHORIZED, ref, amount=charge.amount, raw=raw)
    if charge.status == CAPTURED:
        return ProviderResult(ResultStatus.SUCCEEDED, ref, amount=charge.amount_captured, raw=raw)
    if charge.status == VOIDED:
        return ProviderResult(ResultStatus.VOIDED, ref, raw=raw)
    return ProviderResult(ResultStatus.DECLINED, ref, error_code=charge.error_code, raw=raw)


def _error(code: str, **raw: Any) -> ProviderResult:
    return ProviderResult(ResultStatus.ERROR, error_code=code, raw={"error": code, **raw})


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class TestGateway:
    """The demo gateway (see the module docstring)."""

    __test__ = False  # not a test class for pytest, despite its name
    code = CODE

    def charge(self, request: ChargeRequest) -> ProviderResult:
        return self._create(request, capture=True)

    def authorize(self, request: ChargeRequest) -> ProviderResult:
        return self._create(request, capture=False)

    def _create(self, request: ChargeRequest, *, capture: bool) -> ProviderResult:
        existing = TestGatewayCharge.objects.filter(reference=request.reference).first()
        if existing is not None:  # idempotent on the reference: never a second charge
            return _result(existing)
        token = request.token
        if token != THREE_D_SECURE and token not in DECLINES and token not in APPROVED:
            return _error("invalid_token")
        if request.amount <= 0:
            return _error("invalid_amount")
        status, error_code, captured = REQUIRES_ACTION, "", Decimal(0)
        if token in DECLINES:
            status, error_code = DECLINED, DECLINES[token]
        elif token in APPROVED:
            status = CAPTURED if capture else AUTHORIZED
            captured = request.amount if capture else Decimal(0)
        try:
            with transaction.atomic():
                charge = TestGatewayCharge.objects.create(
                    reference=request.reference,
                    provider_ref=_new_id("tgw_ch"),
                    token=token,
                    amount=request.amount,
                    currency=request.currency,
                    status=status,
                    error_code=error_code,
                    amount_captured=captured,
                )
        except IntegrityError:  # the same reference, charged concurrently: its result
            return _result(TestGatewayCharge.objects.get(reference=request.reference))
        if token == TIMEOUT_AFTER_CHARGE:
            raise ProviderTimeout("the test gateway charged, then its answer was lost")
        return _result(charge)

    def _locked(self, *, reference: UUID, provider_ref: str) -> TestGatewayCharge | None:
        charges = TestGatewayCharge.objects.select_for_update()
        if provider_ref:
            return charges.filter(provider_ref=provider_ref).first()
        return charges.filter(reference=reference).first()

    def capture(self, *, reference: UUID, provider_ref: str, amount: Decimal) -> ProviderResult:
        with transaction.atomic():
            charge = self._locked(reference=reference, provider_ref=provider_ref)
            if charge is None:
                return _error(NOT_FOUND)
            if charge.status == AUTHORIZED:
                if not 0 < amount <= charge.amount:
                    return _error("invalid_amount", **_raw(charge))
                charge.status, charge.amount_captured = CAPTURED, amount
                charge.save(update_fields=["status", "amount_captured"])
            elif charge.status != CAPTURED:
                return _error("not_capturable", **_raw(charge))
        return _result(charge)

    def void(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        with transaction.atomic():
            charge = self._locked(reference=reference, provider_ref=provider_ref)
            if charge is None:
                return _error(NOT_FOUND)
            if charge.status in (AUTHORIZED, REQUIRES_ACTION):
                charge.status = VOIDED
                charge.save(update_fields=["status"])
            elif charge.status != VOIDED:
                return _error("not_voidable", **_raw(charge))
        return _result(charge)

    def refund(
        self,
        *,
        reference: UUID,
        provider_ref: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> ProviderResult:
        done = TestGatewayRefund.objects.filter(key=idempotency_key).first()
        if done is not None:
            return self._refunded(done)
        try:
            with transaction.atomic():
                charge = self._locked(reference=reference, provider_ref=provider_ref)
                if charge is None:
                    return _error(NOT_FOUND)
                if charge.status != CAPTURED or currency != charge.currency:
                    return _error("not_refundable", **_raw(charge))
                if not 0 < amount <= charge.amount_captured - charge.amount_refunded:
                    return _error("amount_too_large", **_raw(charge))
                refund = TestGatewayRefund.objects.create(
                    charge=charge,
                    key=idempotency_key,
                    provider_ref=_new_id("tgw_re"),
                    amount=amount,
                )
                charge.amount_refunded += amount
                charge.save(update_fields=["amount_refunded"])
        except IntegrityError:  # the same key, refunded concurrently
            refund = TestGatewayRefund.objects.get(key=idempotency_key)
        return self._refunded(refund)

    @staticmethod
    def _refunded(refund: TestGatewayRefund) -> ProviderResult:
        raw = {"id": refund.provider_ref, "amount": f"{refund.amount}", "key": refund.key}
        return ProviderResult(
            ResultStatus.SUCCEEDED, refund.provider_ref, amount=refund.amount, raw=raw
        )

    def retrieve(self, *, reference: UUID, provider_ref: str) -> ProviderResult:
        charges = TestGatewayCharge.objects
        charge = (
            charges.filter(provider_ref=provider_ref).first()
            if provider_ref
            else charges.filter(reference=reference).first()
        )
        return _error(NOT_FOUND) if charge is None else _result(charge)

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        verify_signature(body, headers.get(SIGNATURE_HEADER, ""))
        try:
            event = json.loads(body)
            data = event["data"]
            status = str(data["status"])
            if status not in STATUSES:
                raise ValueError(status)
            result = _result(
                TestGatewayCharge(
                    reference=UUID(str(data["reference"])),
                    provider_ref=str(data["id"]),
                    status=status,
                    error_code=str(data.get("error_code", "")),
                    amount=Decimal(str(data["amount"])),
                    amount_captured=Decimal(str(data.get("amount_captured", "0"))),
                )
            )
            return ProviderEvent(
                event_id=str(event["id"]),
                type=str(event["type"]),
                reference=str(data["reference"]),
                provider_ref=str(data["id"]),
                result=result,
                raw=event,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise WebhookInvalid("not an event of the test gateway") from exc


# --- the customer's second step and webhooks ------------------------------------------------


def pending_action(reference: UUID | str) -> TestGatewayCharge | None:
    """The gateway's charge of `reference` if it waits for the customer's second step."""
    try:
        ref = UUID(str(reference))
    except ValueError:
        return None
    return TestGatewayCharge.objects.filter(reference=ref, status=REQUIRES_ACTION).first()


def complete_action(reference: UUID, *, approve: bool) -> TestGatewayCharge | None:
    """The customer approved (or failed) the second step on the gateway's page: the charge
    is captured (or declined with `authentication_failed`). None when nothing waits."""
    with transaction.atomic():
        charge = (
            TestGatewayCharge.objects.select_for_update()
            .filter(reference=reference, status=REQUIRES_ACTION)
            .first()
        )
        if charge is None:
            return None
        if approve:
            charge.status, charge.amount_captured = CAPTURED, charge.amount
        else:
            charge.status, charge.error_code = DECLINED, AUTHENTICATION_FAILED
        charge.save(update_fields=["status", "amount_captured", "error_code"])
    return charge


def webhook_secret() -> bytes:
    return hashlib.sha256(f"comptoir-test-gateway:{settings.SECRET_KEY}".encode()).digest()


def sign(body: bytes, *, timestamp: int | None = None, secret: bytes | None = None) -> str:
    """The signature header value of `body`, as the gateway sends it."""
    moment = int(time.time()) if timestamp is None else timestamp
    key = webhook_secret() if secret is None else secret
    digest = hmac.new(key, f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify_signature(body: bytes, header: str) -> None:
    """WebhookInvalid unless `header` signs `body` with the gateway's key, within
    TOLERANCE_SECONDS of now."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        moment = int(parts.get("t", ""))
    except ValueError as exc:
        raise WebhookInvalid("no timestamp") from exc
    expected = sign(body, timestamp=moment).partition(",v1=")[2]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise WebhookInvalid("bad signature")
    if abs(time.time() - moment) > TOLERANCE_SECONDS:
        raise WebhookInvalid("stale signature")


def event_body(charge: TestGatewayCharge, *, event_id: str | None = None) -> bytes:
    """The body of the webhook the gateway would send about `charge`."""
    event = {
        "id": event_id or _new_id("tgw_evt"),
        "type": f"charge.{charge.status}",
        "data": _raw(charge),
    }
    return json.dumps(event).encode()
