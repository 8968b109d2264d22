from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.core.ids import new_token
from comptoir.shipping.models import ShippingMethod


class CartStatus(models.TextChoices):
    OPEN = "open", _("Open")
    # A checkout is running on it (stock reserved, payment in progress): lines are frozen.
    CHECKING_OUT = "checking_out", _("Checking out")
    COMPLETED = "completed", _("Completed")
    MERGED = "merged", _("Merged")


class Cart(models.Model):
    """A basket. Anonymous carts are reached only by `token`; a customer's cart also by its
    owner. Prices are never stored: totals are recomputed by the price engine on each read.
    Addresses are snapshots (dicts with the accounts.Address fields) so a guest can check out.
    """

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
        verbose_name=_("customer"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="carts", verbose_name=_("channel")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CartStatus.choices, default=CartStatus.OPEN
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"), null=True, blank=True)
    shipping_method = models.ForeignKey(
        ShippingMethod,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("shipping method"),
    )
    coupon_codes = models.JSONField(_("coupon codes"), default=list, blank=True)
    customer_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        ordering = ["id"]
        constraints = [
            # One open cart per customer and channel.
            models.UniqueConstraint(
                fields=["user", "channel"],
                condition=Q(status="open"),
                name="cart_one_open_per_user_channel",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="cart_status_updated")]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    saved_for_later = models.BooleanField(_("saved for later"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "variant", "saved_for_later"], name="cart_line_unique_variant"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"
