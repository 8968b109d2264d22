from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.companies.models import Company
from comptoir.core.ids import new_token
from comptoir.inventory.models import Stock, Warehouse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _money(verbose: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=0)


# The money columns of an order's snapshot (placement copies them from the draft; the API
# and the admin show them) and of a line. `amount_paid` and `amount_refunded` move later.
ORDER_TOTALS: Final = (
    "subtotal_net",
    "subtotal_tax",
    "subtotal_gross",
    "discount_gross",
    "shipping_net",
    "shipping_tax",
    "shipping_gross",
    "total_net",
    "total_tax",
    "total_gross",
)
LINE_MONEY: Final = (
    "undiscounted_unit_gross",
    "unit_net",
    "unit_gross",
    "discount_gross",
    "total_net",
    "total_tax",
    "total_gross",
)


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    PARTIALLY_FULFILLED = "partially_fulfilled", _("Partially fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    AUTHORIZED = "authorized", _("Authorized")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    VOIDED = "voided", _("Voided")
    ON_ACCOUNT = "on_account", _("On account")


class OrderSequence(models.Model):
    """The last order number handed out in a channel; taken with a conditional UPDATE so
    numbers are sequential and never repeat."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(_("prefix"), max_length=20, blank=True)
    last = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("order sequence")
        verbose_name_plural = _("order sequences")
        constraints = [
            # Order numbers are unique across channels: two channels never share a prefix.
            models.UniqueConstraint(fields=["prefix"], name="orders_sequence_prefix_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class Order(models.Model):
    """A snapshot of what was sold: names, SKUs, prices, taxes, discounts and addresses are
    copied at placement; later catalog, price or address changes never alter it."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    # Reaches a guest's order (confirmation page, email link) without an account.
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="orders", verbose_name=_("channel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("customer"),
    )
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("company"),
    )
    # The staff member who placed it on the customer's behalf (an assisted shopping
    # session, docs/companies.md); `user` stays the customer the order is for.
    placed_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("placed with the help of"),
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=24,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
    )
    payment_method = models.CharField(_("payment method"), max_length=30)
    currency = models.CharField(_("currency"), max_length=3)
    prices_include_tax = models.BooleanField(_("prices include tax"))
    subtotal_net = _money(_("subtotal (net)"))
    subtotal_tax = _money(_("subtotal (tax)"))
    subtotal_gross = _money(_("subtotal (gross)"))
    discount_gross = _money(_("discounts (gross)"))
    shipping_net = _money(_("shipping (net)"))
    shipping_tax = _money(_("shipping (tax)"))
    shipping_gross = _money(_("shipping (gross)"))
    total_net = _money(_("total (net)"))
    total_tax = _money(_("total (tax)"))
    total_gross = _money(_("total (gross)"))
    amount_paid = _money(_("amount paid"))
    amount_refunded = _money(_("amount refunded"))
    # [{"rate": "20.000", "net": "10.00", "tax": "2.00"}, ...] per tax rate, shipping included.
    tax_breakdown = models.JSONField(_("tax breakdown"), default=list)
    tax_treatment = models.CharField(_("tax treatment"), max_length=30, blank=True)
    legal_mention = models.TextField(_("legal mention"), blank=True)
    shipping_method_code = models.CharField(_("shipping method code"), max_length=50, blank=True)
    shipping_method_name = models.CharField(_("shipping method"), max_length=100, blank=True)
    pickup_warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pick-up warehouse"),
    )
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"))
    # [{"code", "name", "amount"}] applied at placement (cart promotions and coupons).
    discounts = models.JSONField(_("discounts"), default=list, blank=True)
    coupon_codes = models.JSONField(_("coupon codes"), default=list, blank=True)
    customer_note = models.TextField(_("note"), blank=True)
    po_number = models.CharField(_("purchase order number"), max_length=64, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=64, blank=True)
    # The checkout that placed it: stock reservations and coupon redemptions carry it.
    checkout_ref = models.CharField(_("checkout"), max_length=64, blank=True, db_index=True)
    placed_at = models.DateTimeField(_("placed at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="orders_order_user"),
            models.Index(fields=["company", "-id"], name="orders_order_company"),
            models.Index(fields=["status", "-id"], name="orders_order_status"),
            models.Index(fields=["channel", "-id"], name="orders_order_channel"),
            # The best sellers of a channel over the last days (orders.selectors).
            models.Index(fields=["channel", "placed_at"], name="orders_order_channel_placed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_ref"],
                condition=~Q(checkout_ref=""),
                name="orders_order_checkout_once",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=models.F("total_gross")),
                name="orders_order_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0)
                & Q(amount_refunded__lte=models.F("amount_paid")),
                name="orders_order_refunded_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        ProductVariant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("variant"),
    )
    sku = models.CharField(_("SKU"), max_length=64)
    product_name = models.CharField(_("product"), max_length=200)
    variant_name = models.CharField(_("variant"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_fulfilled = models.PositiveIntegerField(_("quantity fulfilled"), default=0)
    quantity_backordered = models.PositiveIntegerField(_("quantity backordered"), default=0)
    quantity_refunded = models.PositiveIntegerField(_("quantity refunded"), default=0)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3)
    undiscounted_unit_gross = _money(_("undiscounted unit price (gross)"))
    unit_net = _money(_("unit price (net)"))
    unit_gross = _money(_("unit price (gross)"))
    discount_gross = _money(_("discount (gross)"))
    total_net = _money(_("total (net)"))
    total_tax = _money(_("total (tax)"))
    total_gross = _money(_("total (gross)"))
    rule = models.CharField(_("price rule"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_fulfilled__lte=models.F("quantity")),
                name="orders_line_fulfilled_le_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_backordered__lte=models.F("quantity")),
                name="orders_line_backordered_le_quantity",
            ),
            models.CheckConstraint(
                condition=Q(quantity_refunded__lte=models.F("quantity")),
                name="orders_line_refunded_le_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} x {self.quantity}"


class OrderAllocation(models.Model):
    """Stock allocated to a line in one warehouse (released on cancel, shipped on fulfil)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "stock"], name="orders_allocation_line_stock"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_allocation_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} @ {self.stock_id}"


class FulfilmentStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Fulfilment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilments")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FulfilmentStatus.choices, default="shipped"
    )
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    tracking_url = models.URLField(_("tracking URL"), max_length=500, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "sequence"], name="orders_fulfilment_order_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}-{self.sequence}"


class FulfilmentLine(models.Model):
    fulfilment = models.ForeignKey(Fulfilment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_fulfilment_line_quantity_gt_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} x {self.quantity}"


class OrderEvent(models.Model):
    """The timeline: one row per thing that happened to an order, written in the same
    transaction as the change. `kind` is a stable code ("placed", "paid", "fulfilled",
    "note", ...); `data` holds the details."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
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
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"
