"""Content pages in the store: localized URLs (each language its slug, the other one
redirects), footer links, sanitised bodies, SEO fields, 404 for unpublished or unknown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.content.demo import demo_content_load
from comptoir.content.models import Page
from comptoir.core.testing import in_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(db: None) -> None:
    demo_content_load()


def _url(slug: str, language: str = "fr") -> str:
    return in_language(reverse("storefront:content_page", args=[slug]), language)


def test_french_page(client: Client, pages: None) -> None:
    response = client.get(_url("livraison"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="page-title">Livraison</h1>' in html
    assert "<title>Livraison | Comptoir</title>" in html
    assert "Colissimo" in html
    assert '<meta name="description" content="Modes, d\u00e9lais' in html


def test_english_page(client: Client, pages: None) -> None:
    response = client.get(_url("terms-of-sale", "en"))
    assert response.status_code == 200
    assert '<h1 id="page-title">Terms of sale</h1>' in response.content.decode()


def test_the_other_languages_slug_redirects(client: Client, pages: None) -> None:
    response = client.get(_url("delivery"))
    assert response.status_code == 301
    assert response["Location"] == _url("livraison")
    response = client.get(_url("livraison", "en"))
    assert response.status_code == 301
    assert response["Location"] == _url("delivery", "en")


def test_hreflang_links_name_each_language_s_slug(client: Client, pages: None) -> None:
    html = client.get(_url("delivery", "en")).content.decode()

    site = "http://127.0.0.1:8000"
    assert f'<link rel="canonical" href="{site}/en/pages/delivery/">' in html
    assert f'<link rel="alternate" hreflang="fr" href="{site}/pages/livraison/">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{site}/pages/livraison/">' in html


def test_the_sitemap_lists_the_pages(client: Client, pages: None) -> None:
    xml = client.get("/sitemap-content.xml").content.decode()

    assert "<loc>http://127.0.0.1:8000/pages/livraison/</loc>" in xml
    assert "<loc>http://127.0.0.1:8000/en/pages/delivery/</loc>" in xml


def _url_home_en() -> str:
    return in_language(reverse("storefront:home"), "en")


def test_footer_links(client: Client, pages: None) -> None:
    html = client.get(_url_home_en()).content.decode()
    for slug, title in (
        ("delivery", "Delivery"),
        ("returns-and-refunds", "Returns and refunds"),
        ("legal-notices", "Legal notices"),
        ("terms-of-sale", "Terms of sale"),
    ):
        assert f'<a href="{_url(slug, "en")}">{title}</a>' in html


def test_unpublished_and_unknown_pages_are_404(client: Client, pages: None) -> None:
    Page.objects.filter(slug="livraison").update(is_published=False)
    assert client.get(_url("livraison")).status_code == 404
    assert client.get(_url("delivery")).status_code == 404
    assert client.get(_url("nope")).status_code == 404


def test_a_body_written_around_the_service_is_sanitised_on_the_way_out(client: Client) -> None:
    Page.objects.create(
        slug="x",
        slug_en="x-en",
        title="X",
        title_en="X",
        body='<p>ok</p><script>alert("x")</script><img src=x onerror=alert(1)>',
        is_published=True,
    )
    html = client.get(_url("x")).content.decode()
    assert "<p>ok</p>" in html
    assert 'alert("x")' not in html
    assert "onerror" not in html
