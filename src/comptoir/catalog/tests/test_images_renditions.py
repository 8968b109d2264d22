"""Responsive renditions: made on upload in AVIF, WebP and a JPEG/PNG fallback at a few
widths, never enlarged, their files removed with their image, rebuilt by
`comptoir image_renditions`, and read as pictures for pages and the API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from PIL import Image

from comptoir.catalog import services
from comptoir.catalog.images import rendition_widths
from comptoir.catalog.models import ProductImage
from comptoir.catalog.selectors.pictures import picture_of, product_cover_pictures
from comptoir.catalog.tests.factories import ProductFactory
from comptoir.catalog.tests.test_services_media import picture, stored_files

pytestmark = pytest.mark.django_db

EXTENSIONS = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}


def rows(image: ProductImage) -> list[tuple[str, int, int]]:
    return [(r["format"], r["width"], r["height"]) for r in image.renditions]


def opened(media_root: Path, name: str) -> tuple[str | None, str, tuple[int, int]]:
    with Image.open(media_root / name) as file:
        return file.format, file.mode, file.size


def exif_rotated_jpeg(size: tuple[int, int]) -> bytes:
    """A JPEG stored `size` wide and high whose EXIF says: turn it 90 degrees to show it."""
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (2000, [320, 640, 960, 1280]),
        (1280, [320, 640, 960, 1280]),
        (700, [320, 640, 700]),
        (320, [320]),
        (200, [200]),
    ],
)
def test_rendition_widths_never_exceed_the_original(width: int, widths: list[int]) -> None:
    assert rendition_widths(width) == widths


def test_a_jpeg_gets_avif_webp_and_jpeg_renditions_at_each_width(media_root: Path) -> None:
    product = ProductFactory.create(slug="perceuse")

    image = services.image_add(
        product=product, file=picture((2000, 1500), fmt="JPEG"), filename="face.jpg"
    )

    assert (image.width, image.height) == (2000, 1500)
    assert rows(image) == [
        (fmt, w, h)
        for w, h in ((320, 240), (640, 480), (960, 720), (1280, 960))
        for fmt in ("avif", "webp", "jpeg")
    ]
    for r in image.renditions:
        assert opened(media_root, r["name"]) == (
            EXTENSIONS[r["format"]],
            "RGB",
            (r["width"], r["height"]),
        )
    assert image.renditions[0]["name"] == "products/perceuse/face-320w.avif"
    image.refresh_from_db()
    assert len(image.renditions) == 12  # stored with the row


def test_a_transparent_png_keeps_its_alpha_and_falls_back_to_png(media_root: Path) -> None:
    image = services.image_add(
        product=ProductFactory.create(), file=picture((700, 350), mode="RGBA"), filename="l.png"
    )

    assert rows(image) == [
        (fmt, w, h)
        for w, h in ((320, 160), (640, 320), (700, 350))
        for fmt in ("avif", "webp", "png")
    ]
    for r in image.renditions:
        fmt, mode, size = opened(media_root, r["name"])
        assert (fmt, size) == (EXTENSIONS[r["format"]], (r["width"], r["height"]))
        assert mode == "RGBA"


def test_a_small_webp_is_never_enlarged(media_root: Path) -> None:
    image = services.image_add(
        product=ProductFactory.create(), file=picture((300, 200), fmt="WEBP"), filename="p.webp"
    )

    assert rows(image) == [("avif", 300, 200), ("webp", 300, 200), ("jpeg", 300, 200)]
    assert max(opened(media_root, r["name"])[2][0] for r in image.renditions) == 300


def test_an_opaque_alpha_channel_falls_back_to_jpeg() -> None:
    opaque = Image.new("RGBA", (400, 400), (200, 80, 40, 255))
    out = io.BytesIO()
    opaque.save(out, format="PNG")

    image = services.image_add(product=ProductFactory.create(), file=out.getvalue())

    assert {r["format"] for r in image.renditions} == {"avif", "webp", "jpeg"}


def test_the_size_follows_the_exif_orientation(media_root: Path) -> None:
    image = services.image_add(
        product=ProductFactory.create(), file=exif_rotated_jpeg((600, 300)), filename="r.jpg"
    )

    assert (image.width, image.height) == (300, 600)
    assert rows(image)[-1] == ("jpeg", 300, 600)
    assert opened(media_root, image.renditions[-1]["name"])[2] == (300, 600)


def test_renditions_go_with_their_image(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    product = ProductFactory.create(slug="scie")
    image = services.image_add(product=product, file=picture((800, 600)), filename="a.png")
    kept = services.image_add(product=product, file=picture((500, 500)), filename="b.png")
    assert len(stored_files(media_root)) == (2 + 9) + (2 + 6)

    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=image)

    assert not any(name.startswith("products/scie/a") for name in stored_files(media_root))
    assert len(stored_files(media_root)) == 8
    assert ProductImage.objects.get() == kept

    with django_capture_on_commit_callbacks(execute=True):
        services.product_delete(product=product)

    assert stored_files(media_root) == []


def test_renditions_of_a_rolled_back_upload_are_deleted(media_root: Path) -> None:
    product = ProductFactory.create()

    def store_then_fail() -> None:
        with transaction.atomic():
            services.image_add(product=product, file=picture((700, 400)), filename="a.png")
            assert len(stored_files(media_root)) == 2 + 9
            raise RuntimeError

    with pytest.raises(RuntimeError):
        store_then_fail()

    assert stored_files(media_root) == []


def _as_before_renditions(image: ProductImage, media_root: Path) -> None:
    """Make `image` look like one stored before renditions existed."""
    for r in image.renditions:
        (media_root / r["name"]).unlink()
    ProductImage.objects.filter(pk=image.pk).update(renditions=[], width=None, height=None)


def test_the_command_builds_missing_renditions_and_rebuilds_on_demand(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    product = ProductFactory.create(slug="lampe")
    old = services.image_add(product=product, file=picture((1000, 500)), filename="old.png")
    new = services.image_add(product=product, file=picture((400, 400)), filename="new.png")
    _as_before_renditions(old, media_root)
    untouched = sorted(r["name"] for r in new.renditions)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("image_renditions", "--missing", stdout=out)

    assert out.getvalue() == "Renditions built for 1 images.\n"
    old.refresh_from_db()
    assert (old.width, old.height) == (1000, 500)
    assert [(r["format"], r["width"]) for r in old.renditions][-3:] == [
        ("avif", 1000),
        ("webp", 1000),
        ("jpeg", 1000),
    ]
    assert all((media_root / r["name"]).is_file() for r in old.renditions)
    new.refresh_from_db()
    assert sorted(r["name"] for r in new.renditions) == untouched

    # Rebuilding everything replaces the files: no rendition file is left behind.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("image_renditions", "--product", "lampe", stdout=io.StringIO())

    names = {r["name"] for image in ProductImage.objects.all() for r in image.renditions}
    originals = {
        f"products/lampe/{stem}{end}" for stem in ("old", "new") for end in (".png", "-thumb.webp")
    }
    files = set(stored_files(media_root)) - originals
    assert files == names
    assert len(names) == 12 + 6


def test_the_command_reports_unreadable_images_and_builds_the_others(media_root: Path) -> None:
    product = ProductFactory.create(slug="lampe")
    lost = services.image_add(product=product, file=picture((500, 500)), filename="lost.png")
    fine = services.image_add(product=product, file=picture((500, 500)), filename="fine.png")
    _as_before_renditions(lost, media_root)
    _as_before_renditions(fine, media_root)
    (media_root / "products/lampe/lost.png").unlink()
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 images could not be read"):
        call_command("image_renditions", "--missing", stdout=io.StringIO(), stderr=err)

    assert f"Image {lost.pk}" in err.getvalue()
    fine.refresh_from_db()
    assert len(fine.renditions) == 6


# --- pictures -----------------------------------------------------------------------------


def test_picture_groups_renditions_per_format(settings: Any) -> None:
    settings.MEDIA_URL = "/media/"
    renditions = [
        {"format": f, "width": w, "height": w // 2, "name": f"p/a-{w}w.{f}"}
        for w in (320, 640, 960)
        for f in ("avif", "webp", "jpeg")
    ]

    found = picture_of(
        image="p/a.jpg", thumbnail="p/a-t.webp", width=960, height=480, renditions=renditions
    )

    assert found is not None
    assert [(s.mime, s.srcset) for s in found.sources] == [
        (
            "image/avif",
            "/media/p/a-320w.avif 320w, /media/p/a-640w.avif 640w, /media/p/a-960w.avif 960w",
        ),
        (
            "image/webp",
            "/media/p/a-320w.webp 320w, /media/p/a-640w.webp 640w, /media/p/a-960w.webp 960w",
        ),
    ]
    assert (
        found.srcset
        == "/media/p/a-320w.jpeg 320w, /media/p/a-640w.jpeg 640w, /media/p/a-960w.jpeg 960w"
    )
    assert (found.src, found.largest_url, found.full_url) == (
        "/media/p/a-640w.jpeg",
        "/media/p/a-960w.jpeg",
        "/media/p/a.jpg",
    )
    assert (found.width, found.height, found.known_size) == (960, 480, True)


def test_an_image_without_renditions_still_has_a_picture(settings: Any) -> None:
    settings.MEDIA_URL = "/media/"

    found = picture_of(image="p/a.jpg", thumbnail="p/a-t.webp", renditions=[])

    assert found is not None
    assert (found.src, found.srcset, found.sources, found.thumbnail_src) == (
        "/media/p/a.jpg",
        "",
        (),
        "/media/p/a-t.webp",
    )
    assert (found.width, found.height, found.known_size) == (800, 800, False)
    assert picture_of(image="", thumbnail="") is None


def test_cover_pictures_take_each_products_first_image_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    first, second, bare = ProductFactory.create_batch(3)
    ProductImage.objects.create(product=first, image="p/2.jpg", position=2)
    ProductImage.objects.create(product=first, image="p/1.jpg", position=1, width=10, height=5)
    ProductImage.objects.create(product=second, image="p/3.jpg")

    with django_assert_num_queries(1):
        covers = product_cover_pictures(product_ids=[first.pk, second.pk, bare.pk])

    assert {pk: (c.full_url, c.width) for pk, c in covers.items()} == {
        first.pk: ("/media/p/1.jpg", 10),
        second.pk: ("/media/p/3.jpg", 800),
    }
