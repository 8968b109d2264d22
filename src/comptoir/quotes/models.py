"""Negotiable quotes (docs/quotes.md): a company's request for prices, negotiated by staff
in rounds, each round sent kept as an immutable `QuoteRevision`, accepted into an order at
the quoted prices.

A quote is a snapshot like an order: SKUs, names, list prices at request time, the
negotiated unit prices, tax rates and totals are copied on it; catalog or price changes
never alter it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.companies.models import Company
from comptoir.orders.models import Order

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _money(verbose: StrOrPromise, *, null: bool = False) -> models.DecimalField:
    if null:
        return models.DecimalField(verbose, max_digits=14, decimal_places=2, null=True, blank=True)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=0)


class QuoteState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Requested")
    IN_NEGOTIATION = "in_negotiation", _("In negotiation")
    SENT = "sent", _("Sent")
    RENEGOTIATION_REQUESTED = "renegotiation_requested", _("Renegotiation requested")
    ACCEPTED = "accepted", _("Accepted")
    ORDERED = "ordered", _("Ordered")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


QUOTE_TOTALS: Final = (
    "subtotal_net",
    "discount_net",
    "shipping_net",
    "shipping_tax",
    "total_net",
    "total_tax",
    "total_gross",
)


class Quote(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("company")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("requested by"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    currency = models.CharField(_("currency"), max_length=3)
    language = models.CharField(_("language"), max_length=10, default="fr")
    state = models.CharField(
        _("state"), max_length=30, choices=QuoteState.choices, default=QuoteState.DRAFT
    )
    expires_at = models.DateTimeField(_("expires at"))
    reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)
    # Tax treatment of the pricing context when the lines were last priced (see services).
    tax_treatment = models.CharField(_("tax treatment"), max_length=30, blank=True)
    legal_mention = models.CharField(_("legal mention"), max_length=300, blank=True)
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"), null=True, blank=True)
    shipping_method_code = models.CharField(_("shipping method"), max_length=50, blank=True)
    shipping_method_name = models.CharField(_("shipping method name"), max_length=200, blank=True)
    shipping_tax_rate = models.DecimalField(
        _("shipping tax rate"), max_digits=6, decimal_places=3, default=0
    )
    # Percent off every line's negotiated amount (tax follows each line's rate).
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    subtotal_net = _money(_("subtotal excl. tax"))
    discount_net = _money(_("discount excl. tax"))
    shipping_net = _money(_("shipping excl. tax"))
    shipping_tax = _money(_("shipping tax"))
    total_net = _money(_("total excl. tax"))
    total_tax = _money(_("total tax"))
    total_gross = _money(_("total incl. tax"))
    # Bumped by each send: the revision number the buyer answers.
    version = models.PositiveIntegerField(_("version"), default=0)
    order = models.OneToOneField(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote",
        verbose_name=_("order"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ("-id",)
        indexes = [
            models.Index(fields=["company", "-id"], name="quotes_company_idx"),
            models.Index(fields=["state", "expires_at"], name="quotes_state_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quotes_discount_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(shipping_net__gte=0), name="quotes_shipping_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=64)
    product_name = models.CharField(_("product name"), max_length=255)
    variant_name = models.CharField(_("variant name"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    # The price engine's unit price (excl. tax) and rule when the line was requested.
    list_unit_net = _money(_("list unit price excl. tax"))
    list_rule = models.CharField(_("list price rule"), max_length=100, blank=True)
    target_unit_net = _money(_("target unit price excl. tax"), null=True)
    unit_net = _money(_("negotiated unit price excl. tax"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3, default=0)
    subtotal_net = _money(_("subtotal excl. tax"))
    discount_net = _money(_("discount excl. tax"))
    total_net = _money(_("total excl. tax"))
    total_tax = _money(_("tax"))
    total_gross = _money(_("total incl. tax"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ("position", "id")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quotes_line_quantity_gt0"),
            models.CheckConstraint(condition=Q(unit_net__gte=0), name="quotes_line_unit_net_gte0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x {self.quantity}"


class QuoteRevision(models.Model):
    """What the buyer was sent, as it was: never changed after its insert."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote revision")
        verbose_name_plural = _("quote revisions")
        ordering = ("version",)
        constraints = [
            models.UniqueConstraint(fields=["quote", "version"], name="quotes_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} v{self.version}"


class QuoteComment(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_staff = models.BooleanField(default=False)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote comment")
        verbose_name_plural = _("quote comments")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.body[:50]


class QuoteAttachment(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="attachments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="quotes/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote attachment")
        verbose_name_plural = _("quote attachments")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class QuoteEvent(models.Model):
    """The quote's audit trail: who did what (state changes, edits), shown to staff."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote event")
        verbose_name_plural = _("quote events")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.kind
