"""Request-level state of the storefront: the current channel, the buyer's company and pricing
context, language, navigation and SEO links.

Kept apart from the views so the context processor and the views share one resolution per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from comptoir.catalog.selectors import (
    CategoryNode,
    ProductSubset,
    category_tree,
    category_tree_version,
    normalize_language,
)
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_for_buyer, channel_get
from comptoir.core.errors import NotFound
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.selectors.context import Buyer, company_of, pricing_context

SESSION_CHANNEL_KEY = "storefront_channel"
# The query parameter that pinned a page's language before each language had its own path;
# old links that carry it are redirected (301) to the page's path in that language.
LANGUAGE_PARAM = "lang"
NAV_CACHE_SECONDS = 300
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_UNSET = object()


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    """The active language as the catalog knows it ("fr", "en")."""
    return normalize_language(translation.get_language())


def current_company(request: HttpRequest) -> Buyer | None:
    """The company the signed-in user buys for, if any (with its price lists): no query
    while the process's copy of buyers is current, none for a visitor; resolved once per
    request and kept on it."""
    cached = getattr(request, "_storefront_company", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    company = company_of(getattr(request, "user", None))
    request._storefront_company = company  # type: ignore[attr-defined]
    return company


def current_channel(request: HttpRequest) -> Channel | None:
    """The channel this request shops in: `?channel=` (remembered in the session), else the
    session's, else the buyer's default: the first business channel for a company buyer, the
    deployment default for everyone else. None only when no channel exists at all.

    Resolved once per request and kept on it, so views and the context processor share it.
    (Restricting business channels to company members comes with the B2B portal.)
    """
    cached = getattr(request, "_storefront_channel", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    channel: Channel | None = None
    wanted = request.GET.get("channel", "").strip()
    if wanted:
        try:
            channel = channel_get(code=wanted[:50])
        except NotFound:
            channel = None
        else:
            if request.session.get(SESSION_CHANNEL_KEY) != channel.code:
                request.session[SESSION_CHANNEL_KEY] = channel.code
    if channel is None:
        # Without a session cookie this reads nothing from the database.
        remembered = request.session.get(SESSION_CHANNEL_KEY)
        if remembered:
            channel = _channel_or_none(remembered)
            if channel is None:
                del request.session[SESSION_CHANNEL_KEY]
    if channel is None:
        channel = _default_channel(request)
    request._storefront_channel = channel  # type: ignore[attr-defined]
    return channel


def _channel_or_none(code: str | None) -> Channel | None:
    try:
        return channel_get(code=code)
    except NotFound:
        return None


def _default_channel(request: HttpRequest) -> Channel | None:
    """The channel of a buyer who has not chosen one (not remembered in the session)."""
    try:
        return channel_for_buyer(code=None, business=current_company(request) is not None)
    except NotFound:
        return None


def current_pricing(request: HttpRequest) -> PricingContext | None:
    """The caller's pricing context in the current channel (None without a channel): built
    once per request. A visitor's costs no query once the process's copies of channels, tax
    rates and promotions are warm; a company buyer's costs the membership and the price
    lists (two queries), another signed-in user's the membership lookup."""
    cached = getattr(request, "_storefront_pricing", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    channel = current_channel(request)
    ctx: PricingContext | None = None
    if channel is not None:
        user = getattr(request, "user", None)
        ctx = pricing_context(
            channel=channel,
            user=user if getattr(user, "is_authenticated", False) else None,
            company=current_company(request),
        )
    request._storefront_pricing = ctx  # type: ignore[attr-defined]
    return ctx


def shown_to(ctx: PricingContext | None) -> list[ProductSubset]:
    """The listing filter of what the buyer may see: their shared catalogs' products (none
    for the public catalog)."""
    if ctx is None or ctx.restriction is None:
        return []
    return [ctx.restriction.subset()]


@dataclass(frozen=True, slots=True)
class NavCategory:
    id: int
    slug: str
    name: str
    description: str
    parent_id: int | None


def _nav_cache_key(language: str) -> str:
    # Keyed by the catalog's tree version: a category change bumps it, and the next page
    # builds the tree afresh instead of showing the old one until the entry expires.
    return f"storefront:category-tree:v{category_tree_version()}:{language}"


def cached_category_tree(language: str) -> list[CategoryNode]:
    """The whole localized category tree, cached per language and tree version (for a few
    minutes at most, should a bump be missed)."""
    key = _nav_cache_key(language)
    tree: list[CategoryNode] | None = cache.get(key)
    if tree is None:
        tree = category_tree(language=language)
        cache.set(key, tree, NAV_CACHE_SECONDS)
    return tree


def top_categories(language: str) -> list[CategoryNode]:
    return cached_category_tree(language)


def category_path(language: str, category_id: int) -> list[CategoryNode]:
    """Ancestors of `category_id`, root first, ending with the category itself (from the cached
    tree; empty when the tree does not know it yet)."""

    def walk(nodes: list[CategoryNode], trail: list[CategoryNode]) -> list[CategoryNode] | None:
        for node in nodes:
            here = [*trail, node]
            if node.id == category_id:
                return here
            found = walk(node.children, here)
            if found is not None:
                return found
        return None

    return walk(cached_category_tree(language), []) or []


@dataclass(frozen=True, slots=True)
class Alternate:
    language: str
    url: str
    og_locale: str


@dataclass(frozen=True, slots=True)
class SeoLinks:
    canonical: str
    x_default: str
    alternates: list[Alternate]
    og_locale: str
    noindex: bool = False


def absolute_url(path: str) -> str:
    """An absolute URL on the configured site (never built from the request's Host header)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def localized_path(path: str, language: str) -> str:
    """`path` (a page of this site in any language) in `language`: `/p/x/` <-> `/en/p/x/`.
    A path that no localized page answers is returned as it is."""
    return translate_url(path, language)


def seo_links_between(paths: dict[str, str], *, language: str) -> SeoLinks:
    """SEO links of a page whose path differs per language beyond the prefix (a slug of
    its own in each language): `paths` maps each language to the page's path in it."""
    alternates = [
        Alternate(
            language=code, url=absolute_url(paths[code]), og_locale=OG_LOCALES.get(code, code)
        )
        for code in language_codes()
        if code in paths
    ]
    return SeoLinks(
        canonical=absolute_url(paths[language]),
        x_default=absolute_url(paths.get(settings.LANGUAGE_CODE, paths[language])),
        alternates=alternates,
        og_locale=OG_LOCALES.get(language, language),
    )


def seo_links(
    *, path: str, language: str, query: dict[str, str | int] | None = None, noindex: bool = False
) -> SeoLinks:
    """Canonical, hreflang alternates (the page's path in each language) and x-default (the
    default language's, which has no prefix)."""
    params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    qs = urlencode(sorted(params.items()))

    def url(lang: str) -> str:
        localized = localized_path(path, lang)
        return absolute_url(f"{localized}?{qs}" if qs else localized)

    alternates = [
        Alternate(language=code, url=url(code), og_locale=OG_LOCALES.get(code, code))
        for code in language_codes()
    ]
    return SeoLinks(
        canonical=url(language),
        x_default=url(settings.LANGUAGE_CODE),
        alternates=alternates,
        og_locale=OG_LOCALES.get(language, language),
        noindex=noindex,
    )
