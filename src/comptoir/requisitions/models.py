"""Requisition lists: the SKUs a company buys again and again, kept by a member, personal
(its owner only) or shared with every member of the company (see
docs/requisition-lists.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ProductVariant
from comptoir.companies.models import Company


class RequisitionList(models.Model):
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="requisition_lists",
        verbose_name=_("company"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="requisition_lists",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    # Shared: every member of the company reads it; changing it needs `requisitions.share`.
    shared = models.BooleanField(_("shared with the company"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("requisition list")
        verbose_name_plural = _("requisition lists")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "shared"], name="requisitions_company_idx")]

    def __str__(self) -> str:
        return self.name


class RequisitionListLine(models.Model):
    requisition_list = models.ForeignKey(
        RequisitionList, on_delete=models.CASCADE, related_name="lines"
    )
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("requisition list line")
        verbose_name_plural = _("requisition list lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition_list", "variant"], name="requisitions_line_one_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=9999),
                name="requisitions_line_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"
