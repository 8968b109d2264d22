"""The text of a catalog object in one language, and plain-text excerpts for meta tags.

When a translation row exists for the language, every field comes from it, falling back
within it (an empty SEO title is the translated name, an empty SEO description an excerpt of
the translated description): never a French SEO title under an English name. The base
(French) columns are used only when there is no translation row at all.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import Truncator

from comptoir.core.html import sanitize_html

EXCERPT_LENGTH = 160


def plain_excerpt(value: str, limit: int = EXCERPT_LENGTH) -> str:
    """Rich text as one line of plain text of at most `limit` characters (tags stripped,
    entities decoded, an ellipsis when cut): what a meta description takes."""
    if not value:
        return ""
    # Sanitise first: nh3 drops <script>/<style> with their content, strip_tags would not.
    text = " ".join(html.unescape(strip_tags(sanitize_html(value))).split())
    return Truncator(text).chars(limit)


@dataclass(frozen=True, slots=True)
class LocalizedText:
    name: str
    # Sanitised HTML.
    description: str
    seo_title: str
    seo_description: str


def localized_text(
    *, base: Mapping[str, Any], translation: Mapping[str, Any] | None
) -> LocalizedText:
    """Name, description and SEO fields from `translation` (a row's `name`, `description`,
    `seo_title`, `seo_description`) when there is one, else from `base` as stored."""
    if translation is None:
        return LocalizedText(
            name=base["name"],
            description=sanitize_html(base["description"]),
            seo_title=base["seo_title"],
            seo_description=base["seo_description"],
        )
    name = translation["name"] or base["name"]
    description = sanitize_html(translation["description"] or "")
    return LocalizedText(
        name=name,
        description=description,
        seo_title=translation["seo_title"] or name,
        seo_description=translation["seo_description"] or plain_excerpt(description),
    )
