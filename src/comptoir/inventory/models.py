"""Inventory: warehouses, stock per (warehouse, variant) and the append-only ledger of stock
movements. Invariant: `Stock.quantity` equals the sum of its movements' quantities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), default="FR")
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Lower numbers are allocated from first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    channels = models.ManyToManyField(
        Channel,
        blank=True,
        related_name="warehouses",
        verbose_name=_("channels"),
        help_text=_("Leave empty to serve every channel."),
    )
    external_ref = models.CharField(
        _("external reference"), max_length=100, unique=True, null=True, blank=True
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("warehouse")
    )
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("variant")
    )
    quantity = models.IntegerField(_("quantity on hand"), default=0)
    quantity_allocated = models.IntegerField(_("quantity allocated"), default=0)
    low_stock_threshold = models.PositiveIntegerField(
        _("low stock threshold"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stocks")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "variant"], name="inventory_stock_warehouse_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity_allocated__gte=0), name="inventory_stock_allocated_gte_0"
            ),
            # Backorders (selling below zero, per product) come later: they will relax this
            # constraint for the products that allow them.
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="inventory_stock_quantity_gte_0"
            ),
            # Never more allocated than on hand: free stock is never negative.
            models.CheckConstraint(
                condition=Q(quantity_allocated__lte=F("quantity")),
                name="inventory_stock_allocated_le_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.quantity}"

    @property
    def quantity_free(self) -> int:
        """On hand minus allocated: what can still be allocated or moved."""
        return self.quantity - self.quantity_allocated


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")


class StockMovement(models.Model):
    """One change of on-hand quantity. Rows are only ever inserted, never updated or deleted."""

    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Signed; never zero."))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["stock", "created_at"], name="inventory_movement_stock_time")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="inventory_movement_quantity_not_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} ({self.stock_id})"


class ReservationHold(models.Model):
    """One checkout's hold on stock, from `stock_reserve` until it is committed, released
    or expires. It exists even when every line is backordered (no Reservation row), so
    that committing tells "nothing to hold" from "expired". Its row is the lock that
    serialises the writes of one token (taken before any stock row)."""

    token = models.CharField(_("checkout"), max_length=120, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    backordered = models.JSONField(
        _("backordered"),
        default=dict,
        blank=True,
        help_text=_("Variant id -> units accepted beyond stock (products allowing backorders)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checkout hold")
        verbose_name_plural = _("checkout holds")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.token


class Reservation(models.Model):
    """Stock held for an open checkout until `expires_at`. It counts in
    `Stock.quantity_allocated` like an order's allocation; placing the order converts it
    (the quantity stays allocated, now to an order line), expiry or a failed payment
    releases it. `token` names the checkout holding it."""

    token = models.CharField(_("checkout"), max_length=120, db_index=True)
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["token", "stock"], name="inventory_reservation_once"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_reservation_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token}: {self.quantity} @ {self.stock_id}"
