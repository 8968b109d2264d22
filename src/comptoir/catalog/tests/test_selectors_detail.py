"""Product detail: localized fields, media, documents, variants, what is not found."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from comptoir.catalog.models import (
    AttributeKind,
    Category,
    DocumentKind,
    ProductAttributeValue,
    ProductDocument,
    ProductImage,
    VariantAttributeValue,
)
from comptoir.catalog.selectors import product_detail
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTranslationFactory,
    ProductVariantFactory,
    published_product,
)
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.errors import NotFound
from comptoir.core.money import Money

pytestmark = pytest.mark.django_db

# --- product detail ---------------------------------------------------------------------


@pytest.fixture
def detailed(channel: Any, tree: dict[str, Any]) -> Any:
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        brand="Bosch",
        category=tree["outillage"],
        description='<p onclick="x()">Solide<script>alert(1)</script></p>',
        seo_title="Perceuse Bosch",
        model_3d="products/perceuse/3d/p.glb",
        variants=2,
    )
    ProductTranslationFactory(
        product=product, name="Drill", description="<p>Sturdy</p>", seo_title="Bosch drill"
    )
    weight: Any = AttributeFactory(slug="poids", name="Poids", kind=AttributeKind.NUMBER, unit="kg")
    weight.translations.create(language="en", name="Weight")
    cordless: Any = AttributeFactory(slug="sans-fil", name="Sans fil", kind=AttributeKind.BOOLEAN)
    color: Any = AttributeFactory(slug="couleur", name="Couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge", value="Rouge", value_en="Red")
    blue: Any = AttributeChoiceFactory(attribute=color, slug="bleu", value="Bleu")
    ProductAttributeValue.objects.create(
        product=product, attribute=weight, value_number=Decimal("2.5")
    )
    ProductAttributeValue.objects.create(product=product, attribute=cordless, value_boolean=True)
    first, second = product.variants.order_by("position")
    first.name, first.name_en, first.gtin, first.weight_grams = (
        "Rouge",
        "Red",
        "4006381333931",
        2500,
    )
    first.save()
    VariantAttributeValue.objects.create(variant=first, attribute=color, choice=red)
    VariantAttributeValue.objects.create(variant=second, attribute=color, choice=blue)
    unpriced: Any = ProductVariantFactory(product=product, position=5, sku="SANS-PRIX")
    ProductImage.objects.create(
        product=product, image="p/1.jpg", thumbnail="p/1-t.jpg", alt="Vue", alt_en="View"
    )
    ProductImage.objects.create(product=product, image="p/2.jpg", variant=second, position=1)
    ProductDocument.objects.create(
        product=product, kind=DocumentKind.SAFETY_DATA_SHEET, title="FDS", file="d/fds.pdf"
    )
    return {"product": product, "first": first, "second": second, "unpriced": unpriced}


def test_detail_in_french(channel: Any, detailed: dict[str, Any]) -> None:
    product = detailed["product"]

    detail = product_detail(channel=channel, language="fr", slug="perceuse")
    with translation.override("fr"):  # the message catalog decides the words
        french_label = str(DocumentKind.SAFETY_DATA_SHEET.label)

    assert (detail.id, detail.name, detail.brand) == (product.id, "Perceuse", "Bosch")
    assert detail.description == "<p>Solide</p>"
    assert (detail.seo_title, detail.product_type) == ("Perceuse Bosch", "outillage")
    assert (detail.category.slug, detail.category.name) == ("outillage", "Outillage")
    assert detail.price == Money(Decimal("19.90"), "EUR")
    assert [(a.slug, a.name, a.value, a.display) for a in detail.attributes] == [
        ("poids", "Poids", "2.5", "2,5 kg"),
        ("sans-fil", "Sans fil", "true", "Oui"),
    ]
    assert [(v.sku, v.name, v.price) for v in detail.variants] == [
        (detailed["first"].sku, "Rouge", Money(Decimal("19.90"), "EUR")),
        (detailed["second"].sku, "Standard", Money(Decimal("20.90"), "EUR")),
        ("SANS-PRIX", "Standard", None),
    ]
    first = detail.variants[0]
    assert (first.gtin, first.weight_grams, first.length_mm) == ("4006381333931", 2500, None)
    assert [(a.slug, a.value, a.display) for a in first.attributes] == [
        ("couleur", "rouge", "Rouge")
    ]
    assert [(i.url, i.thumbnail_url, i.alt, i.variant_id) for i in detail.images] == [
        ("/media/p/1.jpg", "/media/p/1-t.jpg", "Vue", None),
        ("/media/p/2.jpg", "/media/p/2.jpg", "", detailed["second"].id),
    ]
    assert [(d.kind, d.kind_label, d.title, d.language, d.url) for d in detail.documents] == [
        ("safety_data_sheet", french_label, "FDS", "fr", "/media/d/fds.pdf")
    ]
    assert (detail.model_3d_url, detail.model_3d_usdz_url) == (
        "/media/products/perceuse/3d/p.glb",
        None,
    )


def test_detail_in_english(channel: Any, detailed: dict[str, Any]) -> None:
    detail = product_detail(channel=channel, language="en", slug="perceuse")

    assert (detail.name, detail.description, detail.seo_title) == (
        "Drill",
        "<p>Sturdy</p>",
        "Bosch drill",
    )
    assert detail.category.name == "Tools"
    assert [(a.name, a.display) for a in detail.attributes] == [
        ("Weight", "2.5 kg"),
        ("Sans fil", "Yes"),
    ]
    assert [v.name for v in detail.variants] == ["Red", "Standard", "Standard"]
    assert [a.display for a in detail.variants[0].attributes] == ["Red"]
    assert [a.display for a in detail.variants[1].attributes] == ["Bleu"]  # no English label
    assert detail.images[0].alt == "View"
    assert detail.documents[0].kind_label == "Safety data sheet"


@pytest.mark.parametrize("variants", [1, 5])
def test_detail_queries_do_not_grow_with_variants(
    channel: Any, django_assert_num_queries: Any, variants: int
) -> None:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    product = published_product(channel=channel, slug="p", variants=variants)
    for variant in product.variants.all():
        choice: Any = AttributeChoiceFactory(attribute=color)
        VariantAttributeValue.objects.create(variant=variant, attribute=color, choice=choice)
        ProductImage.objects.create(product=product, variant=variant, image="p/x.jpg")
    CategoryFactory(slug="archive", is_active=False)

    with django_assert_num_queries(6):
        detail = product_detail(channel=channel, language="en", slug="p")
    assert len(detail.variants) == variants
    assert all(v.attributes and v.price for v in detail.variants)


def test_unpublished_or_unknown_product_is_not_found(channel: Any) -> None:
    hidden = published_product(channel=channel, slug="masque")
    hidden.channel_listings.update(is_published=False)
    future = published_product(channel=channel, slug="futur")
    future.channel_listings.update(published_at=timezone.now() + timedelta(hours=1))
    ProductFactory(slug="non-liste")
    published_product(channel=B2BChannelFactory(), slug="pro")

    for slug in ["masque", "futur", "non-liste", "pro", "inconnu", "", "a\x00b", "x" * 300]:
        with pytest.raises(NotFound) as exc:
            product_detail(channel=channel, language="fr", slug=slug)
        assert exc.value.code == "PRODUCT_NOT_FOUND"


@pytest.mark.parametrize("category", ["archive", "sous-archive"])
def test_product_of_a_hidden_category_is_not_found(
    channel: Any, tree: dict[str, Any], category: str
) -> None:
    published_product(channel=channel, slug="scie", category=tree["scies"])
    published_product(channel=channel, slug="rangee", category=Category.objects.get(slug=category))

    assert product_detail(channel=channel, language="fr", slug="scie").slug == "scie"
    with pytest.raises(NotFound) as exc:
        product_detail(channel=channel, language="fr", slug="rangee")
    assert exc.value.code == "PRODUCT_NOT_FOUND"


def test_detail_translation_falls_back_within_itself(channel: Any) -> None:
    # Given French SEO texts and an English translation with a name and a description
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        seo_title="Perceuse pas chère",
        seo_description="La meilleure perceuse",
    )
    ProductTranslationFactory(
        product=product, name="Drill", description="<p>A <em>sturdy</em> drill &amp; case</p>"
    )

    detail = product_detail(channel=channel, language="en", slug="perceuse")

    # then the SEO texts come from the English row: its name, an excerpt of its description
    assert (detail.name, detail.description) == (
        "Drill",
        "<p>A <em>sturdy</em> drill &amp; case</p>",
    )
    assert (detail.seo_title, detail.seo_description) == ("Drill", "A sturdy drill & case")


def test_detail_without_translation_uses_the_base_columns(channel: Any) -> None:
    published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        description="<p>Solide</p>",
        seo_title="Perceuse pas chère",
    )

    detail = product_detail(channel=channel, language="en", slug="perceuse")

    assert (detail.name, detail.description, detail.seo_title, detail.seo_description) == (
        "Perceuse",
        "<p>Solide</p>",
        "Perceuse pas chère",
        "",
    )
