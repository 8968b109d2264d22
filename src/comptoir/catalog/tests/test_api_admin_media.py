"""Staff catalog API, media and deletions: multipart uploads of images, documents and 3D models
(real Pillow images, a real GLB), access (anonymous 401, customer 403, permissions), and bad
input (a 4xx problem+json with a stable code, no row and no file left in MEDIA_ROOT)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from PIL import Image

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog import services
from comptoir.catalog.demo.media import cube_glb, pdf_sheet
from comptoir.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
)
from comptoir.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_api_admin import ADMIN, Api, problem

pytestmark = pytest.mark.django_db

MEDIA = "http://testserver/media"


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def renditions(path: str, sizes: tuple[tuple[int, int], ...]) -> list[dict[str, Any]]:
    """The API's renditions of an RGB image stored as `path`.<ext>: (width, height) each."""
    return [
        {"format": fmt, "width": w, "height": h, "url": f"{MEDIA}/{path}-{w}w.{ext}"}
        for w, h in sizes
        for fmt, ext in (("avif", "avif"), ("webp", "webp"), ("jpeg", "jpg"))
    ]


WIDE = ((320, 213), (640, 427), (960, 640), (1200, 800))


def picture(size: tuple[int, int] = (1200, 800), *, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format=fmt)
    return out.getvalue()


def usdz() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("model.usdc", b"PXR-USDC")
    return out.getvalue()


RAW_MULTIPART = f"multipart/form-data;boundary={BOUNDARY}"


class Uploads(Api):
    """Api plus multipart POST requests (every upload endpoint is a POST: Django parses
    multipart bodies of POST only)."""

    def upload(self, path: str, name: str, data: bytes, **fields: Any) -> Any:
        body = {"file": SimpleUploadedFile(name, data), **fields}
        return self.client.post(f"{ADMIN}/{path}", body, headers=self.headers)

    def raw(self, method: str, path: str, body: bytes, content_type: str = RAW_MULTIPART) -> Any:
        """A body sent as is (the test client would encode a MULTIPART_CONTENT one)."""
        return getattr(self.client, method)(
            f"{ADMIN}/{path}", body, content_type=content_type, headers=self.headers
        )


def uploads_for(client: Client, user: Any) -> Uploads:
    raw, _token = api_token_create(user=user)
    return Uploads(client, raw)


@pytest.fixture
def api(client: Client) -> Uploads:
    return uploads_for(client, StaffFactory())


@pytest.fixture
def product() -> Product:
    return ProductFactory.create(slug="perceuse")


# --- access -------------------------------------------------------------------------------


