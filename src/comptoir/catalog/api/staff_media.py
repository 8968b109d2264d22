"""Staff catalog API (3/3): product media uploaded as multipart/form-data (images, documents,
the 3D model), and the deletion of categories, attributes and product types.

Every handler checks the caller's Django model permission first, then calls one service.
Uploads are checked by the services (Pillow for images, the extension and signature for
documents and 3D models): a refused file is a 400 problem+json and nothing is stored."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from ninja import File, Form, Query, Status, UploadedFile

from comptoir.catalog import services
from comptoir.catalog.api.common import admin_router, as_bad_reference, staff
from comptoir.catalog.api.staff_catalog import changes
from comptoir.catalog.models import Product, ProductDocument, ProductImage, ProductVariant
from comptoir.catalog.schemas import (
    DocumentAdminOut,
    DocumentIn,
    DocumentPatch,
    ImageAdminOut,
    ImageIn,
    ImagePatch,
    Model3dAdminOut,
)
from comptoir.catalog.selectors import staff as reads
from comptoir.core.errors import NotFound

# --- lookups ------------------------------------------------------------------------------


def _variant(variant_id: int | None) -> ProductVariant | None:
    """The variant a body names (400 VARIANT_NOT_FOUND when unknown)."""
    if variant_id is None:
        return None
    try:
        return reads.variant_admin_get(variant_id=variant_id)
    except NotFound as exc:
        raise as_bad_reference(exc, "variant_id") from None


# --- representations ----------------------------------------------------------------------


def _url(request: HttpRequest, file: FieldFile) -> str | None:
    """The absolute URL of a stored file (MEDIA_URL may already be absolute, e.g. a CDN)."""
    return request.build_absolute_uri(file.url) if file and file.name else None


def image_out(request: HttpRequest, image: ProductImage) -> dict[str, Any]:
    return {
        "id": image.pk,
        "product_id": image.product_id,
        "variant_id": image.variant_id,
        "url": _url(request, image.image) or "",
        "thumbnail_url": _url(request, image.thumbnail),
        "alt": image.alt,
        "alt_en": image.alt_en,
        "position": image.position,
        "width": image.width,
        "height": image.height,
        "renditions": [
            {
                "format": r["format"],
                "width": r["width"],
                "height": r["height"],
                "url": request.build_absolute_uri(image.image.storage.url(r["name"])),
            }
            for r in image.renditions
        ],
    }


def document_out(request: HttpRequest, document: ProductDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "product_id": document.product_id,
        "kind": document.kind,
        "title": document.title,
        "language": document.language,
        "position": document.position,
        "url": _url(request, document.file) or "",
    }


def model_3d_out(request: HttpRequest, product: Product) -> dict[str, Any]:
    return {
        "product_id": product.pk,
        "gltf_url": _url(request, product.model_3d),
        "usdz_url": _url(request, product.model_3d_usdz),
    }


# --- images -------------------------------------------------------------------------------


@admin_router.post(
    "products/{product_id}/images",
    response={201: ImageAdminOut},
    summary="Upload a product image",
    description="multipart/form-data with `file` (JPEG, PNG, WebP or GIF, 10 MB and 40 "
    "megapixels at most) and optional form fields. A WebP thumbnail and responsive "
    "renditions (AVIF, WebP, JPEG/PNG at 320-1280 px, never enlarged) are made. 400 "
    "`IMAGE_INVALID` for anything else, `VARIANT_MISMATCH` for another product's variant.",
)
def admin_add_image(
    request: HttpRequest,
    product_id: int,
    file: File[UploadedFile],
    payload: Form[ImageIn],
) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_productimage")
    product = reads.product_admin_get(product_id=product_id)
    image = services.image_add(
        product=product,
        file=file,
        alt=payload.alt,
        alt_en=payload.alt_en,
        variant=_variant(payload.variant_id),
        position=payload.position,
    )
    return Status(201, image_out(request, image))


@admin_router.patch(
    "images/{image_id}", response=ImageAdminOut, summary="Change an image's texts or order"
)
def admin_update_image(request: HttpRequest, image_id: int, payload: ImagePatch) -> dict[str, Any]:
    staff(request, "catalog.change_productimage")
    image = reads.image_admin_get(image_id=image_id)
    data = changes(payload, nullable=frozenset({"variant_id"}))
    if "variant_id" in data:
        data["variant"] = _variant(data.pop("variant_id"))
    services.image_update(image=image, **data)
    return image_out(request, image)


@admin_router.delete("images/{image_id}", response={204: None}, summary="Delete an image")
def admin_delete_image(request: HttpRequest, image_id: int) -> Status[None]:
    staff(request, "catalog.delete_productimage")
    services.image_delete(image=reads.image_admin_get(image_id=image_id))
    return Status(204, None)


# --- documents ----------------------------------------------------------------------------


@admin_router.post(
    "products/{product_id}/documents",
    response={201: DocumentAdminOut},
    summary="Attach a document to a product",
    description="multipart/form-data with `file` (.pdf, .txt, .csv, .xlsx, .docx or .zip, "
    "20 MB at most, content matching the extension) and the form fields. 400 "
    "`DOCUMENT_INVALID`, `DOCUMENT_KIND_INVALID` or `LANGUAGE_INVALID`.",
)
def admin_add_document(
    request: HttpRequest,
    product_id: int,
    file: File[UploadedFile],
    payload: Form[DocumentIn],
) -> Status[dict[str, Any]]:
    staff(request, "catalog.add_productdocument")
    product = reads.product_admin_get(product_id=product_id)
    document = services.document_add(
        product=product,
        file=file,
        kind=payload.kind,
        title=payload.title,
        language=payload.language,
        position=payload.position,
    )
    return Status(201, document_out(request, document))


@admin_router.patch(
    "documents/{document_id}", response=DocumentAdminOut, summary="Change a document's details"
)
def admin_update_document(
    request: HttpRequest, document_id: int, payload: DocumentPatch
) -> dict[str, Any]:
    staff(request, "catalog.change_productdocument")
    document = reads.document_admin_get(document_id=document_id)
    services.document_update(document=document, **changes(payload))
    return document_out(request, document)


@admin_router.delete("documents/{document_id}", response={204: None}, summary="Delete a document")
def admin_delete_document(request: HttpRequest, document_id: int) -> Status[None]:
    staff(request, "catalog.delete_productdocument")
    services.document_delete(document=reads.document_admin_get(document_id=document_id))
    return Status(204, None)


# --- 3D model -----------------------------------------------------------------------------


@admin_router.post(
    "products/{product_id}/model-3d",
    response=Model3dAdminOut,
    summary="Attach or replace the product's 3D model",
    description="multipart/form-data with `file`: a .glb or .gltf (glTF 2.0, for the web) "
    "or a .usdz (for iOS AR), 50 MB at most; each format has its own slot. 400 "
    "`MODEL_3D_INVALID` for anything else.",
)
def admin_set_model_3d(
    request: HttpRequest, product_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    return model_3d_out(request, services.model_3d_set(product=product, file=file))


@admin_router.delete(
    "products/{product_id}/model-3d",
    response={204: None},
    summary="Remove the product's 3D model",
    description="`format=glb` (or `gltf`) removes the web model, `format=usdz` the AR one.",
)
def admin_remove_model_3d(
    request: HttpRequest,
    product_id: int,
    model_format: Literal["glb", "gltf", "usdz"] = Query(..., alias="format"),
) -> Status[None]:
    staff(request, "catalog.change_product")
    product = reads.product_admin_get(product_id=product_id)
    services.model_3d_remove(product=product, usdz=model_format == "usdz")
    return Status(204, None)


# --- deletions of catalog structure -------------------------------------------------------


@admin_router.delete(
    "categories/{category_id}",
    response={204: None},
    summary="Delete a category",
    description="409 `CATEGORY_IN_USE` while it holds products or subcategories.",
)
def admin_delete_category(request: HttpRequest, category_id: int) -> Status[None]:
    staff(request, "catalog.delete_category")
    services.category_delete(category=reads.category_admin_get(category_id=category_id))
    return Status(204, None)


@admin_router.delete(
    "attributes/{attribute_id}",
    response={204: None},
    summary="Delete an attribute",
    description="409 `ATTRIBUTE_IN_USE` while a product type lists it or a product or "
    "variant holds a value of it.",
)
def admin_delete_attribute(request: HttpRequest, attribute_id: int) -> Status[None]:
    staff(request, "catalog.delete_attribute")
    services.attribute_delete(attribute=reads.attribute_admin_get(attribute_id=attribute_id))
    return Status(204, None)


@admin_router.delete(
    "product-types/{product_type_id}",
    response={204: None},
    summary="Delete a product type",
    description="409 `PRODUCT_TYPE_IN_USE` while products use it.",
)
def admin_delete_product_type(request: HttpRequest, product_type_id: int) -> Status[None]:
    staff(request, "catalog.delete_producttype")
    product_type = reads.product_type_admin_get(product_type_id=product_type_id)
    services.product_type_delete(product_type=product_type)
    return Status(204, None)
