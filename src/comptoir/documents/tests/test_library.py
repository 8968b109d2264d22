"""The document library: staff add documents for every business customer or one company;
members read their company's library and download files; nobody else does."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import File
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.tests.factories import ProductFactory
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.errors import InvalidInput
from comptoir.core.testing import api_for, clerk_api, problem
from comptoir.documents import services
from comptoir.documents.models import LibraryDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/api/v1/company/documents"


def _add(title: str, **kwargs: Any) -> LibraryDocument:
    return services.library_document_add(
        title=title,
        kind=kwargs.pop("kind", "technical_sheet"),
        file=PDF,
        filename=kwargs.pop("filename", f"{title}.pdf"),
        **kwargs,
    )


@pytest.fixture
def setup() -> dict[str, Any]:
    mine, other = CompanyFactory.create(), CompanyFactory.create()
    member = CompanyMemberFactory.create(company=mine).user
    stranger = CompanyMemberFactory.create(company=other).user
    return {
        "mine": mine,
        "other": other,
        "member": member,
        "stranger": stranger,
        "shared": _add("Catalogue des garanties"),
        "own": _add("Contrat cadre 2026", kind="contract", company=mine),
        "theirs": _add("Contrat de l'autre", kind="contract", company=other),
    }


def _get(user: Any, path: str, params: dict[str, Any] | None = None) -> Any:
    api = api_for(user)
    return api.client.get(path, params or {}, headers=api.headers)


def test_a_member_sees_shared_and_own_documents_newest_first(setup: dict[str, Any]) -> None:
    body = _get(setup["member"], BASE).json()
    assert body["count"] == 2
    assert [d["title"] for d in body["results"]] == [
        "Contrat cadre 2026",
        "Catalogue des garanties",
    ]
    own, shared = body["results"]
    assert (own["shared"], shared["shared"]) == (False, True)
    assert own["kind"] == "contract"
    assert own["size"] == len(PDF)
    assert own["download_url"].endswith(f"{BASE}/{setup['own'].pk}/file")


def test_filters_by_kind_product_and_words(setup: dict[str, Any]) -> None:
    drill = ProductFactory.create(name="Perceuse")
    sheet = _add("Fiche technique perceuse", product=drill)
    member = setup["member"]
    assert [d["id"] for d in _get(member, BASE, {"kind": "contract"}).json()["results"]] == [
        setup["own"].pk
    ]
    by_product = _get(member, BASE, {"product": drill.pk}).json()["results"]
    assert [(d["id"], d["product_name"]) for d in by_product] == [(sheet.pk, "Perceuse")]
    assert [d["id"] for d in _get(member, BASE, {"q": "garanties"}).json()["results"]] == [
        setup["shared"].pk
    ]


def test_withdrawn_documents_are_not_listed(setup: dict[str, Any]) -> None:
    services.library_document_update(document=setup["shared"], is_active=False)
    assert [d["id"] for d in _get(setup["member"], BASE).json()["results"]] == [setup["own"].pk]
    problem(_get(setup["member"], f"{BASE}/{setup['shared'].pk}/file"), 404, "DOCUMENT_NOT_FOUND")


def test_download_gives_the_file_as_a_private_attachment(setup: dict[str, Any]) -> None:
    response = _get(setup["member"], f"{BASE}/{setup['own'].pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_another_companys_document_is_a_404(setup: dict[str, Any]) -> None:
    for path in (f"{BASE}/{setup['theirs'].pk}", f"{BASE}/{setup['theirs'].pk}/file"):
        problem(_get(setup["member"], path), 404, "DOCUMENT_NOT_FOUND")
    assert setup["theirs"].pk not in [
        d["id"] for d in _get(setup["member"], BASE).json()["results"]
    ]


def test_strangers_and_anonymous_callers_get_nothing(setup: dict[str, Any]) -> None:
    problem(_get(UserFactory.create(), BASE), 404, "NOT_A_COMPANY_MEMBER")
    problem(Client().get(BASE), 401, "UNAUTHORIZED")
    problem(Client().get(f"{BASE}/{setup['shared'].pk}/file"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "poster"}, "kind"), ({"q": "x" * 101}, "q"), ({"colour": "red"}, "colour")],
)
def test_bad_filters_are_400(setup: dict[str, Any], params: dict[str, str], field: str) -> None:
    response = _get(setup["member"], BASE, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_files_live_in_the_private_storage(setup: dict[str, Any]) -> None:
    document = setup["own"]
    assert document.file.storage is storages["private"]
    assert storages["private"].exists(document.file.name)
    assert document.file.name.startswith(f"library/company-{setup['mine'].pk}/")


# --- staff --------------------------------------------------------------------------------


def test_staff_add_change_and_delete_documents(
    client: Client, setup: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    api = clerk_api(
        client,
        "add_librarydocument",
        "change_librarydocument",
        "view_librarydocument",
        "delete_librarydocument",
    )
    upload = SimpleUploadedFile("formation.pdf", PDF, content_type="application/pdf")
    response = client.post(
        "/api/v1/admin/library-documents",
        {
            "title": "Formation visseuse",
            "kind": "training",
            "company_id": setup["mine"].pk,
            "file": upload,
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["company_id"], created["kind"], created["shared"]) == (
        setup["mine"].pk,
        "training",
        False,
    )
    document = LibraryDocument.objects.get(pk=created["id"])
    assert document.created_by is not None
    changed = api.patch(f"library-documents/{document.pk}", {"title": "Formation 2026"})
    assert changed.json()["title"] == "Formation 2026"
    name = str(document.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"library-documents/{document.pk}").status_code == 204
    assert not LibraryDocument.objects.filter(pk=document.pk).exists()
    assert not storages["private"].exists(name)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"title": "x", "kind": "poster"}, "DOCUMENT_KIND_INVALID"),
        ({"title": "x", "kind": "training", "company_id": 999999}, "COMPANY_NOT_FOUND"),
        ({"title": "x", "kind": "training", "product_id": 999999}, "PRODUCT_NOT_FOUND"),
        ({"title": "", "kind": "training"}, "INVALID_INPUT"),
    ],
)
def test_staff_bad_input_changes_nothing(
    client: Client, setup: dict[str, Any], data: dict[str, Any], code: str
) -> None:
    api = clerk_api(client, "add_librarydocument")
    before = LibraryDocument.objects.count()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = client.post(
        "/api/v1/admin/library-documents", {**data, "file": upload}, headers=api.headers
    )
    problem(response, 400, code)
    assert LibraryDocument.objects.count() == before


def test_a_file_that_lies_about_its_type_is_refused(setup: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.library_document_add(
            title="Faux", kind="other", file=b"MZ\x90\x00 not a pdf", filename="faux.pdf"
        )
    assert caught.value.code == "DOCUMENT_INVALID"
    with pytest.raises(InvalidInput) as caught:
        services.library_document_add(title="Exe", kind="other", file=b"MZ", filename="a.exe")
    assert caught.value.code == "DOCUMENT_INVALID"


def test_members_cannot_use_the_staff_api(setup: dict[str, Any]) -> None:
    api = api_for(setup["member"])
    problem(api.get("library-documents"), 403, "PERMISSION_DENIED")
    problem(api.delete(f"library-documents/{setup['own'].pk}"), 403, "PERMISSION_DENIED")
    assert LibraryDocument.objects.filter(pk=setup["own"].pk).exists()


def test_replacing_a_file_removes_the_old_one_after_commit(
    django_capture_on_commit_callbacks: Any, setup: dict[str, Any]
) -> None:
    document = setup["own"]
    old = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.library_document_update(
            document=document, file=File(io.BytesIO(PDF + b"%v2")), filename="contrat-v2.pdf"
        )
    assert not storages["private"].exists(old)
    assert storages["private"].exists(document.file.name)
    assert document.size == len(PDF) + 3


def test_the_list_reads_a_constant_number_of_statements(
    setup: dict[str, Any], django_assert_num_queries: Any
) -> None:
    for n in range(5):
        _add(f"Fiche {n}", product=ProductFactory.create(), company=setup["mine"])
    api = api_for(setup["member"])
    # token, user, company, count, page (products joined)
    with django_assert_num_queries(5):
        response = api.client.get(BASE, headers=api.headers)
    assert response.json()["count"] == 7
