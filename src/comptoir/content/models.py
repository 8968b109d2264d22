"""Static content pages of the shop (delivery, returns policy, legal notices, terms of sale),
in French and English. Bodies are HTML sanitised with nh3 when saved (`services.page_save`)
and again when shown."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    slug = models.SlugField(_("slug (French)"), max_length=120, unique=True)
    slug_en = models.SlugField(_("slug (English)"), max_length=120, unique=True)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body = models.TextField(_("body (French)"), blank=True, help_text=_("Sanitised HTML."))
    body_en = models.TextField(_("body (English)"), blank=True, help_text=_("Sanitised HTML."))
    seo_title = models.CharField(_("SEO title (French)"), max_length=70, blank=True)
    seo_title_en = models.CharField(_("SEO title (English)"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description (French)"), max_length=300, blank=True)
    seo_description_en = models.CharField(
        _("SEO description (English)"), max_length=300, blank=True
    )
    is_published = models.BooleanField(_("published"), default=False)
    in_footer = models.BooleanField(_("linked from the footer"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def localized(self, language: str) -> dict[str, str]:
        """The page's texts in `language` (English falls back to French when empty)."""
        if language == "en":
            return {
                "slug": self.slug_en,
                "title": self.title_en or self.title,
                "body": self.body_en or self.body,
                "seo_title": self.seo_title_en or self.title_en or self.title,
                "seo_description": self.seo_description_en or self.seo_description,
            }
        return {
            "slug": self.slug,
            "title": self.title,
            "body": self.body,
            "seo_title": self.seo_title or self.title,
            "seo_description": self.seo_description,
        }
