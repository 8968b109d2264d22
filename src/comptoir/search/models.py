"""The product search index: one document per product, in both languages.

The index is derived data: `services.search_index` writes it from the catalog, the outbox
handler keeps it current (`catalog.product.changed`), `comptoir search_reindex` rebuilds it.
What a database searches it with lives in the backends (`comptoir.search.backends`): on
PostgreSQL two generated `tsvector` columns (French and English stemming, accents ignored)
and trigram indexes on the names; on SQLite an FTS5 table kept in step by triggers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    product = models.OneToOneField(
        "catalog.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("product"),
    )
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # Brand, SKUs and GTINs: matched as they are, in every language.
    codes = models.TextField(_("codes"), blank=True)
    # Plain text of the descriptions and attribute values, per language.
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return self.name_fr
