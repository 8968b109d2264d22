"""Sales channels: where and how the catalog is sold (currency, language, price display)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class PriceDisplay(models.TextChoices):
    GROSS = "gross", _("Tax included (TTC)")
    NET = "net", _("Tax excluded (HT)")


class Channel(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code such as EUR."))],
    )
    default_language = models.CharField(_("default language"), max_length=8, default="fr")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    price_display = models.CharField(
        _("price display"), max_length=5, choices=PriceDisplay.choices, default=PriceDisplay.GROSS
    )
    default_country = CountryField(_("default country"), default="FR")
    is_active = models.BooleanField(_("active"), default=True)
    is_b2b = models.BooleanField(_("business channel"), default=False)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def shows_gross(self) -> bool:
        return self.price_display == PriceDisplay.GROSS
