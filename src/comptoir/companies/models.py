"""Companies that buy from the shop, their members and customer groups.

Only what pricing and taxes need lives here for now: legal identity, country and VAT
number (tax treatment), customer group (price lists, promotions), members (who buys for
whom). Roles, approvals, addresses and the portal extend these models in the B2B issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class CustomerGroup(models.Model):
    """A segment of customers priced and promoted alike (wholesale, installers, schools...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxStatus(models.TextChoices):
    STANDARD = "standard", _("Standard (VAT applies)")
    EXEMPT = "exempt", _("Tax-exempt")


class ViesStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    VALID = "valid", _("Valid in VIES")
    INVALID = "invalid", _("Unknown to VIES")
    UNAVAILABLE = "unavailable", _("VIES unavailable")


class Company(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = CountryField(_("country"))
    # Normalised with its country prefix ("FR40303265045"), or empty.
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    customer_group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
        verbose_name=_("customer group"),
    )
    tax_status = models.CharField(
        _("tax status"), max_length=10, choices=TaxStatus.choices, default=TaxStatus.STANDARD
    )
    vies_status = models.CharField(
        _("VIES check"), max_length=12, choices=ViesStatus.choices, default=ViesStatus.UNCHECKED
    )
    vies_checked_at = models.DateTimeField(_("VIES checked at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Checkout refuses an order of its members without a purchase order number.
    po_number_required = models.BooleanField(_("purchase order number required"), default=False)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name", "id"]
        indexes = [models.Index(fields=["vat_number"], name="companies_vat_idx")]

    def __str__(self) -> str:
        return self.legal_name


class CompanyMember(models.Model):
    """A user who acts for a company. A user acts for one company at most."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_membership"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id}"