ENDPOINTS = [
    ("post", "products/1/images"),
    ("patch", "images/1"),
    ("delete", "images/1"),
    ("post", "products/1/documents"),
    ("patch", "documents/1"),
    ("delete", "documents/1"),
    ("post", "products/1/model-3d"),
    ("delete", "products/1/model-3d?format=glb"),
    ("delete", "categories/1"),
    ("delete", "attributes/1"),
    ("delete", "product-types/1"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_401(client: Client, method: str, path: str) -> None:
    response = Api(client, None).send(method, path, {})

    problem(response, 401, "UNAUTHORIZED")


def test_customer_is_403_and_nothing_is_stored(
    client: Client, product: Product, media_root: Path
) -> None:
    customer = uploads_for(client, UserFactory())
    category: Any = CategoryFactory()

    problem(
        customer.upload(f"products/{product.pk}/images", "a.png", picture()),
        403,
        "PERMISSION_DENIED",
    )
    problem(
        customer.upload(f"products/{product.pk}/model-3d", "a.glb", cube_glb()),
        403,
        "PERMISSION_DENIED",
    )
    problem(customer.delete(f"categories/{category.pk}"), 403, "PERMISSION_DENIED")

    assert ProductImage.objects.count() == 0
    assert Category.objects.filter(pk=category.pk).exists()
    assert not media_root.exists() or stored_files(media_root) == []


@pytest.mark.parametrize(
    ("granted", "method", "path"),
    [
        ("change_productimage", "post", "images"),
        ("add_productimage", "patch", "image"),
        ("change_productimage", "delete", "image"),
        ("change_productdocument", "post", "documents"),
        ("add_productdocument", "delete", "document"),
        ("view_product", "post", "model-3d"),
        ("view_product", "delete", "model-3d"),
        ("change_category", "delete", "category"),
        ("change_attribute", "delete", "attribute"),
        ("change_producttype", "delete", "product-type"),
    ],
)
def test_staff_needs_the_specific_permission(
    client: Client, media_root: Path, granted: str, method: str, path: str
) -> None:
    product = ProductFactory.create()
    image = services.image_add(product=product, file=picture((20, 20)), filename="a.png")
    document = services.document_add(
        product=product, kind="manual", title="Notice", file=b"Lire.", filename="notice.txt"
    )
    services.model_3d_set(product=product, file=cube_glb(), filename="a.glb")
    other_category: Any = CategoryFactory()
    attribute: Any = AttributeFactory()
    product_type: Any = ProductTypeFactory(slug="vide")
    files_before = stored_files(media_root)
    clerk: Any = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename=granted))
    api = uploads_for(client, clerk)

    response = {
        ("post", "images"): lambda: api.upload(f"products/{product.pk}/images", "b.png", picture()),
        ("patch", "image"): lambda: api.patch(f"images/{image.pk}", {"alt": "x"}),
        ("delete", "image"): lambda: api.delete(f"images/{image.pk}"),
        ("post", "documents"): lambda: api.upload(
            f"products/{product.pk}/documents", "b.txt", b"x", kind="manual", title="B"
        ),
        ("delete", "document"): lambda: api.delete(f"documents/{document.pk}"),
        ("post", "model-3d"): lambda: api.upload(
            f"products/{product.pk}/model-3d", "b.usdz", usdz()
        ),
        ("delete", "model-3d"): lambda: api.delete(f"products/{product.pk}/model-3d?format=glb"),
        ("delete", "category"): lambda: api.delete(f"categories/{other_category.pk}"),
        ("delete", "attribute"): lambda: api.delete(f"attributes/{attribute.pk}"),
        ("delete", "product-type"): lambda: api.delete(f"product-types/{product_type.pk}"),
    }[(method, path)]()

    problem(response, 403, "PERMISSION_DENIED")
    image.refresh_from_db()
    product.refresh_from_db()
    assert (image.alt, ProductImage.objects.count(), ProductDocument.objects.count()) == ("", 1, 1)
    assert (product.model_3d.name, product.model_3d_usdz.name) == (
        "products/" + product.slug + "/3d/a.glb",
        "",
    )
    assert Category.objects.filter(pk=other_category.pk).exists()
    assert Attribute.objects.filter(pk=attribute.pk).exists()
    assert ProductType.objects.filter(pk=product_type.pk).exists()
    assert stored_files(media_root) == files_before


def test_the_specific_permission_is_enough(client: Client, product: Product) -> None:
    clerk: Any = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="add_productimage"))
    api = uploads_for(client, clerk)

    response = api.upload(f"products/{product.pk}/images", "a.png", picture())

    assert response.status_code == 201, response.content


# --- images -------------------------------------------------------------------------------


def test_image_upload_returns_absolute_urls_and_stores_a_thumbnail(
    api: Uploads, product: Product, media_root: Path
) -> None:
    variant = ProductVariantFactory.create(product=product)

    response = api.upload(
        f"products/{product.pk}/images",
        "Vue de face.png",
        picture(),
        alt="Perceuse de face",
        alt_en="Drill, front",
        variant_id=variant.pk,
    )

    assert response.status_code == 201, response.content
    image = ProductImage.objects.get()
    assert response.json() == {
        "id": image.pk,
        "product_id": product.pk,
        "variant_id": variant.pk,
        "url": f"{MEDIA}/products/perceuse/vue-de-face.png",
        "thumbnail_url": f"{MEDIA}/products/perceuse/vue-de-face-thumb.webp",
        "alt": "Perceuse de face",
        "alt_en": "Drill, front",
        "position": 0,
        "width": 1200,
        "height": 800,
        "renditions": renditions("products/perceuse/vue-de-face", WIDE),
    }
    assert stored_files(media_root) == sorted(
        [
            "products/perceuse/vue-de-face-thumb.webp",
            "products/perceuse/vue-de-face.png",
            *(r["url"].removeprefix(f"{MEDIA}/") for r in response.json()["renditions"]),
        ]
    )
    with Image.open(media_root / "products/perceuse/vue-de-face-thumb.webp") as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (400, 267))
    second = api.upload(f"products/{product.pk}/images", "dos.jpg", picture(fmt="JPEG"))
    assert (second.json()["position"], second.json()["variant_id"]) == (1, None)
    placed = api.upload(f"products/{product.pk}/images", "c.png", picture(), position=7)
    assert placed.json()["position"] == 7


