"""Media services: images checked with Pillow and given a real WebP thumbnail, documents
checked against their extension, 3D models checked by their signature."""

import gc
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from comptoir.catalog import services
from comptoir.catalog.demo.media import cube_glb, pdf_sheet
from comptoir.catalog.models import ProductDocument, ProductImage
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.catalog.tests.test_services import raises
from comptoir.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def picture(size: tuple[int, int] = (1200, 800), *, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    colours: dict[str, int | tuple[int, ...]] = {"RGBA": (200, 80, 40, 128), "1": 1}
    colour = colours.get(mode, (200, 80, 40))
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def image_files(
    path: str, extension: str = "png", widths: tuple[int, ...] = (320, 640, 960, 1200)
) -> list[str]:
    """The files of an image stored as `path`.<extension> (a 1200 px wide RGB picture by
    default): the upload, its thumbnail and its AVIF, WebP and JPEG renditions."""
    renditions = [f"{path}-{w}w.{ext}" for w in widths for ext in ("avif", "jpg", "webp")]
    return [f"{path}.{extension}", f"{path}-thumb.webp", *renditions]


def test_image_add_stores_the_image_and_a_webp_thumbnail(media_root: Path) -> None:
    product = ProductFactory.create(slug="perceuse")

    image = services.image_add(
        product=product, file=picture(), filename="Photo Perceuse.png", alt="Perceuse"
    )

    assert image.image.name == "products/perceuse/photo-perceuse.png"
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (400, 267)
    assert (image.alt, image.position) == ("Perceuse", 0)
    second = services.image_add(product=product, file=picture(fmt="JPEG"), filename="b.png")
    assert (second.image.name or "").endswith(".jpg")  # the extension follows the real format
    assert second.position == 1


def test_thumbnail_keeps_transparency_and_never_enlarges() -> None:
    product = ProductFactory.create()
    upload = SimpleUploadedFile("logo.png", picture((120, 300), mode="RGBA"))

    image = services.image_add(product=product, file=upload)

    with Image.open(image.thumbnail.path) as thumbnail:
        assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("WEBP", "RGBA", (120, 300))


@pytest.mark.parametrize(
    "make",
    [
        lambda: b"not an image at all",
        lambda: picture(fmt="JPEG")[:400],  # truncated
        lambda: picture((10, 10), fmt="BMP"),  # not an accepted format
        lambda: picture((8000, 6000), mode="1"),  # 48 megapixels
        lambda: b"\0" * (10 * 1024 * 1024 + 1),  # over 10 MB
        lambda: b"",
    ],
    ids=["text", "truncated", "bmp", "too-many-pixels", "too-large", "empty"],
)
def test_image_add_refuses_non_images_and_stores_nothing(
    make: Callable[[], bytes], media_root: Path
) -> None:
    product = ProductFactory.create()

    with raises(InvalidInput, "IMAGE_INVALID"):
        services.image_add(product=product, file=make(), filename="x.jpg")

    assert ProductImage.objects.count() == 0
    assert not media_root.exists() or stored_files(media_root) == []


def test_image_variant_must_belong_to_the_product() -> None:
    product = ProductFactory.create()
    other = ProductVariantFactory.create()

    with raises(InvalidInput, "VARIANT_MISMATCH"):
        services.image_add(product=product, file=picture(), filename="a.png", variant=other)

    assert ProductImage.objects.count() == 0


def test_image_update_replaces_the_file_thumbnail_and_renditions(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    product = ProductFactory.create(slug="lampe")
    image = services.image_add(product=product, file=picture(), filename="a.png")

    with django_capture_on_commit_callbacks(execute=True):
        services.image_update(
            image=image, file=picture((500, 1000), fmt="JPEG"), filename="b.jpg", alt="Lampe"
        )

    renditions = [
        f"products/lampe/b-{w}w.{ext}" for w in (320, 500) for ext in ("avif", "jpg", "webp")
    ]
    assert stored_files(media_root) == sorted(
        [*renditions, "products/lampe/b-thumb.webp", "products/lampe/b.jpg"]
    )
    assert (image.width, image.height) == (500, 1000)
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.size == (200, 400)
    with raises(InvalidInput, "IMAGE_INVALID"):
        services.image_update(image=image, file=b"nope", alt="Autre")
    image.refresh_from_db()
    assert (image.alt, image.image.name) == ("Lampe", "products/lampe/b.jpg")

    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=image)
    assert stored_files(media_root) == []


def test_image_thumbnail_refresh_rebuilds_the_thumbnail(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    image = services.image_add(product=ProductFactory.create(), file=picture(), filename="a.png")
    Path(image.thumbnail.path).unlink()

    with django_capture_on_commit_callbacks(execute=True):
        services.image_thumbnail_refresh(image=image)

    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.width == 400


def test_document_add_accepts_a_pdf_sheet() -> None:
    product = ProductFactory.create(slug="colle")
    pdf = pdf_sheet("Fiche de données de sécurité", "Colle", ["Danger"])

    document = services.document_add(
        product=product,
        kind="safety_data_sheet",
        title="FDS",
        file=SimpleUploadedFile("FDS Colle.PDF", pdf),
    )

    assert document.file.name == "products/colle/docs/fds-colle.pdf"
    assert document.file.read().startswith(b"%PDF-1.4")
    services.document_update(document=document, title="FDS v2", language="en")
    document.refresh_from_db()
    assert (document.title, document.language) == ("FDS v2", "en")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"filename": "fiche.pdf", "file": b"<html>not a pdf</html>"}, "DOCUMENT_INVALID"),
        ({"filename": "virus.exe", "file": b"MZ..."}, "DOCUMENT_INVALID"),
        ({"filename": "tableau.xlsx", "file": b"%PDF-1.4"}, "DOCUMENT_INVALID"),
        ({"filename": "notes.txt", "file": "é".encode("latin-1")}, "DOCUMENT_INVALID"),
        ({"kind": "brochure"}, "DOCUMENT_KIND_INVALID"),
        ({"language": "de"}, "LANGUAGE_INVALID"),
    ],
)
def test_document_add_refusals(kwargs: dict[str, Any], code: str) -> None:
    values = {
        "product": ProductFactory.create(),
        "kind": "technical_sheet",
        "title": "Fiche",
        "file": pdf_sheet("Fiche", "", []),
        "filename": "fiche.pdf",
        **kwargs,
    }

    with raises(InvalidInput, code):
        services.document_add(**values)

    assert ProductDocument.objects.count() == 0


