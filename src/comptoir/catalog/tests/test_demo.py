"""The demo store: `comptoir demo` loads a believable bilingual catalog, idempotently;
`comptoir demo_banner` prints where to go and how to log in."""

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Min
from django.test.utils import CaptureQueriesContext
from PIL import Image
from stdnum import ean

from comptoir.catalog.demo.build import catalog, consumer_price, pro_price, selection
from comptoir.catalog.demo.media import initials, pdf_sheet
from comptoir.catalog.models import (
    Attribute,
    Category,
    Product,
    ProductChannelListing,
    ProductDocument,
    ProductImage,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.channels.models import Channel


def demo(**options: Any) -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "channels": Channel.objects.count(),
        "users": get_user_model().objects.count(),
        "categories": Category.objects.count(),
        "attributes": Attribute.objects.count(),
        "products": Product.objects.count(),
        "variants": ProductVariant.objects.count(),
        "prices": VariantChannelPrice.objects.count(),
        "listings": ProductChannelListing.objects.count(),
        "images": ProductImage.objects.count(),
        "documents": ProductDocument.objects.count(),
    }


def assert_price_from_is_the_lowest_price() -> None:
    lowest = {
        (row["variant__product_id"], row["channel_id"]): row["lowest"]
        for row in VariantChannelPrice.objects.values("variant__product_id", "channel_id").annotate(
            lowest=Min("amount")
        )
    }
    for listing in ProductChannelListing.objects.all():
        assert listing.is_published
        assert listing.price_from == lowest[listing.product_id, listing.channel_id]


def test_the_catalog_tables_are_consistent() -> None:
    products = catalog()
    variants = [v for p in products for v in p.variants]

    assert len(products) >= 200
    assert len({p.slug for p in products}) == len(products)
    assert len({v.sku for v in variants}) == len(variants)
    assert len({v.gtin for v in variants}) == len(variants)
    assert all(len(v.gtin) == 13 and ean.is_valid(v.gtin) for v in variants)
    assert all(v.net < (v.gross or v.net * 2) for v in variants)  # Pro prices are lower
    assert all(p.name != p.name_en for p in products)
    assert len({p.top_category for p in products}) >= 8
    assert {p.top_category for p in selection(10)} == {p.top_category for p in products}


def test_price_rules() -> None:
    assert consumer_price(Decimal("28.98")) == Decimal("28.90")
    assert consumer_price(Decimal("6.37")) == Decimal("6.39")
    assert pro_price(Decimal("24.90")) == Decimal("17.64")  # 24.90 / 1.2 x 0.85
    assert initials("Perceuse-visseuse sans fil 18 V") == "PV"
    assert initials("Écumoire en inox 18/10") == "EI"


@pytest.mark.django_db
def test_small_demo_is_idempotent() -> None:
    first = demo(products=30)
    after_first = counts()

    with CaptureQueriesContext(connection) as queries:
        second = demo(products=30)

    assert counts() == after_first
    assert "30 products added" in first
    assert "0 products added, 30 already present" in second
    # A second run only looks things up (the catalog, then companies, lists, promotions,
    # warehouses, stock, shipping, Léa's past order, the demo reviews, the content pages,
    # the search index's two counts, the images still without renditions, and the B2B
    # demo's roles, billing accounts, orders, rule, quote and library).
    assert len(queries) <= 90
    assert after_first["channels"] == 2
    assert after_first["users"] == 5
    assert after_first["products"] == 30
    assert after_first["images"] == 30
    assert_price_from_is_the_lowest_price()


