"""Product pictures as pages and the API show them: the URLs of an image's responsive
renditions (catalog.images) grouped per format, ready for a `<picture>` element, and the
subqueries that read a product's first image with any queryset of rows that have a
`product_id` (listing pages, wishlists) in the same statement.

Images stored before renditions existed (no `renditions`, maybe no size) still give a
picture: their thumbnail or original as the only source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.core.files.storage import FileSystemStorage, storages
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.encoding import filepath_to_uri

from comptoir.catalog.images import MODERN_FORMATS, RENDITION_FORMATS
from comptoir.catalog.models import ProductImage
from comptoir.catalog.selectors.records import Picture, PictureSource, RenditionInfo

# The size assumed for an image whose size was never recorded: a square, as the boxes of
# cards and galleries are.
DEFAULT_SIZE: Final = 800
# The `<img src>` (for the rare browser without `srcset`): the narrowest fallback rendition
# at least this wide, or the widest.
FALLBACK_WIDTH: Final = 640


def media_url(name: str | None) -> str | None:
    """The URL of a stored file (None for none).

    For the file system storage, what its `url()` returns (`urljoin` of the base URL and
    the quoted name) without parsing both URLs again: a list page asks for 48 of them.
    """
    if not name:
        return None
    storage = storages["default"]
    if type(storage) is FileSystemStorage:
        base = storage.base_url  # ends with "/"
        path = filepath_to_uri(name).lstrip("/")
        # urljoin would resolve dot segments ("a/../b"): stored names have none, but leave
        # any such name to the storage.
        if base is not None and "/." not in f"/{path}":
            return f"{base}{path}"
    return storage.url(name)


def _renditions(rows: Iterable[Mapping[str, Any]]) -> tuple[RenditionInfo, ...]:
    found = []
    for r in rows:
        kind = RENDITION_FORMATS.get(r.get("format", ""))
        url = media_url(r.get("name"))
        if kind is None or url is None:
            continue
        found.append(
            RenditionInfo(
                format=r["format"], mime=kind[1], width=r["width"], height=r["height"], url=url
            )
        )
    return tuple(sorted(found, key=lambda r: r.width))


def picture_of(
    *,
    image: str | None,
    thumbnail: str | None = None,
    width: int | None = None,
    height: int | None = None,
    renditions: list[dict[str, Any]] | None = None,
) -> Picture | None:
    """The picture of a stored image (`image`, `thumbnail`: stored names; `renditions`: the
    ProductImage column). None without any file. Without renditions, the only source is the
    original (`thumbnail_src`: its thumbnail, for small boxes)."""
    full = media_url(image) or media_url(thumbnail)
    if full is None:
        return None
    found = _renditions(renditions or [])
    fallback = [r for r in found if r.format not in MODERN_FORMATS]
    sources = tuple(
        PictureSource(mime=RENDITION_FORMATS[fmt][1], srcset=_srcset(rows))
        for fmt in MODERN_FORMATS
        if (rows := [r for r in found if r.format == fmt])
    )
    if fallback:
        src = next((r for r in fallback if r.width >= FALLBACK_WIDTH), fallback[-1]).url
        largest = fallback[-1].url
    else:
        src = largest = full
    known = bool(width and height)
    return Picture(
        src=src,
        srcset=_srcset(fallback),
        width=width if known and width else DEFAULT_SIZE,
        height=height if known and height else DEFAULT_SIZE,
        known_size=known,
        sources=sources,
        renditions=found,
        full_url=full,
        thumbnail_src=media_url(thumbnail) or src,
        largest_url=largest,
    )


def _srcset(rows: list[RenditionInfo]) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in rows)


def _first_image(column: Any) -> Subquery:
    return Subquery(
        ProductImage.objects.filter(product_id=OuterRef("product_id"))
        .order_by("position", "id")
        .values(column=column)[:1]
    )


# The first image of the row's product, read in the row's statement. `thumb`: its thumbnail,
# or the image without one; then its size and renditions. Annotate a queryset with
# `**PRODUCT_COVER` and build the picture with `cover_picture(row)`.
PRODUCT_THUMBNAIL = _first_image(
    Coalesce(NullIf(F("thumbnail"), Value("")), F("image"), output_field=CharField())
)
PRODUCT_COVER = {
    "cover_width": _first_image(F("width")),
    "cover_height": _first_image(F("height")),
    "cover_renditions": _first_image(F("renditions")),
}


def cover_picture(row: Mapping[str, Any] | Any, thumb: str | None) -> Picture | None:
    """The picture of a row annotated with `PRODUCT_COVER` (a `.values()` dict or a model
    instance), `thumb` being its PRODUCT_THUMBNAIL."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name, None)
    return picture_of(
        image=thumb,
        width=get("cover_width"),
        height=get("cover_height"),
        renditions=get("cover_renditions"),
    )


def product_cover_pictures(*, product_ids: Iterable[int]) -> dict[int, Picture]:
    """The picture of the first image of each product (none for a product without image):
    one query, for short lists such as a cart's lines."""
    ids = set(product_ids)
    covers: dict[int, Picture] = {}
    if not ids:
        return covers
    rows = (
        ProductImage.objects.filter(product_id__in=ids)
        .order_by("product_id", "position", "id")
        .values("product_id", "image", "thumbnail", "width", "height", "renditions")
    )
    for row in rows:
        if row["product_id"] in covers:
            continue
        picture = picture_of(
            image=row["image"],
            thumbnail=row["thumbnail"],
            width=row["width"],
            height=row["height"],
            renditions=row["renditions"],
        )
        if picture is not None:
            covers[row["product_id"]] = picture
    return covers
