"""Content pages: saving sanitises the bodies and checks the slugs of both languages; the
admin saves through the service; the demo loader is idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.content.demo import demo_content_load
from comptoir.content.models import Page
from comptoir.content.selectors import footer_pages, page_published
from comptoir.content.services import page_save
from comptoir.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def _page(**fields: object) -> Page:
    values: dict[str, object] = {
        "slug": "livraison",
        "slug_en": "delivery",
        "title": "Livraison",
        "title_en": "Delivery",
        "body": "<p>Sous 48 h</p>",
        "body_en": "<p>Within 48 h</p>",
        "is_published": True,
    }
    values.update(fields)
    return Page(**values)


def test_bodies_are_sanitised() -> None:
    page = page_save(
        page=_page(
            body='<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:x">l</a>',
            body_en="<img src=x onerror=alert(1)><strong>ok</strong>",
        )
    )
    page.refresh_from_db()
    assert page.body == '<p>Hi</p><a rel="noopener noreferrer nofollow">l</a>'
    assert page.body_en == "<strong>ok</strong>"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "delivery", "slug_en": "delivery-2"}, "slug"),  # another page's English slug
        ({"slug": "livraison-2", "slug_en": "livraison"}, "slug_en"),
        ({"slug": "livraison-2", "slug_en": "x", "title": ""}, "title"),
        ({"slug": "pas un slug", "slug_en": "y"}, "slug"),
        ({"slug": "z", "slug_en": "y", "seo_title": "x" * 71}, "seo_title"),
    ],
)
def test_bad_pages_are_refused(fields: dict[str, str], field: str) -> None:
    page_save(page=_page())
    with pytest.raises(InvalidInput) as caught:
        page_save(page=_page(**fields))
    assert caught.value.code == "PAGE_INVALID"
    assert field in caught.value.errors
    assert Page.objects.count() == 1


def test_only_published_pages_are_public() -> None:
    page_save(page=_page(is_published=False))
    with pytest.raises(NotFound):
        page_published(slug="livraison")
    for slug in ("", "x" * 500, "nope"):
        with pytest.raises(NotFound):
            page_published(slug=slug)


def test_the_footer_follows_saves(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page = page_save(page=_page())
    assert [link.for_language("en") for link in footer_pages()] == [("delivery", "Delivery")]
    page.in_footer = False
    with django_capture_on_commit_callbacks(execute=True):
        page_save(page=page)
    assert footer_pages() == ()


def test_the_demo_pages_load_once() -> None:
    assert demo_content_load() == 4
    assert demo_content_load() == 0
    slugs = list(Page.objects.values_list("slug", "slug_en"))
    assert slugs == [
        ("livraison", "delivery"),
        ("retours-et-remboursements", "returns-and-refunds"),
        ("mentions-legales", "legal-notices"),
        ("conditions-generales-de-vente", "terms-of-sale"),
    ]
    for page in Page.objects.all():
        assert page.body.startswith("<")
        assert page.body_en
        assert "<script" not in page.body


def test_the_admin_saves_through_the_service(client: Client) -> None:
    client.force_login(StaffFactory.create())
    data = {
        "slug": "cgv",
        "slug_en": "terms",
        "title": "CGV",
        "title_en": "Terms",
        "body": "<p>ok</p><script>alert(1)</script>",
        "body_en": "<p>ok</p>",
        "seo_title": "",
        "seo_title_en": "",
        "seo_description": "",
        "seo_description_en": "",
        "is_published": "on",
        "in_footer": "on",
        "position": "0",
    }
    response = client.post(reverse("admin:content_page_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Page.objects.get().body == "<p>ok</p>"

    clash = client.post(
        reverse("admin:content_page_add"), {**data, "slug": "terms", "slug_en": "x"}
    )
    assert clash.status_code == 200
    assert "Une autre page utilise ce slug." in clash.content.decode()  # the admin is in French
    assert Page.objects.count() == 1