# The demo places Léa's past order through checkout, which calls the payment provider
# outside any transaction: this test cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_full_demo_store() -> None:
    demo(products=30)
    demo(verbosity=0)

    loaded = counts()
    assert loaded["products"] == len(catalog()) >= 200
    assert loaded["variants"] == sum(len(p.variants) for p in catalog())
    assert loaded["images"] == loaded["products"]
    assert loaded["listings"] == 2 * loaded["products"]
    tops = Category.objects.filter(parent=None).annotate(children_count=Count("children"))
    assert tops.count() >= 8
    assert all(top.children_count >= 2 for top in tops)
    assert Product.objects.filter(translations__language="en").count() == loaded["products"]
    assert_price_from_is_the_lowest_price()
    demo(verbosity=0)
    assert counts() == loaded

    b2c = Channel.objects.get(code="boutique-france")
    b2b = Channel.objects.get(code="comptoir-pro")
    assert (b2c.price_display, b2c.is_b2b, b2c.languages) == ("gross", False, ["fr", "en"])
    assert (b2b.price_display, b2b.is_b2b, b2b.default_language) == ("net", True, "fr")
    drill = Product.objects.get(slug="perceuse-visseuse-sans-fil-18-v")
    assert drill.translations.get(language="en").name == "18 V cordless drill driver"
    assert {a.attribute.slug for a in drill.attribute_values.select_related("attribute")} == {
        "tension",
        "sans-fil",
    }
    first = drill.variants.get(position=0)
    assert first.channel_prices.get(channel=b2c).amount == Decimal("99.90")
    assert first.channel_prices.get(channel=b2b).amount == Decimal("70.76")
    # Bulk packs are sold in the Pro channel only.
    bulk = ProductVariant.objects.get(
        name="40 mm, carton de 2 000", product__slug__contains="35-mm-acier-zingue"
    )
    assert list(bulk.channel_prices.values_list("channel__code", flat=True)) == ["comptoir-pro"]


@pytest.mark.django_db
def test_demo_media_are_real_files() -> None:
    demo(products=60)

    image = ProductImage.objects.select_related("product").first()
    assert image is not None
    with Image.open(image.image.path) as picture:
        assert (picture.format, picture.size) == ("JPEG", (600, 600))
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.width <= 400
    assert (image.width, image.height) == (600, 600)
    assert [(r["format"], r["width"]) for r in image.renditions] == [
        ("avif", 320),
        ("webp", 320),
        ("jpeg", 320),
        ("avif", 600),
        ("webp", 600),
        ("jpeg", 600),
    ]
    with Image.open(image.image.storage.path(image.renditions[0]["name"])) as rendition:
        assert (rendition.format, rendition.size) == ("AVIF", (320, 320))
    # A demo store loaded before renditions existed gets them on the next run.
    ProductImage.objects.filter(pk=image.pk).update(renditions=[], width=None, height=None)
    assert "renditions built for 1 earlier images" in demo(products=60)
    image.refresh_from_db()
    assert (image.width, len(image.renditions)) == (600, 6)
    assert Path(image.image.path).stat().st_size < 60_000
    kinds = set(ProductDocument.objects.values_list("kind", flat=True))
    assert {"technical_sheet", "safety_data_sheet", "certificate"} <= kinds
    sds = ProductDocument.objects.filter(kind="safety_data_sheet")
    assert set(sds.values_list("language", flat=True)) == {"fr", "en"}
    assert_valid_pdf(ProductDocument.objects.first().file.read())  # type: ignore[union-attr]
    model = Product.objects.exclude(model_3d="").first()
    assert model is not None
    assert model.model_3d.read()[:4] == b"glTF"


def assert_valid_pdf(data: bytes) -> None:
    """Every cross-reference entry points at its object, startxref at the table."""
    assert data.startswith(b"%PDF-1.4")
    assert data.rstrip().endswith(b"%%EOF")
    startxref = int(re.findall(rb"startxref\n(\d+)", data)[-1])
    assert data[startxref:].startswith(b"xref\n")
    entries = re.findall(rb"(\d{10}) 00000 n \n", data[startxref:])
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(f"{number} 0 obj".encode())


def test_pdf_sheet_is_well_formed() -> None:
    assert_valid_pdf(pdf_sheet("Fiche (test) \\ Ø", "Sous-titre", ["é", "\u00d7"], footer="pied"))


@pytest.mark.django_db
def test_demo_accounts_can_log_in() -> None:
    demo(products=1)
    user_model = get_user_model()

    admin = user_model.objects.get(email="admin@comptoir.test")
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password("comptoir-admin")
    for email in ("lea@example.fr", "acheteur@atelier-martin.fr", "direction@atelier-martin.fr"):
        user = user_model.objects.get(email=email)
        assert not user.is_staff
        assert user.check_password("comptoir-demo")


def test_demo_banner_prints_urls_and_accounts() -> None:
    out = io.StringIO()

    call_command("demo_banner", "--host", "192.168.1.20", "--port", "8123", stdout=out)

    text = out.getvalue()
    for path in ("/", "/admin/", "/api/v1/docs", "/api/v1/openapi.json", "/healthz"):
        assert f"http://192.168.1.20:8123{path}\n" in text
    for login in ("admin@comptoir.test", "comptoir-admin", "direction@atelier-martin.fr"):
        assert login in text
