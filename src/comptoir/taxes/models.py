"""Tax classes (what kind of goods) and their VAT rates per country."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# The class every product falls back to when neither it nor its product type names one.
STANDARD = "standard"


class TaxClass(models.Model):
    """A kind of goods taxed alike: standard, intermediate, reduced, super-reduced, zero."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("tax class")
        verbose_name_plural = _("tax classes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TaxRate(models.Model):
    """The VAT rate, in percent, of a tax class in a country (20.000 = 20 %)."""

    tax_class = models.ForeignKey(
        TaxClass, on_delete=models.CASCADE, related_name="rates", verbose_name=_("tax class")
    )
    country = CountryField(_("country"))
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["country", "tax_class__position"]
        constraints = [
            models.UniqueConstraint(fields=["tax_class", "country"], name="taxes_rate_unique"),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=100),
                name="taxes_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.tax_class.code} {self.rate} %"