def _oversize() -> bytes:
    return picture((10, 10)) + b"\0" * (10 * 1024 * 1024)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("photo.png", lambda: b"this is not an image"),
        ("photo.jpg", lambda: picture(fmt="JPEG")[:300]),
        ("photo.bmp", lambda: picture((10, 10), fmt="BMP")),
        ("setup.exe", lambda: b"MZ\x90\x00" + b"\0" * 60),
        ("big.png", _oversize),
        ("empty.png", lambda: b""),
    ],
    ids=["text", "truncated", "bmp", "exe", "oversize", "empty"],
)
def test_image_upload_refuses_bad_files_and_stores_nothing(
    api: Uploads, product: Product, media_root: Path, name: str, make: Callable[[], bytes]
) -> None:
    problem(api.upload(f"products/{product.pk}/images", name, make()), 400, "IMAGE_INVALID")

    assert ProductImage.objects.count() == 0
    assert not media_root.exists() or stored_files(media_root) == []


def test_image_upload_bad_references_and_fields_store_nothing(
    api: Uploads, product: Product, media_root: Path
) -> None:
    foreign = ProductVariantFactory.create()
    images = f"products/{product.pk}/images"

    problem(api.upload("products/999999/images", "a.png", picture()), 404, "PRODUCT_NOT_FOUND")
    problem(api.upload(f"products/{10**30}/images", "a.png", picture()), 404, "PRODUCT_NOT_FOUND")
    problem(api.upload(images, "a.png", picture(), variant_id=foreign.pk), 400, "VARIANT_MISMATCH")
    problem(api.upload(images, "a.png", picture(), variant_id=999999), 400, "VARIANT_NOT_FOUND")
    problem(api.upload(images, "a.png", picture(), alt="x" * 201), 422, "VALIDATION_ERROR")
    problem(api.upload(images, "a.png", picture(), position=-1), 422, "VALIDATION_ERROR")
    missing = api.client.post(f"{ADMIN}/{images}", {"alt": "sans fichier"}, headers=api.headers)
    problem(missing, 422, "VALIDATION_ERROR")

    assert ProductImage.objects.count() == 0
    assert not media_root.exists() or stored_files(media_root) == []


def test_image_patch_and_delete(
    api: Uploads, product: Product, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    variant = ProductVariantFactory.create(product=product)
    image = services.image_add(
        product=product, file=picture(), filename="a.png", alt="Avant", variant=variant
    )

    response = api.patch(
        f"images/{image.pk}", {"alt": "Après", "alt_en": "After", "position": 3, "variant_id": None}
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": image.pk,
        "product_id": product.pk,
        "variant_id": None,
        "url": f"{MEDIA}/products/perceuse/a.png",
        "thumbnail_url": f"{MEDIA}/products/perceuse/a-thumb.webp",
        "alt": "Après",
        "alt_en": "After",
        "position": 3,
        "width": 1200,
        "height": 800,
        "renditions": renditions("products/perceuse/a", WIDE),
    }
    with django_capture_on_commit_callbacks(execute=True):
        deleted = api.delete(f"images/{image.pk}")
    assert deleted.status_code == 204
    assert not ProductImage.objects.exists()
    assert stored_files(media_root) == []


def test_image_patch_bad_input_changes_nothing(api: Uploads, product: Product) -> None:
    image = services.image_add(product=product, file=picture(), filename="a.png", alt="Avant")
    foreign = ProductVariantFactory.create()

    problem(api.patch(f"images/{image.pk}", {"variant_id": foreign.pk}), 400, "VARIANT_MISMATCH")
    problem(api.patch(f"images/{image.pk}", {"alt": None}), 400, "INVALID_INPUT")
    problem(api.patch(f"images/{image.pk}", {"position": -2}), 422, "VALIDATION_ERROR")
    problem(api.patch(f"images/{image.pk}", {"alt": "x" * 201}), 422, "VALIDATION_ERROR")
    problem(api.patch("images/999999", {"alt": "x"}), 404, "IMAGE_NOT_FOUND")
    problem(api.delete("images/999999"), 404, "IMAGE_NOT_FOUND")

    image.refresh_from_db()
    assert (image.alt, image.position, image.variant_id) == ("Avant", 0, None)


# --- documents ----------------------------------------------------------------------------


def test_document_upload_patch_and_delete(
    api: Uploads, product: Product, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    pdf = pdf_sheet("Fiche de données de sécurité", "Perceuse", ["Aucun danger"])

    response = api.upload(
        f"products/{product.pk}/documents",
        "FDS Perceuse.PDF",
        pdf,
        kind="safety_data_sheet",
        title="Fiche de sécurité",
        language="fr",
    )

    assert response.status_code == 201, response.content
    document = ProductDocument.objects.get()
    assert response.json() == {
        "id": document.pk,
        "product_id": product.pk,
        "kind": "safety_data_sheet",
        "title": "Fiche de sécurité",
        "language": "fr",
        "position": 0,
        "url": f"{MEDIA}/products/perceuse/docs/fds-perceuse.pdf",
    }
    assert (media_root / "products/perceuse/docs/fds-perceuse.pdf").read_bytes() == pdf
    changed = api.patch(
        f"documents/{document.pk}", {"title": "Safety data sheet", "language": "en"}
    )
    assert (changed.json()["title"], changed.json()["language"]) == ("Safety data sheet", "en")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"documents/{document.pk}").status_code == 204
    assert not ProductDocument.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (("virus.exe", b"MZ\x90\x00", {}), (400, "DOCUMENT_INVALID")),
        (("fiche.pdf", b"<html>pas un PDF</html>", {}), (400, "DOCUMENT_INVALID")),
        (("tableau.xlsx", b"%PDF-1.4", {}), (400, "DOCUMENT_INVALID")),
        (("notes.txt", "é".encode("latin-1"), {}), (400, "DOCUMENT_INVALID")),
        (("vide.txt", b"", {}), (400, "DOCUMENT_INVALID")),
        (("fiche.pdf", None, {"kind": "brochure"}), (400, "DOCUMENT_KIND_INVALID")),
        (("fiche.pdf", None, {"language": "de"}), (400, "LANGUAGE_INVALID")),
        (("fiche.pdf", None, {"language": "FR"}), (422, "VALIDATION_ERROR")),
        (("fiche.pdf", None, {"title": "  "}), (422, "VALIDATION_ERROR")),
        (("fiche.pdf", None, {"kind": ""}), (400, "DOCUMENT_KIND_INVALID")),
    ],
)
def test_document_upload_refusals_store_nothing(
    api: Uploads,
    product: Product,
    media_root: Path,
    upload: tuple[str, bytes | None, dict[str, str]],
    expected: tuple[int, str],
) -> None:
    name, data, fields = upload
    values = {"kind": "technical_sheet", "title": "Fiche", "language": "fr", **fields}
    content = pdf_sheet("Fiche", "", []) if data is None else data

    problem(api.upload(f"products/{product.pk}/documents", name, content, **values), *expected)

    assert ProductDocument.objects.count() == 0
    assert not media_root.exists() or stored_files(media_root) == []