def usdz(first: str = "model.usdc") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(first, b"PXR-USDC")
        archive.writestr("texture.png", picture((4, 4)))
    return out.getvalue()


def test_model_3d_set_accepts_glb_gltf_and_usdz(django_capture_on_commit_callbacks: Any) -> None:
    product = ProductFactory.create(slug="caisse")

    services.model_3d_set(product=product, file=cube_glb((0.5, 0.25, 0.2)), filename="Caisse.glb")
    services.model_3d_set(product=product, file=usdz(), filename="caisse.usdz")

    product.refresh_from_db()
    assert product.model_3d.name == "products/caisse/3d/caisse.glb"
    assert product.model_3d_usdz.name == "products/caisse/3d/caisse.usdz"
    with django_capture_on_commit_callbacks(execute=True):
        services.model_3d_set(
            product=product, file=b'{"asset": {"version": "2.0"}}', filename="c.gltf"
        )
    assert product.model_3d.name == "products/caisse/3d/c.gltf"
    services.model_3d_remove(product=product, usdz=True)
    product.refresh_from_db()
    assert product.model_3d_usdz.name == ""


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("cube.glb", b"GLTF" + cube_glb()[4:]),  # wrong magic
        ("cube.glb", cube_glb()[:-4]),  # truncated: declared length differs
        ("cube.glb", b"glTF\x01\x00\x00\x00" + b"\0" * 8),  # glTF 1.0
        ("cube.gltf", b'{"asset": {"version": "1.0"}}'),
        ("cube.gltf", b"not json"),
        ("cube.usdz", b"PK not really a zip"),
        ("cube.usdz", usdz(first="readme.txt")),
        ("cube.obj", b"v 0 0 0"),
    ],
)
def test_model_3d_set_refuses_invalid_models(filename: str, data: bytes) -> None:
    product = ProductFactory.create()

    with raises(InvalidInput, "MODEL_3D_INVALID"):
        services.model_3d_set(product=product, file=data, filename=filename)

    product.refresh_from_db()
    assert (product.model_3d.name, product.model_3d_usdz.name) == ("", "")


def test_demo_cube_is_a_well_formed_glb() -> None:
    data = cube_glb((1.0, 2.0, 3.0))
    json_length = int.from_bytes(data[12:16], "little")
    bin_header = data[20 + json_length : 28 + json_length]

    assert data[:4] == b"glTF"
    assert int.from_bytes(data[8:12], "little") == len(data)
    assert data[16:20] == b"JSON"
    assert json_length % 4 == 0
    assert bin_header[4:] == b"BIN\0"
    assert int.from_bytes(bin_header[:4], "little") == 24 * 12 * 2 + 36 * 2


# Files stored by a transaction that rolls back are removed -------------------------------


class Boom(Exception):
    """Fails a transaction after the service stored its files."""


