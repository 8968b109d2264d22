"""The B2B document library: technical sheets, certificates, training material and contracts
the shop shares with its business customers, with every company or with one.

Files live in the private storage (`STORAGES["private"]`, never served by the web server):
members download them through a view that checks their company first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import LANGUAGE_CHOICES, Product
from comptoir.companies.models import Company


class LibraryKind(models.TextChoices):
    TECHNICAL_SHEET = "technical_sheet", _("Technical data sheet")
    SAFETY_DATA_SHEET = "safety_data_sheet", _("Safety data sheet")
    CERTIFICATE = "certificate", _("Certificate")
    TRAINING = "training", _("Training material")
    CONTRACT = "contract", _("Contract and terms")
    PRICE_SHEET = "price_sheet", _("Price sheet")
    OTHER = "other", _("Other")


def _private_storage() -> Storage:
    return storages["private"]


def library_path(instance: LibraryDocument, filename: str) -> str:
    owner = f"company-{instance.company_id}" if instance.company_id else "shared"
    return f"library/{owner}/{filename}"


class LibraryDocument(models.Model):
    """A document for every business customer (`company` empty) or for one company,
    optionally about one product."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LibraryKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    file = models.FileField(
        _("file"), upload_to=library_path, storage=_private_storage, max_length=255
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_documents",
        verbose_name=_("company"),
        help_text=_("Empty: shared with every business customer."),
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
        verbose_name=_("product"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("library document")
        verbose_name_plural = _("library documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "kind"], name="documents_company_kind")]

    def __str__(self) -> str:
        return self.title