def test_document_bad_references(api: Uploads, product: Product) -> None:
    document = services.document_add(
        product=product, kind="manual", title="Notice", file=b"Lire.", filename="notice.txt"
    )
    fields = {"kind": "manual", "title": "Notice"}

    problem(
        api.upload("products/999999/documents", "a.txt", b"x", **fields), 404, "PRODUCT_NOT_FOUND"
    )
    problem(
        api.patch(f"documents/{document.pk}", {"kind": "brochure"}), 400, "DOCUMENT_KIND_INVALID"
    )
    problem(api.patch("documents/999999", {"title": "X"}), 404, "DOCUMENT_NOT_FOUND")
    problem(api.delete("documents/999999"), 404, "DOCUMENT_NOT_FOUND")

    document.refresh_from_db()
    assert (document.kind, document.title, ProductDocument.objects.count()) == (
        "manual",
        "Notice",
        1,
    )


# --- 3D model -----------------------------------------------------------------------------


def test_model_3d_post_and_delete(
    api: Uploads, product: Product, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    glb = cube_glb((0.3, 0.2, 0.25))

    response = api.upload(f"products/{product.pk}/model-3d", "Perceuse.glb", glb)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "product_id": product.pk,
        "gltf_url": f"{MEDIA}/products/perceuse/3d/perceuse.glb",
        "usdz_url": None,
    }
    assert (media_root / "products/perceuse/3d/perceuse.glb").read_bytes() == glb
    both = api.upload(f"products/{product.pk}/model-3d", "perceuse.usdz", usdz())
    assert both.json()["usdz_url"] == f"{MEDIA}/products/perceuse/3d/perceuse.usdz"
    assert both.json()["gltf_url"] == f"{MEDIA}/products/perceuse/3d/perceuse.glb"

    with django_capture_on_commit_callbacks(execute=True):
        removed = api.delete(f"products/{product.pk}/model-3d?format=usdz")
    assert removed.status_code == 204
    product.refresh_from_db()
    assert (product.model_3d.name, product.model_3d_usdz.name) == (
        "products/perceuse/3d/perceuse.glb",
        "",
    )
    assert stored_files(media_root) == ["products/perceuse/3d/perceuse.glb"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"products/{product.pk}/model-3d?format=glb").status_code == 204
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cube.glb", b"GLTF" + cube_glb()[4:]),  # wrong magic: a fake GLB
        ("cube.glb", cube_glb()[:-8]),  # truncated
        ("cube.gltf", b'{"asset": {"version": "1.0"}}'),
        ("cube.usdz", b"PK\x03\x04 not really a zip"),
        ("cube.obj", b"v 0 0 0"),
        ("setup.exe", b"MZ\x90\x00"),
    ],
)
def test_model_3d_refusals_store_nothing(
    api: Uploads, product: Product, media_root: Path, name: str, data: bytes
) -> None:
    problem(api.upload(f"products/{product.pk}/model-3d", name, data), 400, "MODEL_3D_INVALID")

    product.refresh_from_db()
    assert (product.model_3d.name, product.model_3d_usdz.name) == ("", "")
    assert not media_root.exists() or stored_files(media_root) == []


