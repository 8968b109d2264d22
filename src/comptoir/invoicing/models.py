"""Payment terms, companies' billing accounts (terms, credit limit) and invoices.

Invoices and credit notes are snapshots: seller, buyer, lines, taxes, terms and legal
mentions are copied when they are issued and never change afterwards (docs/invoicing.md).
Only their settlement (`amount_paid`, `amount_credited`, `status`) moves later."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from comptoir.companies.models import Company
from comptoir.orders.models import Order

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _money(
    verbose: StrOrPromise, *, null: bool = False, default: Decimal | None = None
) -> models.DecimalField:
    if default is None:
        return models.DecimalField(verbose, max_digits=14, decimal_places=2, null=null, blank=null)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=default)


def _staff(verbose: StrOrPromise) -> models.ForeignKey:
    """Who did it (kept when the user is deleted: the row stays, unattributed)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose,
    )


class PaymentTerms(models.Model):
    """When an invoice falls due: `net_days` after its date (then to the end of that
    month with `end_of_month`), and an optional early-payment discount of
    `discount_percent` when paid within `discount_days` ("2/10 net 30")."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    net_days = models.PositiveSmallIntegerField(_("net days"))
    end_of_month = models.BooleanField(_("end of month"), default=False)
    discount_percent = models.DecimalField(
        _("early-payment discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    discount_days = models.PositiveSmallIntegerField(_("early-payment discount days"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        ordering = ["net_days", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lt=100),
                name="invoicing_terms_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_days__lte=F("net_days")),
                name="invoicing_terms_discount_before_due",
            ),
            models.CheckConstraint(
                condition=Q(net_days__lte=365), name="invoicing_terms_net_days_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BillingAccount(models.Model):
    """How a company pays: its terms, whether it may pay on account and up to what
    outstanding amount (`credit_limit`, None: no limit). Locked (select_for_update) by
    every order placed on account, so concurrent orders never pass the limit together."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="billing_account", verbose_name=_("company")
    )
    terms = models.ForeignKey(
        PaymentTerms, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment terms")
    )
    on_account_allowed = models.BooleanField(_("payment on account allowed"), default=False)
    credit_limit = _money(_("credit limit"), null=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    changed_by = _staff(_("changed by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="invoicing_account_limit_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.terms_id}"


class BillingAccountChange(models.Model):
    """One row per change of a billing account: what it became, who changed it, when."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="changes")
    changed_by = _staff(_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    terms_code = models.CharField(_("payment terms"), max_length=30)
    on_account_allowed = models.BooleanField(_("payment on account allowed"))
    credit_limit = _money(_("credit limit"), null=True)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("billing account change")
        verbose_name_plural = _("billing account changes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.changed_at:%Y-%m-%d}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")  # an invoice credited in full: nothing is owed
    ISSUED = "issued", _("Issued")  # a credit note


class InvoiceSequence(models.Model):
    """The last number of a series in a year. Locked (select_for_update) by the transaction
    that issues the next document, so numbers are gapless: a rollback gives the number back."""

    series = models.CharField(_("series"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice sequence")
        verbose_name_plural = _("invoice sequences")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="invoicing_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.year}-{self.last:06d}"


class Invoice(models.Model):
    """An invoice or a credit note, immutable once issued (no service updates its
    snapshot). Amounts are positive for both kinds; a credit note says what it gives back
    of `credited_invoice`."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices)
    series = models.CharField(_("series"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    status = models.CharField(_("status"), max_length=16, choices=InvoiceStatus.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("company"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    issued_at = models.DateTimeField(_("issued at"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    discount_date = models.DateField(_("early-payment discount date"), null=True, blank=True)
    discount_percent = models.DecimalField(
        _("early-payment discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    discount_amount = _money(_("early-payment discount"), default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3)
    seller = models.JSONField(_("seller"))
    buyer = models.JSONField(_("buyer"))
    # [{"sku", "name", "quantity", "unit_net", "tax_rate", "net", "tax", "gross"}]
    lines = models.JSONField(_("lines"))
    # [{"rate", "net", "tax", "category", "exemption_reason", "exemption_code"}]
    tax_breakdown = models.JSONField(_("tax breakdown"))
    total_net = _money(_("total (net)"))
    total_tax = _money(_("total (tax)"))
    total_gross = _money(_("total (gross)"))
    amount_paid = _money(_("amount paid"), default=Decimal("0"))
    amount_credited = _money(_("amount credited"), default=Decimal("0"))
    tax_treatment = models.CharField(_("tax treatment"), max_length=30, blank=True)
    terms = models.JSONField(_("payment terms"), default=dict)
    legal_mentions = models.JSONField(_("legal mentions"), default=list)
    po_number = models.CharField(_("purchase order number"), max_length=64, blank=True)
    order_number = models.CharField(_("order number"), max_length=32)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    issued_by = _staff(_("issued by"))
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "-id"], name="invoicing_invoice_company"),
            models.Index(fields=["status", "due_date"], name="invoicing_invoice_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="invoicing_invoice_number_once"
            ),
            models.CheckConstraint(
                condition=Q(total_gross__gte=0)
                & Q(amount_paid__gte=0)
                & Q(amount_paid__lte=F("total_gross"))
                & Q(amount_credited__gte=0)
                & Q(amount_credited__lte=F("total_gross")),
                name="invoicing_invoice_settled_within_total",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoicing_credit_note_has_invoice",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        """What is still owed on an invoice (0 for a credit note or when credit notes and
        payments cover it)."""
        if self.kind != InvoiceKind.INVOICE:
            return Decimal("0.00")
        return max(self.total_gross - self.amount_credited - self.amount_paid, Decimal("0.00"))


class PaymentMethodReceived(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
    OTHER = "other", _("Other")


class ReceivedPayment(models.Model):
    """Money a company paid us (recorded by staff or imported from a bank statement),
    matched to its invoices by `PaymentAllocation` rows; what no invoice took stays
    `unallocated`. The `reference` (the bank's) is unique per company: recording or
    importing it again changes nothing."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="received_payments")
    amount = _money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    received_on = models.DateField(_("received on"))
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethodReceived.choices, default="transfer"
    )
    reference = models.CharField(_("reference"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)
    unallocated = _money(_("unallocated"), default=Decimal("0"))
    recorded_by = _staff(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"], name="invoicing_payment_reference_once"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                name="invoicing_payment_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentAllocation(models.Model):
    """The part of a payment that settles an invoice."""

    payment = models.ForeignKey(
        ReceivedPayment, on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = _money(_("amount"))

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoicing_allocation_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.invoice_id}"


class DunningReminder(models.Model):
    """A reminder of an overdue invoice at one level (days past due): sent once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("days past due"))
    sent_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    # Set by the outbox handler once the email left (a redelivery sends nothing again).
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="invoicing_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}+{self.level}"
