"""Writes for product media: images (checked with Pillow, a WebP thumbnail and responsive
AVIF/WebP/JPEG renditions generated),
attached documents (technical sheets, safety data sheets, certificates...) and the
optional 3D model (glTF/GLB for the web, USDZ for iOS AR)."""

from __future__ import annotations

import io
import json
import logging
import struct
import weakref
import zipfile
from pathlib import PurePath, PurePosixPath
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify

from comptoir.catalog.images import (
    EXTENSIONS,
    Renditions,
    image_inspect,
    image_invalid,
    renditions_make,
    thumbnail_webp,
)
from comptoir.catalog.models import (
    DocumentKind,
    Product,
    ProductDocument,
    ProductImage,
    ProductVariant,
)
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    apply_changes,
    ensure_language,
    given,
    read_upload,
    text_checked,
    upload_name,
    validate,
)
from comptoir.core.errors import InvalidInput

MAX_IMAGE_UPLOAD = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_MODEL_3D_BYTES = 50 * 1024 * 1024
DOCUMENT_EXTENSIONS = ("pdf", "txt", "csv", "xlsx", "docx", "zip")
ZIP_MAGIC = b"PK\x03\x04"

logger = logging.getLogger(__name__)


def _stem(filename: str, default: str) -> str:
    return slugify(PurePath(filename).stem)[:80] or default


def _stored(*files: FieldFile) -> list[tuple[Storage, str]]:
    """The (storage, name) of each stored file, captured before it is replaced."""
    return [(f.storage, f.name) for f in files if f and f.name]


def image_files(image: ProductImage) -> list[tuple[Storage, str]]:
    """Every file of a product image: the upload, its thumbnail and its renditions."""
    storage = image.image.storage
    return _stored(image.image, image.thumbnail) + [
        (storage, r["name"]) for r in image.renditions if r.get("name")
    ]


def remove_files(names: list[tuple[Storage, str]]) -> None:
    """Delete stored files, logging (never raising) a storage error: it runs after COMMIT,
    where a failure must neither undo anything nor stop the other callbacks."""
    for storage, name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s after its transaction committed.", name)


def _delete_on_commit(old: list[tuple[Storage, str]], *, keep: FieldFile | None = None) -> None:
    """Remove files once the transaction that stopped using them commits (never a name
    that a replacement happens to reuse)."""
    names = [(storage, name) for storage, name in old if not keep or name != keep.name]
    if names:
        transaction.on_commit(lambda: remove_files(names), robust=True)


def _referenced(names: list[str]) -> bool:
    """Whether a row refers to one of `names` (the file fields of the catalog)."""
    # Rendition names live in a JSON list: matched in its text, where each is quoted.
    in_renditions = Q()
    for name in names:
        in_renditions |= Q(renditions__icontains=f'"{name}"')
    return (
        ProductImage.objects.filter(
            Q(image__in=names) | Q(thumbnail__in=names) | in_renditions
        ).exists()
        or ProductDocument.objects.filter(file__in=names).exists()
        or Product.objects.filter(Q(model_3d__in=names) | Q(model_3d_usdz__in=names)).exists()
    )


def _discard(files: tuple[tuple[Storage, str], ...]) -> None:
    """Delete files whose on_commit callback was dropped without being called.

    Django drops callbacks when their transaction or savepoint rolls back, but also when an
    earlier non-robust callback raised after COMMIT: "dropped" never means "rolled back".
    So a file is deleted only when no row refers to it. The query runs on the connection as
    it is, which sees the rows of an enclosing transaction; right after an outermost
    rollback (autocommit still off outside any atomic block, where a query would leave a
    transaction open) the rows are gone and a freshly stored name cannot be referenced by
    any other row. Should the query fail, the files are kept (and logged)."""
    names = [name for _storage, name in files]
    if connection.get_autocommit() or connection.in_atomic_block:
        try:
            if _referenced(names):
                return
        except Exception:
            logger.exception("Could not check whether %s are in use: kept.", names)
            return
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # a leftover file must not hide what made the transaction fail
            logger.exception("Could not delete %s after a rollback.", name)


class _KeepIfCommitted:
    """The on_commit callback of newly stored files.

    Django calls it when the transaction commits: the files are kept. When Django drops it
    without calling it (the transaction or savepoint rolled back, or an earlier callback
    failed after COMMIT), nothing else refers to it: it is freed at once and its finalizer
    deletes the files that no row refers to (see `_discard`). This covers failures after
    the files were stored, inside the service or in an enclosing transaction (an admin
    page saving several inlines, an import)."""

    __slots__ = ("__weakref__", "_finalizer")

    def __init__(self, files: tuple[tuple[Storage, str], ...]) -> None:
        self._finalizer = weakref.finalize(self, _discard, files)
        self._finalizer.atexit = False  # neither committed nor rolled back: leave them

    def __call__(self) -> None:
        self._finalizer.detach()


