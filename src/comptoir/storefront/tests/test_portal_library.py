"""The B2B portal's document library page: members see their company's and the shared
documents and download them; consumers, strangers and other companies get a 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.testing import LanguageClient
from comptoir.documents import services
from comptoir.documents.models import LibraryDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


def _add(title: str, **kwargs: object) -> LibraryDocument:
    return services.library_document_add(
        title=title,
        kind=str(kwargs.pop("kind", "certificate")),
        file=PDF,
        filename="doc.pdf",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def member_client() -> tuple[Client, LibraryDocument, LibraryDocument]:
    mine, other = CompanyFactory.create(legal_name="Atelier Test"), CompanyFactory.create()
    user = CompanyMemberFactory.create(company=mine).user
    client = LanguageClient(language="en")
    client.force_login(user)
    own = _add("Certificat CE visseuse", company=mine)
    theirs = _add("Contrat confidentiel", kind="contract", company=other)
    return client, own, theirs


def test_a_member_sees_the_library_and_the_nav_link(
    member_client: tuple[Client, LibraryDocument, LibraryDocument],
) -> None:
    client, _own, _theirs = member_client
    shared = _add("Guide de formation", kind="training")
    response = client.get(reverse("storefront:portal_documents"))
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    html = response.content.decode()
    assert "Certificat CE visseuse" in html
    assert "Guide de formation" in html
    assert "Contrat confidentiel" not in html
    assert reverse("storefront:portal_document_file", args=[shared.pk]) in html
    assert 'aria-current="page">Document library</a>' in html


def test_filters_by_kind_and_words(
    member_client: tuple[Client, LibraryDocument, LibraryDocument],
) -> None:
    client, _own, _theirs = member_client
    _add("Guide de formation", kind="training")
    html = client.get(reverse("storefront:portal_documents"), {"kind": "training"}).content
    assert b"Guide de formation" in html
    assert b"Certificat CE" not in html
    html = client.get(reverse("storefront:portal_documents"), {"q": "visseuse"}).content
    assert b"Certificat CE" in html
    assert b"Guide de formation" not in html


def test_a_bad_filter_is_a_400_with_the_message(
    member_client: tuple[Client, LibraryDocument, LibraryDocument],
) -> None:
    client, _own, _theirs = member_client
    response = client.get(reverse("storefront:portal_documents"), {"kind": "poster"})
    assert response.status_code == 400
    assert b'role="alert"' in response.content


def test_download_and_another_companys_file(
    member_client: tuple[Client, LibraryDocument, LibraryDocument],
) -> None:
    client, own, theirs = member_client
    response = client.get(reverse("storefront:portal_document_file", args=[own.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    missing = client.get(reverse("storefront:portal_document_file", args=[theirs.pk]))
    assert missing.status_code == 404


def test_consumers_get_a_404_and_no_link() -> None:
    client = LanguageClient(language="en")
    client.force_login(UserFactory.create())
    assert client.get(reverse("storefront:portal_documents")).status_code == 404
    html = client.get(reverse("storefront:account")).content.decode()
    assert reverse("storefront:portal_documents") not in html


def test_visitors_are_sent_to_log_in(client: Client) -> None:
    url = reverse("storefront:portal_documents")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
