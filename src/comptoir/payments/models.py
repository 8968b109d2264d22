from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from comptoir.orders.models import Order


class PaymentMethod(models.TextChoices):
    TEST_CARD = "test_card", _("Card (test gateway)")
    STRIPE = "stripe", _("Card (Stripe)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ON_ACCOUNT = "on_account", _("Payment on account")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    REQUIRES_ACTION = "requires_action", _("Requires action")
    # The provider did not answer (timeout, network): reconciliation asks it later.
    UNKNOWN = "unknown", _("Unknown")
    AUTHORIZED = "authorized", _("Authorized")
    CAPTURED = "captured", _("Captured")
    DECLINED = "declined", _("Declined")
    FAILED = "failed", _("Failed")
    VOIDED = "voided", _("Voided")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """One attempt to collect an amount for a checkout, then for its order.

    Created before the provider is called (with `order` empty); `reference` is our key at the
    provider (its idempotency key), so asking again never charges twice. `checkout_ref`
    ties it to the checkout attempt (cart token + idempotency key digest).
    """

    reference = models.UUIDField(_("reference"), unique=True, default=uuid.uuid4)
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("order"),
    )
    checkout_ref = models.CharField(_("checkout"), max_length=120, db_index=True)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_captured = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    provider_ref = models.CharField(_("provider reference"), max_length=255, blank=True)
    # Where the customer completes a second step (3-D Secure, hosted page), when needed.
    action_url = models.URLField(_("action URL"), max_length=1000, blank=True)
    # What the customer paid with, for people: a masked card ("**** **** **** 4242") or the
    # Stripe PaymentMethod id the client passed. Never a full card number.
    source = models.CharField(_("source"), max_length=255, blank=True)
    # What is sent to the provider: the test gateway's card token ("tok_visa") or the Stripe
    # PaymentMethod id ("pm_..."). Never a card number.
    token = models.CharField(_("token"), max_length=255, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card last 4 digits"), max_length=4, blank=True)
    # Where the customer comes back after a second step (3-D Secure), when the client set one.
    return_url = models.URLField(_("return URL"), max_length=1000, blank=True)
    email = models.EmailField(_("email"), blank=True)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    # Refunds asked of the provider and not settled yet: reserved under the payment's row
    # lock before the call, so concurrent refunds never exceed what was captured.
    amount_refund_pending = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]
        permissions = [("refund_payment", _("Can refund payments"))]
        indexes = [models.Index(fields=["state", "updated_at"], name="payments_state_updated")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=models.F("amount_captured")),
                name="payments_refunded_le_captured",
            ),
            # In cents: SQLite adds decimals as floats (0.1 + 0.2 > 0.3).
            models.CheckConstraint(
                condition=Q(
                    LessThanOrEqual(
                        Round(
                            (models.F("amount_refunded") + models.F("amount_refund_pending")) * 100
                        ),
                        Round(models.F("amount_captured") * 100),
                    ),
                    amount_refund_pending__gte=0,
                ),
                name="payments_refund_pending_le_refundable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.reference}"

    @property
    def amount_refundable(self) -> Decimal:
        """What can still be given back: captured, less refunded and refunds in flight."""
        left: Decimal = self.amount_captured - self.amount_refunded - self.amount_refund_pending
        return left

    @property
    def is_offline(self) -> bool:
        """Bank transfer and payment on account: no provider call; the order is placed at
        once and paid later (`payment_mark_received`, or on the company's terms)."""
        return self.method in OFFLINE_METHODS

    @property
    def is_settled(self) -> bool:
        """The provider secured the money (authorized or captured, refunds included)."""
        return self.state in SETTLED_STATES

    @property
    def is_failed(self) -> bool:
        """No money will come from this payment (declined, failed or voided)."""
        return self.state in FAILED_STATES

    @property
    def is_open(self) -> bool:
        """Not decided yet: pending, waiting for the customer's second step, or unknown."""
        return self.state in OPEN_STATES


OFFLINE_METHODS = frozenset({PaymentMethod.BANK_TRANSFER, PaymentMethod.ON_ACCOUNT})
SETTLED_STATES = frozenset(
    {
        PaymentState.AUTHORIZED,
        PaymentState.CAPTURED,
        PaymentState.PARTIALLY_REFUNDED,
        PaymentState.REFUNDED,
    }
)
FAILED_STATES = frozenset({PaymentState.DECLINED, PaymentState.FAILED, PaymentState.VOIDED})
OPEN_STATES = frozenset({PaymentState.PENDING, PaymentState.REQUIRES_ACTION, PaymentState.UNKNOWN})


class TransactionKind(models.TextChoices):
    AUTHORIZE = "authorize", _("Authorization")
    CAPTURE = "capture", _("Capture")
    SALE = "sale", _("Sale (authorize and capture)")
    VOID = "void", _("Void")
    REFUND = "refund", _("Refund")
    ACTION = "action", _("Customer action")
    SYNC = "sync", _("Status check")
    WEBHOOK = "webhook", _("Webhook")
    MANUAL = "manual", _("Recorded by staff")


class TransactionResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    PENDING = "pending", _("Pending")
    ERROR = "error", _("Error")


class PaymentTransaction(models.Model):
    """The ledger: every call to a provider and every money movement, append-only."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=12, choices=TransactionKind.choices)
    result = models.CharField(_("result"), max_length=10, choices=TransactionResult.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    provider_ref = models.CharField(_("provider reference"), max_length=255, blank=True)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    raw = models.JSONField(_("provider response"), default=dict, blank=True)
    # The idempotency key of a refund: its reservation row (pending) and its outcome row
    # share it, and a retry after no answer sends the same key.
    key = models.CharField(_("idempotency key"), max_length=64, blank=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment transaction")
        verbose_name_plural = _("payment transactions")
        ordering = ["id"]
        constraints = [
            # A refund is settled once: its outcome row (success or failure) per key.
            models.UniqueConstraint(
                fields=["payment", "key"],
                condition=Q(kind="refund", result__in=["success", "failure"]) & ~Q(key=""),
                name="payments_refund_outcome_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.result} {self.amount}"


class WebhookReceipt(models.Model):
    """A provider event already processed: a replay of the same event id changes nothing."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook receipt")
        verbose_name_plural = _("webhook receipts")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payments_webhook_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


