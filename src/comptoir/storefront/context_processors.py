"""What every storefront page needs: channel, navigation, languages and default SEO links.

Every value is lazy: pages that never show them (the admin shares the template settings)
pay no query, and the navigation comes from a per-language cache.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from comptoir.storefront.shop import (
    LANGUAGE_PARAM,
    current_channel,
    current_language,
    seo_links,
    top_categories,
)

SEARCH_MAX_LENGTH = 100


def storefront(request: HttpRequest) -> dict[str, Any]:
    language = current_language()
    return {
        "storefront_channel": SimpleLazyObject(lambda: current_channel(request)),
        "nav_categories": SimpleLazyObject(lambda: top_categories(language)),
        "storefront_languages": settings.LANGUAGES,
        "search_max_length": SEARCH_MAX_LENGTH,
        "language_switch_next": _path_without_language(request),
        "seo": SimpleLazyObject(lambda: seo_links(path=request.path, language=language)),
    }


def _path_without_language(request: HttpRequest) -> str:
    """Where the language switch returns to: this page, minus a `?lang=` that would
    override the choice."""
    query = request.GET.copy()
    query.pop(LANGUAGE_PARAM, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