def _delete_on_rollback(*fields: FieldFile) -> None:
    """Delete the files just stored in `fields` unless the current transaction commits.
    Call right after storing, before anything else can fail."""
    _delete_stored_on_rollback(_stored(*fields))


def _delete_stored_on_rollback(files: list[tuple[Storage, str]]) -> None:
    if files:
        transaction.on_commit(_KeepIfCommitted(tuple(files)), robust=True)


def _check_variant(product: Product, variant: ProductVariant | None) -> None:
    if variant is not None and variant.product_id != product.pk:
        raise InvalidInput(
            "This variant belongs to another product.",
            code="VARIANT_MISMATCH",
            errors={"variant": ["VARIANT_MISMATCH"]},
        )


def _next_position(rows: Any) -> int:
    last = rows.aggregate(last=Max("position"))["last"]
    return 0 if last is None else int(last) + 1


def _make_renditions(data: bytes) -> Renditions:
    try:
        return renditions_make(data)
    except (OSError, ValueError, SyntaxError):  # decodes, but Pillow cannot convert it
        raise image_invalid("The image could not be converted.") from None


def renditions_save(
    *, storage: Storage, image_name: str, made: Renditions, stored: list[tuple[Storage, str]]
) -> list[dict[str, Any]]:
    """Store `made` next to the image `image_name` (`<stem>-<width>w.<ext>`) and return the
    rows of the `renditions` column; each stored file is appended to `stored` as soon as it
    is written (for the caller to delete them should anything fail)."""
    path = PurePosixPath(image_name)
    rows = []
    for r in made.items:
        name = storage.save(
            str(path.parent / f"{path.stem}-{r.width}w.{EXTENSIONS[r.format]}"),
            ContentFile(r.data),
            max_length=255,
        )
        stored.append((storage, name))
        rows.append({"format": r.format, "width": r.width, "height": r.height, "name": name})
    return rows


def _store_renditions(image: ProductImage, made: Renditions) -> None:
    """Store `made` and record them and the image's size on `image` (not saved). The files
    are deleted unless the transaction commits."""
    stored: list[tuple[Storage, str]] = []
    try:
        rows = renditions_save(
            storage=image.image.storage,
            image_name=image.image.name or "image",
            made=made,
            stored=stored,
        )
    finally:
        _delete_stored_on_rollback(stored)
    image.width, image.height, image.renditions = made.width, made.height, rows


def _store_image(image: ProductImage, data: bytes, filename: str) -> None:
    info = image_inspect(data)
    stem = _stem(filename, "image")
    thumbnail = thumbnail_webp(data)
    made = _make_renditions(data)
    image.image.save(f"{stem}.{info.extension}", ContentFile(data), save=False)
    _delete_on_rollback(image.image)
    image.thumbnail.save(f"{stem}-thumb.webp", ContentFile(thumbnail), save=False)
    _delete_on_rollback(image.thumbnail)
    _store_renditions(image, made)


@text_checked
@transaction.atomic
def image_add(
    *,
    product: Product,
    file: File[Any] | bytes,
    alt: str = "",
    alt_en: str = "",
    variant: ProductVariant | None = None,
    position: int | None = None,
    filename: str = "",
) -> ProductImage:
    """Attach an image (JPEG, PNG, WebP or GIF up to 10 MB, else IMAGE_INVALID) and store
    its WebP thumbnail and renditions. `filename` names raw bytes; the extension follows
    the real format."""
    _check_variant(product, variant)
    data = read_upload(file, max_bytes=MAX_IMAGE_UPLOAD, code="IMAGE_INVALID", field="image")
    image_inspect(data)
    image = ProductImage(product=product, variant=variant, alt=alt, alt_en=alt_en)
    image.position = _next_position(product.images) if position is None else position
    validate(image, exclude=["image", "thumbnail", "renditions"])
    _store_image(image, data, upload_name(file, filename))
    image.save()
    return image


