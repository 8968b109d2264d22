"""Static content pages (delivery, returns policy, legal notices, terms of sale) at their
localized URL: each language has its slug, and the other language's slug redirects (301)
to it. Unpublished or unknown pages are a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from comptoir.content.selectors import page_published
from comptoir.core.errors import NotFound
from comptoir.storefront.shop import current_language, language_codes, seo_links_between


@require_safe
def content_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = page_published(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    language = current_language()
    texts = page.localized(language)
    if texts["slug"] != slug:
        return redirect("storefront:content_page", texts["slug"], permanent=True)
    paths = {}
    for code in language_codes():
        with translation.override(code):
            paths[code] = reverse("storefront:content_page", args=[page.localized(code)["slug"]])
    seo = seo_links_between(paths, language=language)
    return render(request, "storefront/content_page.html", {"page": texts, "seo": seo})
