"""Price lists: negotiated or group prices per variant, volume tiers and quantity rules.

The channel base price lives in the catalog (`VariantChannelPrice`). A price list
overrides it for a company (contract list) or a customer group, in one channel and its
currency, between two dates. Precedence: company contract list > customer-group list >
channel base price; then the volume tier for the quantity; then promotions unless the list
says "net price, no promotions". See `comptoir.pricing.engine`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.companies.models import Company, CustomerGroup


class PriceList(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="price_lists", verbose_name=_("channel")
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code such as EUR."))],
    )
    # A contract list belongs to one company; a group list to a customer group; a list with
    # neither is assigned to no one yet (a draft) and prices nothing.
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="price_lists",
        verbose_name=_("company"),
    )
    customer_group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
        verbose_name=_("customer group"),
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # "Net price, no promotions": catalog promotions never lower a price from this list.
    allows_promotions = models.BooleanField(_("promotions apply"), default=True)
    # Among several lists of the same kind valid at once, the highest priority wins.
    priority = models.IntegerField(_("priority"), default=0)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=True) | Q(customer_group__isnull=True),
                name="pricing_pl_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="pricing_pl_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "channel"], name="pricing_pl_company_idx"),
            models.Index(fields=["customer_group", "channel"], name="pricing_pl_group_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListEntry(models.Model):
    """The unit price of a variant in a list (as the channel enters prices), with the
    quantity rules that apply when buying it at this price: at least `min_quantity`, at
    most `max_quantity`, by multiples of `increment` ("sold by 6")."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="price_list_entries"
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=1)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), null=True, blank=True)
    increment = models.PositiveIntegerField(_("sold by"), default=1)

    class Meta:
        verbose_name = _("price list entry")
        verbose_name_plural = _("price list entries")
        ordering = ["price_list_id", "variant_id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "variant"], name="pricing_ple_unique"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="pricing_ple_positive"),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=1) & Q(increment__gte=1), name="pricing_ple_rules"
            ),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(max_quantity__gte=F("min_quantity")),
                name="pricing_ple_max",
            ),
        ]
        indexes = [models.Index(fields=["variant", "price_list"], name="pricing_ple_variant_idx")]

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.variant_id} {self.unit_price}"


class PriceTier(models.Model):
    """From `min_quantity` units on, each unit costs `unit_price`."""

    entry = models.ForeignKey(PriceListEntry, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("volume tier")
        verbose_name_plural = _("volume tiers")
        ordering = ["entry_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "min_quantity"], name="pricing_tier_unique"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="pricing_tier_positive"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2), name="pricing_tier_min"),
        ]

    def __str__(self) -> str:
        return f">= {self.min_quantity}: {self.unit_price}"
