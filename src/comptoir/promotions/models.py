"""Promotions (catalog and cart) and coupons.

A catalog promotion lowers unit prices of the products it targets (the price engine
applies it); a cart promotion looks at the whole cart (order threshold, buy X get Y,
quantity-based, free shipping), optionally behind a coupon code. Stacking: promotions are
walked by priority (highest first); an exclusive one applies alone and only when it comes
first among those that apply; cumulative ones apply one after the other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Category, Collection, Product
from comptoir.channels.models import Channel
from comptoir.companies.models import CustomerGroup


class PromotionKind(models.TextChoices):
    CATALOG = "catalog", _("Catalog (lowers product prices)")
    CART = "cart", _("Cart (applies to the order)")


class RewardType(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off")
    FREE_SHIPPING = "free_shipping", _("Free shipping")
    BUY_X_GET_Y = "buy_x_get_y", _("Buy X, get Y")


class Stacking(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive")
    CUMULATIVE = "cumulative", _("Cumulative")


class Promotion(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PromotionKind.choices)
    # Empty: every channel / every customer (with or without a group).
    channels = models.ManyToManyField(
        Channel, blank=True, related_name="promotions", verbose_name=_("channels")
    )
    customer_groups = models.ManyToManyField(
        CustomerGroup, blank=True, related_name="promotions", verbose_name=_("customer groups")
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.IntegerField(_("priority"), default=0)
    stacking = models.CharField(
        _("stacking"), max_length=10, choices=Stacking.choices, default=Stacking.CUMULATIVE
    )
    reward_type = models.CharField(_("reward"), max_length=15, choices=RewardType.choices)
    # Percent (0-100] for percentage and buy X get Y (100 = the Y items are free); an
    # amount in `currency` for fixed; unused for free shipping.
    reward_value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code such as EUR."))],
    )
    # What it applies to; all three empty: the whole catalog. Categories include their
    # subcategories. `applies_to_all` records that choice when the targets are saved, so that
    # deleting the last targeted product or category never widens a promotion to the
    # whole catalog (it then applies to nothing).
    applies_to_all = models.BooleanField(_("whole catalog"), default=True, editable=False)
    products = models.ManyToManyField(
        Product, blank=True, related_name="promotions", verbose_name=_("products")
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="promotions", verbose_name=_("categories")
    )
    collections = models.ManyToManyField(
        Collection, blank=True, related_name="promotions", verbose_name=_("collections")
    )
    # Cart conditions: subtotal of the cart (as the channel enters prices) at least this;
    # at least this many units of the targeted products; buy X (targeted) get Y.
    min_subtotal = models.DecimalField(
        _("minimum order amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), null=True, blank=True)
    buy_quantity = models.PositiveIntegerField(_("buy (X)"), null=True, blank=True)
    get_quantity = models.PositiveIntegerField(_("get (Y)"), null=True, blank=True)
    requires_coupon = models.BooleanField(_("needs a coupon code"), default=False)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="promotions_promo_dates",
            ),
            models.CheckConstraint(
                condition=Q(reward_value__isnull=True) | Q(reward_value__gt=0),
                name="promotions_promo_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """A code that unlocks a cart promotion. Codes are stored upper-case; usage is counted
    by a conditional UPDATE when an order is placed (`coupon_redeem`)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("code"), max_length=40, unique=True)
    usage_limit = models.PositiveIntegerField(_("total uses"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    times_used = models.PositiveIntegerField(_("times used"), default=0)
    min_subtotal = models.DecimalField(
        _("minimum order amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Codes generated together share a batch reference.
    batch = models.CharField(_("batch"), max_length=50, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="promotions_coupon_usage",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="promotions_coupon_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(models.Model):
    """One use of a coupon by an order. Customers are counted by user, guests by email."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    email = models.EmailField(_("email"), max_length=254)
    order_reference = models.CharField(_("order"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_reference"], name="promotions_redemption_once"
            ),
        ]
        indexes = [
            models.Index(fields=["coupon", "email"], name="promotions_red_email_idx"),
            models.Index(fields=["coupon", "user"], name="promotions_red_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.order_reference}"
