"""What every storefront page needs: channel, navigation, languages and default SEO links.

Every value is lazy: pages that never show them (the admin shares the template settings)
pay no query, and the navigation comes from a per-language cache.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from comptoir.companies.web import assisted_session
from comptoir.storefront.shop import (
    LANGUAGE_PARAM,
    current_channel,
    current_company,
    current_language,
    seo_links,
    top_categories,
)

SEARCH_MAX_LENGTH = 100
SESSION_CART_COUNT = "storefront_cart_count"


def storefront(request: HttpRequest) -> dict[str, Any]:
    language = current_language()
    return {
        "storefront_channel": SimpleLazyObject(lambda: current_channel(request)),
        "nav_categories": SimpleLazyObject(lambda: top_categories(language)),
        "storefront_languages": settings.LANGUAGES,
        "search_max_length": SEARCH_MAX_LENGTH,
        "language_switch_next": _path_without_language(request),
        "seo": SimpleLazyObject(lambda: seo_links(path=request.path, language=language)),
        # A callable (templates call it when they use it): an int, as plural forms need.
        "cart_count": partial(_cart_count, request),
        # Whether the user buys for a company (the B2B ordering tools in the account menu).
        "buys_for_company": partial(_buys_for_company, request),
        # The staff member's assisted shopping session, for the banner (one query while
        # assisting, none otherwise).
        "assisted_session": SimpleLazyObject(lambda: assisted_session(request)),
    }


def _buys_for_company(request: HttpRequest) -> bool:
    return current_company(request) is not None


def _cart_count(request: HttpRequest) -> int:
    """Units in the browser's cart, as the buying pages last saw them (kept in the session:
    no query of its own on other pages)."""
    session = getattr(request, "session", None)
    if session is None or session.is_empty():  # no session: no query
        return 0
    count = session.get(SESSION_CART_COUNT, 0)
    return count if isinstance(count, int) and count > 0 else 0


def _path_without_language(request: HttpRequest) -> str:
    """Where the language switch returns to: this page (Django's `set_language` sends the
    visitor to its path in the chosen language), minus an old `?lang=`."""
    query = request.GET.copy()
    query.pop(LANGUAGE_PARAM, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
