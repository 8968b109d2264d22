"""Product image checks and thumbnails, with Pillow.

An upload is accepted when Pillow recognises it as JPEG, PNG, WebP or GIF, it fits in
MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS, and it decodes fully. Thumbnails are WebP, at most
THUMBNAIL_SIZE pixels wide and high, oriented per EXIF, with transparency kept."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from comptoir.core.errors import InvalidInput

MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024
MAX_IMAGE_PIXELS: Final = 40_000_000
THUMBNAIL_SIZE: Final = 400
THUMBNAIL_QUALITY: Final = 80
FORMATS: Final = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str
    extension: str
    width: int
    height: int


def image_invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="IMAGE_INVALID", errors={"image": [message]})


def image_inspect(data: bytes) -> ImageInfo:
    """Identify and verify an image. Raises InvalidInput(IMAGE_INVALID) for anything that
    is not a complete JPEG/PNG/WebP/GIF within the size limits."""
    if len(data) > MAX_IMAGE_BYTES:
        raise image_invalid(f"The image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format or "", image.size
                if kind not in FORMATS:
                    raise image_invalid("Use a JPEG, PNG, WebP or GIF image.")
                if width * height > MAX_IMAGE_PIXELS:
                    raise image_invalid("The image has too many pixels.")
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise image_invalid("Not an image, or an unsupported format.") from None
    except (OSError, SyntaxError, ValueError):
        raise image_invalid("The image is damaged or incomplete.") from None
    return ImageInfo(format=kind, extension=FORMATS[kind], width=width, height=height)


def thumbnail_webp(
    data: bytes, *, size: int = THUMBNAIL_SIZE, quality: int = THUMBNAIL_QUALITY
) -> bytes:
    """A WebP thumbnail fitting in size x size (never enlarged). Call `image_inspect`
    first: this assumes a valid image."""
    with Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=quality, method=4)
        return out.getvalue()
