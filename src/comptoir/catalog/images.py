"""Product image checks, thumbnails and responsive renditions, with Pillow.

An upload is accepted when Pillow recognises it as JPEG, PNG, WebP or GIF, it fits in
MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS, and it decodes fully. Thumbnails are WebP, at most
THUMBNAIL_SIZE pixels wide and high, oriented per EXIF, with transparency kept.

Renditions (`renditions_make`) are the responsive set a `<picture>` offers: a few widths in
AVIF, WebP and a JPEG/PNG fallback, made once when the image is stored. Pillow rather than
easy-thumbnails, sorl-thumbnail or django-imagekit: those make one size per named spec, on
demand or from model signals, with their own file bookkeeping; here the whole set is made
inside the media services' transaction (files removed on rollback and after deletion) and
its sizes are recorded so pages can give every `<img>` its `width` and `height`."""

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


# Responsive renditions: the widths a `srcset` offers (never wider than the original, whose
# own width is added when it is narrower than the largest), in AVIF and WebP for browsers
# that read them and in JPEG (PNG when the image has transparency) for the `<img>` fallback.
RENDITION_WIDTHS: Final = (320, 640, 960, 1280)
AVIF_QUALITY: Final = 60
# libavif's speed, 0 (slowest, smallest) to 10: 8 encodes several times faster than 6 or 7
# for files a few per cent larger.
AVIF_SPEED: Final = 8
WEBP_QUALITY: Final = 80
JPEG_QUALITY: Final = 82
# format -> (Pillow format, MIME type)
RENDITION_FORMATS: Final = {
    "avif": ("AVIF", "image/avif"),
    "webp": ("WEBP", "image/webp"),
    "jpeg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
}
MODERN_FORMATS: Final = ("avif", "webp")
EXTENSIONS: Final = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}


@dataclass(frozen=True, slots=True)
class Rendition:
    format: str  # a key of RENDITION_FORMATS
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Renditions:
    """The renditions of an image, and its size as shown (EXIF orientation applied)."""

    width: int
    height: int
    items: list[Rendition]


def rendition_widths(width: int) -> list[int]:
    """The widths made for an image `width` pixels wide: 2000 -> 320, 640, 960, 1280;
    700 -> 320, 640, 700; 200 -> 200."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)
    return widths


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "avif":
        image.save(out, format="AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED, **extra)
    elif fmt == "webp":
        image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4, **extra)
    elif fmt == "jpeg":
        image.save(
            out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra
        )
    else:
        image.save(out, format="PNG", optimize=True, **extra)
    return out.getvalue()


def renditions_make(data: bytes) -> Renditions:
    """Every rendition of an image: each width of `rendition_widths` in AVIF, WebP and the
    fallback format (PNG when the image has transparency, JPEG otherwise), oriented per
    EXIF, colour profile kept, other metadata (EXIF, GPS) dropped. Call `image_inspect`
    first: this assumes a valid image (animated GIF and WebP give their first frame)."""
    with Image.open(io.BytesIO(data)) as source:
        # A profile describes the source's colour space: kept for RGB images only (a CMYK
        # or greyscale profile would be wrong once the pixels are converted to RGB).
        icc = source.info.get("icc_profile") if source.mode in ("RGB", "RGBA", "P") else None
        image = ImageOps.exif_transpose(source)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and image.getchannel("A").getextrema() == (255, 255):
        image, has_alpha = image.convert("RGB"), False  # an alpha channel that hides nothing
    width, height = image.size
    fallback = "png" if has_alpha else "jpeg"
    items: list[Rendition] = []
    # Largest first: the smaller widths are scaled from it, not from a 40-megapixel original.
    for w in sorted(rendition_widths(width), reverse=True):
        h = max(1, round(height * w / width))
        if (w, h) != image.size:
            image = image.resize((w, h), Image.Resampling.LANCZOS)
        formats = (*MODERN_FORMATS, fallback)
        items[:0] = [Rendition(f, w, h, _encode(image, f, icc)) for f in formats]
    return Renditions(width=width, height=height, items=items)