# --- the remote side of the test gateway ---------------------------------------------------


class TestGatewayCharge(models.Model):
    """What the demo gateway (`providers.test_gateway`) keeps on its side, as a real
    provider does in its own database: one charge per payment reference (its idempotency
    key). Never holds a card number: the token names the test card's behaviour."""

    reference = models.UUIDField(_("payment reference"), unique=True)
    provider_ref = models.CharField(_("charge id"), max_length=40, unique=True)
    token = models.CharField(_("card token"), max_length=60)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    # requires_action, authorized, captured, declined, voided
    status = models.CharField(_("status"), max_length=20)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    amount_captured = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("test gateway charge")
        verbose_name_plural = _("test gateway charges")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=models.F("amount_captured")),
                name="payments_tgw_refunded_le_captured",
            )
        ]

    def __str__(self) -> str:
        return self.provider_ref


class TestGatewayRefund(models.Model):
    """A refund at the demo gateway, once per idempotency key."""

    charge = models.ForeignKey(TestGatewayCharge, on_delete=models.CASCADE, related_name="refunds")
    key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    provider_ref = models.CharField(_("refund id"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("test gateway refund")
        verbose_name_plural = _("test gateway refunds")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.provider_ref


# Not test classes for pytest, despite their names (Django drops a `__test__` class attribute).
TestGatewayCharge.__test__ = False  # type: ignore[attr-defined]
TestGatewayRefund.__test__ = False  # type: ignore[attr-defined]