@text_checked
@transaction.atomic
def image_update(
    *,
    image: ProductImage,
    alt: str | Unset = UNSET,
    alt_en: str | Unset = UNSET,
    position: int | Unset = UNSET,
    variant: ProductVariant | Unset | None = UNSET,
    file: File[Any] | bytes | Unset = UNSET,
    filename: str = "",
) -> ProductImage:
    """Change texts, order or variant; a new `file` replaces the image, its thumbnail and
    its renditions.
    Everything is checked before a new file is stored."""
    changes = given(alt=alt, alt_en=alt_en, position=position, variant=variant)
    if "variant" in changes:
        _check_variant(image.product, changes["variant"])
    upload: tuple[bytes, str] | None = None
    if not isinstance(file, Unset):
        data = read_upload(file, max_bytes=MAX_IMAGE_UPLOAD, code="IMAGE_INVALID", field="image")
        image_inspect(data)
        upload = (data, upload_name(file, filename))
    apply_changes(image, changes, exclude=["image", "thumbnail", "renditions"])
    if upload is not None:
        old = image_files(image)
        _store_image(image, *upload)
        new_names = {name for _storage, name in image_files(image)}
        _delete_on_commit([pair for pair in old if pair[1] not in new_names])
    image.save()
    return image


@transaction.atomic
def image_thumbnail_refresh(*, image: ProductImage) -> ProductImage:
    """Rebuild the WebP thumbnail from the stored image."""
    with image.image.open("rb") as fh:
        data = fh.read()
    old = _stored(image.thumbnail)
    stem = _stem(image.image.name or "", "image")
    image.thumbnail.save(f"{stem}-thumb.webp", ContentFile(thumbnail_webp(data)), save=False)
    _delete_on_rollback(image.thumbnail)
    image.save(update_fields=["thumbnail"])
    _delete_on_commit(old, keep=image.thumbnail)
    return image


@transaction.atomic
def image_renditions_refresh(*, image: ProductImage) -> ProductImage:
    """Rebuild the renditions (and record the size) of a stored image; the previous
    rendition files go once the transaction commits. Raises InvalidInput(IMAGE_INVALID)
    when the stored file is no longer a readable image."""
    with image.image.open("rb") as fh:
        data = fh.read()
    image_inspect(data)
    made = _make_renditions(data)
    storage = image.image.storage
    old = [(storage, r["name"]) for r in image.renditions if r.get("name")]
    _store_renditions(image, made)
    image.save(update_fields=["width", "height", "renditions"])
    new_names = {r["name"] for r in image.renditions}
    _delete_on_commit([pair for pair in old if pair[1] not in new_names])
    return image


@transaction.atomic
def image_delete(*, image: ProductImage) -> None:
    """Delete an image; its file, thumbnail and renditions go once the transaction commits."""
    _delete_on_commit(image_files(image))
    image.delete()


def _document_invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="DOCUMENT_INVALID", errors={"file": [message]})


