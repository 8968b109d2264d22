"""Back-office writes that must go through the services: deletions (price_from refreshed,
refusals shown), a refusal while saving inlines (everything rolled back, uploads removed,
the page shown again), translations, and the category tree cache."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from comptoir.catalog import services
from comptoir.catalog.models import (
    Attribute,
    AttributeTranslation,
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from comptoir.catalog.selectors.categories import category_tree_version
from comptoir.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_admin import management, png, product_post
from comptoir.channels.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_variant_deletes_in_the_admin_refresh_price_from(staff: Client) -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    variants = [ProductVariantFactory.create(product=product, position=i) for i in range(4)]
    for variant, amount in zip(variants, ("10.00", "20.00", "30.00", "40.00"), strict=True):
        services.variant_price_set(variant=variant, channel=channel, amount=Decimal(amount))
    listing = services.product_publish(product=product, channel=channel)
    assert listing.price_from == Decimal("10.00")

    page = staff.post(
        reverse("admin:catalog_productvariant_delete", args=[variants[0].pk]), {"post": "yes"}
    )
    listing.refresh_from_db()
    assert page.status_code == 302
    assert listing.price_from == Decimal("20.00")

    bulk = staff.post(
        reverse("admin:catalog_productvariant_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [variants[1].pk, variants[2].pk],
            "post": "yes",
        },
    )
    listing.refresh_from_db()
    assert bulk.status_code == 302
    assert listing.price_from == Decimal("40.00")
    assert list(product.variants.values_list("pk", flat=True)) == [variants[3].pk]


def test_single_variant_type_refuses_a_second_variant_row(staff: Client) -> None:
    single = ProductTypeFactory.create(slug="simple", has_variants=False)
    data = product_post(
        single,
        CategoryFactory.create(),
        variants=[{"sku": "ONE", "position": 0}, {"sku": "TWO", "position": 1}],
    )

    response = staff.post(reverse("admin:catalog_product_add"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "single variant" in response.content.decode()
    assert (Product.objects.count(), ProductVariant.objects.count()) == (0, 0)


def test_a_refusal_while_saving_inlines_rolls_everything_back(
    staff: Client, media_root: Path
) -> None:
    channel = ChannelFactory.create()
    data = product_post(
        ProductTypeFactory.create(),
        CategoryFactory.create(),
        variants=[{"sku": "PVS-18", "position": 0}],
        images=[{"upload": SimpleUploadedFile("drill.png", png()), "position": 0}],
        channel_listings=[
            {
                "channel": channel.pk,
                "is_published": "on",
                "published_at_0": "1969-07-20",  # refused by product_listing_set
                "published_at_1": "22:56:00",
            }
        ],
    )

    response = staff.post(reverse("admin:catalog_product_add"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "from 1970 to 9999" in response.content.decode()
    assert response.context["adminform"].form.data["name"] == data["name"]  # kept as posted
    assert (Product.objects.count(), ProductVariant.objects.count()) == (0, 0)
    assert ProductImage.objects.count() == 0
    assert [p for p in media_root.rglob("*") if p.is_file()] == []  # the upload was removed


def test_attribute_translations_are_deleted_through_the_service(staff: Client) -> None:
    colour = services.attribute_create(name="Couleur", kind="text", name_en="Colour")
    url = reverse("admin:catalog_attribute_change", args=[colour.pk])
    translation = colour.translations.get()
    data = {
        "name": "Couleur",
        "unit": "",
        "filterable": "on",
        **management(
            "translations",
            [{"id": translation.pk, "attribute": colour.pk, "language": "en", "name": "Colour"}],
            initial=1,
        ),
        **management("choices", []),
    }

    data["translations-0-language"] = "fr"  # a row moved to another language
    moved = staff.post(url, data)
    assert moved.status_code == 302
    assert list(AttributeTranslation.objects.values_list("language", "name")) == [("fr", "Colour")]

    data["translations-0-DELETE"] = "on"
    data["translations-0-id"] = AttributeTranslation.objects.get().pk
    deleted = staff.post(url, data)

    assert deleted.status_code == 302
    assert not AttributeTranslation.objects.exists()


def test_refused_deletions_change_nothing_and_say_why(staff: Client) -> None:
    used = AttributeFactory.create(slug="utilise")
    ProductTypeFactory.create().product_attributes.add(used)
    free = AttributeFactory.create(slug="libre")

    page = staff.post(
        reverse("admin:catalog_attribute_delete", args=[used.pk]),
        {"post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    bulk = staff.post(
        reverse("admin:catalog_attribute_changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, used.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    for response in (page, bulk):
        assert response.status_code == 200
        assert "used by product types or products" in response.content.decode()
    assert set(Attribute.objects.values_list("slug", flat=True)) == {"utilise", "libre"}
    assert used.product_types.count() == 1


def test_category_deleted_in_the_admin_makes_the_cached_tree_stale(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    garden = services.category_create(name="Jardin")
    services.category_translation_set(category=garden, language="en", name="Garden")
    start = category_tree_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:catalog_category_delete", args=[garden.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Category.objects.exists()
    assert category_tree_version() != start