def test_files_of_a_rolled_back_transaction_are_deleted(media_root: Path) -> None:
    product = ProductFactory.create(slug="scie")
    document = services.document_add(
        product=product, kind="manual", title="Notice", file=b"notice", filename="notice.txt"
    )
    before = stored_files(media_root)

    def store_then_fail() -> None:
        with transaction.atomic():
            image = services.image_add(product=product, file=picture(), filename="scie.png")
            services.document_update(document=document, file=b"v2", filename="notice-v2.txt")
            services.model_3d_set(product=product, file=cube_glb((1, 1, 1)), filename="s.glb")
            assert Path(image.image.path).exists()
            assert len(stored_files(media_root)) == len(before) + 4 + 12  # 12 renditions
            raise Boom

    with pytest.raises(Boom):
        store_then_fail()

    assert stored_files(media_root) == before == ["products/scie/docs/notice.txt"]
    assert ProductImage.objects.count() == 0
    document.refresh_from_db()
    assert document.file.name == "products/scie/docs/notice.txt"


def test_a_rolled_back_savepoint_deletes_only_its_own_files(media_root: Path) -> None:
    product = ProductFactory.create(slug="scie")

    kept = services.image_add(product=product, file=picture(), filename="garde.png")

    def store_then_fail() -> None:
        with transaction.atomic():
            services.image_add(product=product, file=picture(), filename="jete.png")
            raise Boom

    with pytest.raises(Boom):
        store_then_fail()

    assert stored_files(media_root) == sorted(image_files("products/scie/garde"))
    assert list(ProductImage.objects.values_list("pk", flat=True)) == [kept.pk]


def test_committed_files_are_kept(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    product = ProductFactory.create(slug="scie")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.image_add(product=product, file=picture(), filename="scie.png")
    del callbacks[:]  # the callbacks ran (the commit): dropping them deletes nothing

    assert stored_files(media_root) == sorted(image_files("products/scie/scie"))


def test_updates_check_everything_before_storing_a_new_file(media_root: Path) -> None:
    product = ProductFactory.create(slug="scie")
    image = services.image_add(product=product, file=picture(), filename="a.png", alt="Scie")
    document = services.document_add(
        product=product, kind="manual", title="Notice", file=b"notice", filename="notice.txt"
    )
    before = stored_files(media_root)

    with raises(InvalidInput, "INVALID_INPUT"):
        services.image_update(image=image, alt="x" * 201, file=picture(), filename="b.png")
    with raises(InvalidInput, "INVALID_INPUT"):
        services.document_update(
            document=document, title="x" * 201, file=b"v2", filename="notice-v2.txt"
        )

    assert stored_files(media_root) == before
    assert (image.alt, image.image.name) == ("Scie", "products/scie/a.png")
    assert (document.title, document.file.name) == ("Notice", "products/scie/docs/notice.txt")


def test_media_texts_that_cannot_be_stored_are_refused(media_root: Path) -> None:
    product = ProductFactory.create()

    with raises(InvalidInput, "INVALID_TEXT") as refusal:
        services.image_add(product=product, file=picture(), filename="a.png", alt="\x00")
    with raises(InvalidInput, "INVALID_TEXT"):
        services.document_add(
            product=product, kind="manual", title="N\ud800", file=b"x", filename="n.txt"
        )

    assert list(refusal.errors) == ["alt"]
    assert (ProductImage.objects.count(), ProductDocument.objects.count()) == (0, 0)
    assert not media_root.exists() or stored_files(media_root) == []


# Files of committed rows are kept whatever happens to the other on_commit callbacks ------


@pytest.mark.django_db(transaction=True)
def test_a_callback_failing_after_commit_never_deletes_committed_files(media_root: Path) -> None:
    # Given a transaction whose first on_commit callback fails after COMMIT (Django then
    # drops the later ones, the one keeping the new image's files among them)
    product = ProductFactory.create(slug="scie")

    def fail() -> None:
        raise Boom

    def commit_then_fail() -> None:
        with transaction.atomic():
            transaction.on_commit(fail)
            services.image_add(product=product, file=picture(), filename="scie.png")

    with pytest.raises(Boom):
        commit_then_fail()
    gc.collect()

    # then the committed image keeps its files
    assert ProductImage.objects.get().image.name == "products/scie/scie.png"
    assert stored_files(media_root) == sorted(image_files("products/scie/scie"))


@pytest.mark.django_db(transaction=True)
def test_a_storage_error_after_commit_keeps_the_next_files(
    media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an image whose files the storage then refuses to delete (S3 down, say)
    product = ProductFactory.create(slug="scie")
    old = services.image_add(product=product, file=picture(), filename="ancienne.png")
    delete = FileSystemStorage.delete

    def refuse_old(storage: FileSystemStorage, name: str) -> None:
        if "ancienne" in name:
            raise OSError("storage down")
        delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", refuse_old)

    # when one transaction deletes it and adds another
    with transaction.atomic():
        services.image_delete(image=old)
        new = services.image_add(product=product, file=picture(), filename="nouvelle.png")
    gc.collect()

    # then the commit stands, and the new image keeps its files (the old ones are left over)
    assert list(ProductImage.objects.values_list("pk", flat=True)) == [new.pk]
    assert stored_files(media_root) == sorted(
        image_files("products/scie/ancienne") + image_files("products/scie/nouvelle")
    )