def document_check(data: bytes, filename: str) -> str:
    """The extension of an acceptable document (PDF, text, CSV, XLSX, DOCX or ZIP whose
    content matches its extension). Raises InvalidInput(DOCUMENT_INVALID)."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise _document_invalid(f"Use one of: {', '.join(DOCUMENT_EXTENSIONS)}.")
    if extension == "pdf" and not data.startswith(b"%PDF-"):
        raise _document_invalid("This file is not a PDF.")
    if extension in ("xlsx", "docx", "zip") and not (
        data.startswith(ZIP_MAGIC) and zipfile.is_zipfile(io.BytesIO(data))
    ):
        raise _document_invalid(f"This file is not a valid .{extension}.")
    if extension in ("txt", "csv"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise _document_invalid("Text files must be UTF-8.") from None
    return extension


@text_checked
@transaction.atomic
def document_add(
    *,
    product: Product,
    kind: str,
    title: str,
    file: File[Any] | bytes,
    filename: str = "",
    language: str = "fr",
    position: int | None = None,
) -> ProductDocument:
    """Attach a document of `kind` (technical_sheet, safety_data_sheet, certificate,
    manual, other) in `language`; the file is checked against its extension."""
    if kind not in DocumentKind.values:
        raise InvalidInput(
            f"Unknown document kind {kind!r}.",
            code="DOCUMENT_KIND_INVALID",
            errors={"kind": [f"Use one of {', '.join(DocumentKind.values)}."]},
        )
    ensure_language(language)
    name = upload_name(file, filename)
    data = read_upload(file, max_bytes=MAX_DOCUMENT_BYTES, code="DOCUMENT_INVALID", field="file")
    extension = document_check(data, name)
    document = ProductDocument(product=product, kind=kind, title=title, language=language)
    document.position = _next_position(product.documents) if position is None else position
    validate(document, exclude=["file"])
    document.file.save(f"{_stem(name, 'document')}.{extension}", ContentFile(data), save=False)
    _delete_on_rollback(document.file)
    document.save()
    return document


@text_checked
@transaction.atomic
def document_update(
    *,
    document: ProductDocument,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    language: str | Unset = UNSET,
    position: int | Unset = UNSET,
    file: File[Any] | bytes | Unset = UNSET,
    filename: str = "",
) -> ProductDocument:
    """Change the given fields; a new `file` replaces the stored one (same checks as
    `document_add`). Everything is checked before a new file is stored."""
    changes = given(kind=kind, title=title, language=language, position=position)
    if "kind" in changes and changes["kind"] not in DocumentKind.values:
        raise InvalidInput(
            f"Unknown document kind {changes['kind']!r}.",
            code="DOCUMENT_KIND_INVALID",
            errors={"kind": [f"Use one of {', '.join(DocumentKind.values)}."]},
        )
    if "language" in changes:
        ensure_language(changes["language"])
    upload: tuple[bytes, str] | None = None
    if not isinstance(file, Unset):
        name = upload_name(file, filename)
        data = read_upload(
            file, max_bytes=MAX_DOCUMENT_BYTES, code="DOCUMENT_INVALID", field="file"
        )
        upload = (data, f"{_stem(name, 'document')}.{document_check(data, name)}")
    apply_changes(document, changes, exclude=["file"])
    if upload is not None:
        old = _stored(document.file)
        document.file.save(upload[1], ContentFile(upload[0]), save=False)
        _delete_on_rollback(document.file)
        _delete_on_commit(old, keep=document.file)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: ProductDocument) -> None:
    _delete_on_commit(_stored(document.file))
    document.delete()


def _model_invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="MODEL_3D_INVALID", errors={"model_3d": [message]})


def model_3d_check(data: bytes, filename: str) -> str:
    """The extension (glb, gltf, usdz) of a plausible 3D model. GLB: binary glTF 2.0 header
    ('glTF', version 2, declared length = file size). glTF: JSON with asset.version 2.x.
    USDZ: an uncompressed zip whose first entry is a .usd/.usda/.usdc layer.
    Raises InvalidInput(MODEL_3D_INVALID)."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension == "glb":
        if len(data) < 12 or data[:4] != b"glTF":
            raise _model_invalid("Not a binary glTF (GLB) file.")
        version, length = struct.unpack_from("<II", data, 4)
        if version != 2 or length != len(data):
            raise _model_invalid("Only complete glTF 2.0 binaries are accepted.")
    elif extension == "gltf":
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, ValueError):
            raise _model_invalid("Not a glTF JSON document.") from None
        asset = document.get("asset") if isinstance(document, dict) else None
        if not isinstance(asset, dict) or not str(asset.get("version", "")).startswith("2"):
            raise _model_invalid("Only glTF 2.0 documents are accepted.")
    elif extension == "usdz":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = archive.infolist()
        except zipfile.BadZipFile:
            raise _model_invalid("A USDZ file is a zip archive.") from None
        if not entries or not entries[0].filename.lower().endswith((".usd", ".usda", ".usdc")):
            raise _model_invalid("A USDZ archive starts with a USD layer.")
    else:
        raise _model_invalid("Use a .glb, .gltf or .usdz file.")
    return extension


@text_checked
@transaction.atomic
def model_3d_set(*, product: Product, file: File[Any] | bytes, filename: str = "") -> Product:
    """Attach (or replace) the product's 3D model: .glb/.gltf go to `model_3d`, .usdz to
    `model_3d_usdz`."""
    name = upload_name(file, filename)
    data = read_upload(
        file, max_bytes=MAX_MODEL_3D_BYTES, code="MODEL_3D_INVALID", field="model_3d"
    )
    extension = model_3d_check(data, name)
    field = product.model_3d_usdz if extension == "usdz" else product.model_3d
    old = _stored(field)
    field.save(f"{_stem(name, 'model')}.{extension}", ContentFile(data), save=False)
    _delete_on_rollback(field)
    _delete_on_commit(old, keep=field)
    product.save(update_fields=[field.field.name, "updated_at"])
    return product


@transaction.atomic
def model_3d_remove(*, product: Product, usdz: bool = False) -> Product:
    """Detach the glTF/GLB model (or with `usdz=True` the USDZ one)."""
    field = product.model_3d_usdz if usdz else product.model_3d
    _delete_on_commit(_stored(field))
    setattr(product, field.field.name, "")
    product.save(update_fields=[field.field.name, "updated_at"])
    return product
