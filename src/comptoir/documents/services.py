"""Writes of the document library (staff): add, change, withdraw and delete documents.

A file is checked like a product document (extension and content must agree: PDF, text,
CSV, XLSX, DOCX or ZIP, 20 MB at most) and stored in the private storage; a replaced or
deleted file is removed once the transaction commits."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.models import LANGUAGE_CHOICES, Product
from comptoir.catalog.services import document_check
from comptoir.companies.models import Company
from comptoir.core.errors import InvalidInput
from comptoir.core.uploads import read_upload, upload_name
from comptoir.core.validation import UNSET, Unset, given, storable, text_check, validate
from comptoir.documents.models import LibraryDocument, LibraryKind

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
LANGUAGES = frozenset(code for code, _label in LANGUAGE_CHOICES)


def _check(changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "kind" in changes and changes["kind"] not in LibraryKind.values:
        errors["kind"] = [_("Use one of: %(kinds)s.") % {"kinds": ", ".join(LibraryKind)}]
    if "language" in changes and changes["language"] not in LANGUAGES:
        errors["language"] = [_("Use one of: %(kinds)s.") % {"kinds": ", ".join(LANGUAGES)}]
    if "metadata" in changes and not (
        isinstance(changes["metadata"], dict) and storable(changes["metadata"])
    ):
        errors["metadata"] = [_("Must be a JSON object.")]
    if errors:
        code = "DOCUMENT_KIND_INVALID" if "kind" in errors else "INVALID_INPUT"
        raise InvalidInput(_("The document is not valid."), code=code, errors=errors)
    text_check(**{k: v for k, v in changes.items() if k in ("title", "description")})


def _read(file: File[Any] | bytes, filename: str) -> tuple[bytes, str]:
    name = upload_name(file, filename)
    data = read_upload(file, max_bytes=MAX_BYTES, code="DOCUMENT_INVALID", field="file")
    extension = document_check(data, name)
    stem = slugify(PurePath(name).stem)[:80] or "document"
    return data, f"{stem}.{extension}"


def _remove_on_commit(name: str) -> None:
    def remove() -> None:
        try:
            LibraryDocument.file.field.storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s after its transaction committed.", name)

    transaction.on_commit(remove, robust=True)


def _store_and_save(document: LibraryDocument, data: bytes, name: str) -> None:
    """Store the file, then save the row; when the save fails the file is removed again.
    (A rollback of an enclosing transaction after this returns leaves the file behind.)"""
    document.file.save(name, ContentFile(data), save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(str(document.file.name))
        raise


@transaction.atomic
def library_document_add(
    *,
    title: str,
    kind: str,
    file: File[Any] | bytes,
    filename: str = "",
    description: str = "",
    language: str = "fr",
    company: Company | None = None,
    product: Product | None = None,
    created_by: Any = None,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> LibraryDocument:
    """Add a document for every business customer (`company` None) or for one company."""
    metadata = {} if metadata is None else metadata
    _check(
        {
            "title": title,
            "description": description,
            "kind": kind,
            "language": language,
            "metadata": metadata,
        }
    )
    data, name = _read(file, filename)
    document = LibraryDocument(
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        language=language,
        company=company,
        product=product,
        size=len(data),
        created_by=created_by if getattr(created_by, "pk", None) else None,
        external_ref=external_ref or None,
        metadata=metadata,
    )
    validate(document, exclude=["file"])
    _store_and_save(document, data, name)
    return document


@transaction.atomic
def library_document_update(
    *,
    document: LibraryDocument,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    language: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    product: Product | Unset | None = UNSET,
    file: File[Any] | bytes | Unset = UNSET,
    filename: str = "",
    metadata: dict[str, Any] | Unset = UNSET,
) -> LibraryDocument:
    """Change the given fields; a new `file` replaces the stored one. Everything is checked
    before anything is stored; on a refusal the document is left as it was."""
    changes = given(
        title=title,
        description=description,
        kind=kind,
        language=language,
        is_active=is_active,
        product=product,
        metadata=metadata,
    )
    _check(changes)
    upload = None if isinstance(file, Unset) else _read(file, filename)
    original = {field: getattr(document, field) for field in changes}
    for field, value in changes.items():
        setattr(document, field, value.strip() if isinstance(value, str) else value)
    try:
        validate(document, exclude=["file"])
    except Exception:
        for field, value in original.items():
            setattr(document, field, value)
        raise
    if upload is None:
        document.save()
        return document
    old = document.file.name
    data, name = upload
    document.size = len(data)
    _store_and_save(document, data, name)
    if old:
        _remove_on_commit(old)
    return document


@transaction.atomic
def library_document_delete(*, document: LibraryDocument) -> None:
    """Delete a document; its file goes once the transaction commits."""
    if document.file.name:
        _remove_on_commit(document.file.name)
    document.delete()
