"""A customer's wishlist: products kept for later, each with the variant chosen when there
was one, shared read-only by an unguessable link (see docs/wishlists.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product, ProductVariant


class Wishlist(models.Model):
    """The customer's default wishlist, created the first time it is needed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist"
    )
    # Who holds it reads the list (read-only); regenerating it revokes the old link.
    share_token = models.CharField(_("share token"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wishlist")
        verbose_name_plural = _("wishlists")

    def __str__(self) -> str:
        return f"wishlist #{self.pk}"


class WishlistItem(models.Model):
    """A product kept for later; `variant` is the option chosen on the product page (None:
    not chosen yet, the product has several)."""

    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        ProductVariant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("variant"),
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wishlist", "product"],
                condition=Q(variant__isnull=True),
                name="wishlists_item_one_product",
            ),
            models.UniqueConstraint(
                fields=["wishlist", "variant"],
                condition=Q(variant__isnull=False),
                name="wishlists_item_one_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_id or '-'}"
