"""Content page writes: bodies sanitised with nh3, fields validated, slugs unique across
both languages (a URL names one page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.content.models import Page
from comptoir.content.selectors import pages_version_bump
from comptoir.core.errors import InvalidInput, errors_from_django
from comptoir.core.html import sanitize_html


def page_clean(page: Page) -> None:
    """Sanitise the bodies in place and validate (InvalidInput PAGE_INVALID per field)."""
    page.body = sanitize_html(page.body)
    page.body_en = sanitize_html(page.body_en)
    errors: dict[str, list[str]] = {}
    try:
        page.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(errors_from_django(exc))
    others = Page.objects.exclude(pk=page.pk)
    if page.slug and others.filter(Q(slug=page.slug) | Q(slug_en=page.slug)).exists():
        errors.setdefault("slug", []).append(_("Another page uses this slug."))
    if page.slug_en and others.filter(Q(slug=page.slug_en) | Q(slug_en=page.slug_en)).exists():
        errors.setdefault("slug_en", []).append(_("Another page uses this slug."))
    if errors:
        raise InvalidInput(_("The page is invalid."), code="PAGE_INVALID", errors=errors)


@transaction.atomic
def page_save(*, page: Page) -> Page:
    """Create or update a page (the admin's form calls this)."""
    page_clean(page)
    page.save()
    transaction.on_commit(pages_version_bump)
    return page


@transaction.atomic
def page_delete(*, page: Page) -> None:
    page.delete()
    transaction.on_commit(pages_version_bump)
