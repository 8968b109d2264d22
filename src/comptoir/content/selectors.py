"""Content page reads: only published pages are public. The footer's links come from a
copy kept in the process (`core.memo`), so pages pay no query for them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.content.models import Page
from comptoir.core.errors import NotFound
from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump

PAGES_VERSION_KEY = "content:pages:version"


@dataclass(frozen=True, slots=True)
class PageLink:
    slug: str
    slug_en: str
    title: str
    title_en: str

    def for_language(self, language: str) -> tuple[str, str]:
        """(slug, title) in `language`."""
        if language == "en":
            return self.slug_en, self.title_en or self.title
        return self.slug, self.title


def page_published(*, slug: str) -> Page:
    """The published page with `slug` as its French or English slug (NotFound otherwise)."""
    page = None
    if isinstance(slug, str) and 0 < len(slug) <= 120:
        page = Page.objects.filter(Q(slug=slug) | Q(slug_en=slug), is_published=True).first()
    if page is None:
        raise NotFound(_("Page not found."), code="PAGE_NOT_FOUND")
    return page


def _page_links(**filters: bool) -> tuple[PageLink, ...]:
    rows = Page.objects.filter(is_published=True, **filters).values_list(
        "slug", "slug_en", "title", "title_en"
    )
    return tuple(PageLink(*row) for row in rows)


def _load_footer() -> tuple[PageLink, ...]:
    return _page_links(in_footer=True)


_footer = VersionedMemo(
    version=lambda: cache_version(PAGES_VERSION_KEY),
    load=_load_footer,
    check_seconds=lambda: 5.0,
    max_age_seconds=lambda: 300.0,
)


def footer_pages() -> tuple[PageLink, ...]:
    """The published pages the footer links to, in their order (no query while the
    process's copy is current)."""
    return _footer.get()


def pages_version_bump() -> None:
    """Make every process's copy of the footer links stale (after a committed change)."""
    cache_version_bump(PAGES_VERSION_KEY)
    _footer.reset()


def published_pages() -> tuple[PageLink, ...]:
    """Every published page (for the sitemap), in their order."""
    rows = Page.objects.filter(is_published=True).values_list(
        "slug", "slug_en", "title", "title_en"
    )
    return tuple(PageLink(*row) for row in rows)
