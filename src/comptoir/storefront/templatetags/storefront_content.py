"""Links to the content pages (delivery, returns, legal notices, terms of sale) for the
footer: from the process's copy of the published pages, so no query per page."""

from __future__ import annotations

from django import template
from django.urls import reverse

from comptoir.content.selectors import footer_pages
from comptoir.storefront.shop import current_language

register = template.Library()


@register.simple_tag
def content_links() -> list[tuple[str, str]]:
    """(url, title) of each footer page in the current language."""
    language = current_language()
    links = []
    for page in footer_pages():
        slug, title = page.for_language(language)
        links.append((reverse("storefront:content_page", args=[slug]), title))
    return links
