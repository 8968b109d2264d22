from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.inventory.models import Warehouse
from comptoir.taxes.models import TaxClass


class ShippingZone(models.Model):
    """The countries a channel ships to with one set of methods. A country belongs to at
    most one active zone of a channel (checked by the services)."""

    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="shipping_zones", verbose_name=_("channel")
    )
    name = models.CharField(_("name"), max_length=100)
    countries = models.JSONField(
        _("countries"), default=list, help_text=_("ISO 3166-1 alpha-2 codes.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ShippingKind(models.TextChoices):
    FLAT = "flat", _("Flat rate")
    WEIGHT = "weight", _("Weight-based")
    PICKUP = "pickup", _("Pick-up in store")


class ShippingMethod(models.Model):
    """A way to deliver in a zone. Prices are in the channel's currency and entered the way
    the channel enters prices (tax-included or not); `tax_class` taxes them (standard when
    empty). `free_over` makes the method free when the discounted goods subtotal (in the
    channel's entry mode) reaches it. Weight-based methods are priced by their brackets
    (`price` stays 0); `min_weight_grams`/`max_weight_grams` limit any kind of method.
    `name`/`description` are in the shop's language (French), `*_en` in English."""

    zone = models.ForeignKey(
        ShippingZone, on_delete=models.CASCADE, related_name="methods", verbose_name=_("zone")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ShippingKind.choices)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    free_over = models.DecimalField(
        _("free over"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_weight_grams = models.PositiveIntegerField(_("minimum weight (g)"), null=True, blank=True)
    max_weight_grams = models.PositiveIntegerField(_("maximum weight (g)"), null=True, blank=True)
    tax_class = models.ForeignKey(
        TaxClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tax class"),
    )
    pickup_warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pick-up warehouse"),
    )
    delivery_days_min = models.PositiveSmallIntegerField(_("delivery days (min)"), default=1)
    delivery_days_max = models.PositiveSmallIntegerField(_("delivery days (max)"), default=3)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="shipping_method_zone_code"),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="shipping_method_price_gte_0",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(kind="pickup") | Q(pickup_warehouse__isnull=True),
                name="shipping_method_pickup_warehouse",
                violation_error_message=_("Only pick-up methods have a pick-up warehouse."),
            ),
            models.CheckConstraint(
                condition=Q(free_over__isnull=True) | Q(free_over__gte=0),
                name="shipping_method_free_over_gte_0",
                violation_error_message=_("The free-shipping threshold cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(delivery_days_min__lte=F("delivery_days_max")),
                name="shipping_method_delivery_days",
                violation_error_message=_("The maximum delivery time is below the minimum."),
            ),
            models.CheckConstraint(
                condition=Q(min_weight_grams__isnull=True)
                | Q(max_weight_grams__isnull=True)
                | Q(min_weight_grams__lte=F("max_weight_grams")),
                name="shipping_method_weight_range",
                violation_error_message=_("The maximum weight is below the minimum weight."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WeightBracket(models.Model):
    """For weight-based methods: the price of a parcel up to `up_to_grams` (the smallest
    bracket that holds the parcel wins; heavier parcels cannot use the method)."""

    method = models.ForeignKey(
        ShippingMethod, on_delete=models.CASCADE, related_name="brackets", verbose_name=_("method")
    )
    up_to_grams = models.PositiveIntegerField(_("up to (g)"))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("weight bracket")
        verbose_name_plural = _("weight brackets")
        ordering = ["up_to_grams"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "up_to_grams"], name="shipping_bracket_method_weight"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="shipping_bracket_price_gte_0",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(up_to_grams__gte=1),
                name="shipping_bracket_weight_gte_1",
                violation_error_message=_("A bracket holds at least 1 g."),
            ),
        ]

    def __str__(self) -> str:
        return f"<= {self.up_to_grams} g"
