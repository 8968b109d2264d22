"""`comptoir image_renditions`: (re)build the responsive renditions of product images (the
images stored before renditions existed, or all after a change of widths or formats)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.catalog.selectors.staff import images_for_renditions
from comptoir.catalog.services import image_renditions_refresh
from comptoir.core.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Build the AVIF, WebP and JPEG/PNG renditions of product images and record their "
        "size: every image, or with --missing those without renditions. Each image is "
        "rebuilt in its own transaction; previous rendition files are removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="Only images without renditions."
        )
        parser.add_argument(
            "--product", action="append", metavar="SLUG", help="Only this product (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        images = images_for_renditions(
            missing_only=options["missing"], product_slugs=options["product"]
        )
        built = 0
        failed: list[str] = []
        for image in images.iterator(chunk_size=200):
            try:
                image_renditions_refresh(image=image)
            except (InvalidInput, OSError) as exc:  # a missing or damaged file
                failed.append(image.image.name or str(image.pk))
                self.stderr.write(f"Image {image.pk} ({image.image.name}): {exc}")
                continue
            built += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"Image {image.pk}: {len(image.renditions)} renditions.")
        if options["verbosity"] >= 1:
            self.stdout.write(f"Renditions built for {built} images.")
        if failed:
            raise CommandError(f"{len(failed)} images could not be read: {', '.join(failed[:10])}")