def test_model_3d_bad_requests(api: Uploads, product: Product) -> None:
    model_3d = f"products/{product.pk}/model-3d"

    problem(api.upload("products/999999/model-3d", "a.glb", cube_glb()), 404, "PRODUCT_NOT_FOUND")
    problem(api.delete("products/999999/model-3d?format=glb"), 404, "PRODUCT_NOT_FOUND")
    problem(api.delete(f"{model_3d}?format=obj"), 422, "VALIDATION_ERROR")
    problem(api.delete(model_3d), 422, "VALIDATION_ERROR")
    problem(api.post(model_3d, {"file": "not a file"}), 422, "VALIDATION_ERROR")


def test_model_3d_put_is_gone(api: Uploads, product: Product, media_root: Path) -> None:
    """The upload is a POST now; a PUT (multipart or not) is a 405 problem."""
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.glb", cube_glb())})

    response = api.raw("put", f"products/{product.pk}/model-3d", body)

    problem(response, 405, "METHOD_NOT_ALLOWED")
    assert sorted(response["Allow"].split(", ")) == ["DELETE", "POST"]
    product.refresh_from_db()
    assert product.model_3d.name == ""


@pytest.mark.parametrize(
    "body",
    [
        b"garbage without any boundary",
        b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="file"',
    ],
)
def test_model_3d_unparseable_multipart_is_a_400_problem(
    api: Uploads, product: Product, media_root: Path, body: bytes
) -> None:
    response = api.raw("post", f"products/{product.pk}/model-3d", body)

    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    product.refresh_from_db()
    assert product.model_3d.name == ""


# --- deleting categories, attributes and product types ------------------------------------


def test_delete_unused_category_attribute_and_product_type(api: Uploads) -> None:
    category: Any = CategoryFactory()
    attribute: Any = AttributeFactory()
    product_type: Any = ProductTypeFactory(slug="vide")

    assert api.delete(f"categories/{category.pk}").status_code == 204
    assert api.delete(f"attributes/{attribute.pk}").status_code == 204
    assert api.delete(f"product-types/{product_type.pk}").status_code == 204

    assert not Category.objects.exists()
    assert not Attribute.objects.exists()
    assert not ProductType.objects.exists()


def test_delete_in_use_is_409_and_changes_nothing(api: Uploads, product: Product) -> None:
    parent: Any = CategoryFactory(slug="outillage")
    CategoryFactory(slug="perceuses", parent=parent)
    attribute: Any = AttributeFactory(slug="puissance")
    product.product_type.product_attributes.add(attribute)

    problem(api.delete(f"categories/{product.category_id}"), 409, "CATEGORY_IN_USE")
    problem(api.delete(f"categories/{parent.pk}"), 409, "CATEGORY_IN_USE")
    problem(api.delete(f"attributes/{attribute.pk}"), 409, "ATTRIBUTE_IN_USE")
    problem(api.delete(f"product-types/{product.product_type_id}"), 409, "PRODUCT_TYPE_IN_USE")
    problem(api.delete("categories/999999"), 404, "CATEGORY_NOT_FOUND")
    problem(api.delete("attributes/999999"), 404, "ATTRIBUTE_NOT_FOUND")
    problem(api.delete("product-types/999999"), 404, "PRODUCT_TYPE_NOT_FOUND")

    assert Category.objects.count() == 3
    assert list(product.product_type.product_attributes.values_list("slug", flat=True)) == [
        "puissance"
    ]
    assert Product.objects.filter(pk=product.pk).exists()
