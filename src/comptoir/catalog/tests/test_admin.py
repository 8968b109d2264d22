"""Back-office: pages render for staff with a query count that does not grow with rows,
saves go through the services (sanitised HTML, price_from, thumbnails), actions publish."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog import services
from comptoir.catalog.models import (
    AttributeChoice,
    AttributeKind,
    Category,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductVariant,
)
from comptoir.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory

pytestmark = pytest.mark.django_db

PRODUCT_INLINES = (
    "translations",
    "attribute_values",
    "variants",
    "images",
    "documents",
    "channel_listings",
)


def png(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def management(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def product_post(
    product_type: Any, category: Any, **inlines: list[dict[str, Any]]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Perceuse-visseuse 18 V",
        "slug": "perceuse-visseuse-18-v",
        "product_type": product_type.pk,
        "category": category.pk,
        "brand": "Voltis",
        "description": '<p onclick="x()">Puissante<script>alert(1)</script></p>',
        "seo_title": "",
        "seo_description": "",
        "external_ref": "",
        "metadata": "{}",
    }
    for prefix in PRODUCT_INLINES:
        data.update(management(prefix, inlines.get(prefix, [])))
    return data


def stocked_product(channel: Channel, *, variants: int) -> Product:
    product = ProductFactory.create(product_type=ProductTypeFactory.create())
    for index in range(variants):
        variant = ProductVariantFactory.create(product=product, position=index)
        services.variant_price_set(variant=variant, channel=channel, amount=Decimal(10 + index))
        services.image_add(product=product, file=png((40, 40)), filename=f"i{index}.png")
    services.product_translation_set(product=product, language="en", name="Drill")
    services.product_publish(product=product, channel=channel)
    return product


def count_queries(client: Client, url: str) -> int:
    """The statements of a second GET of `url`: the first one fills the process's caches
    (content types, permissions), which would otherwise count for whichever page of the
    test runs first and make the result depend on which tests ran before."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    [
        "catalog_product",
        "catalog_productvariant",
        "catalog_category",
        "catalog_attribute",
        "catalog_producttype",
        "channels_channel",
    ],
)
def test_changelist_and_add_pages_render_for_staff(staff: Client, name: str) -> None:
    stocked_product(ChannelFactory.create(), variants=2)

    assert staff.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert staff.get(reverse(f"admin:{name}_add")).status_code == 200
    assert staff.get(reverse(f"admin:{name}_changelist"), {"q": "SKU"}).status_code == 200


def test_change_pages_render(staff: Client) -> None:
    channel = ChannelFactory.create()
    product = stocked_product(channel, variants=2)
    variant = product.variants.first()
    assert variant is not None

    for url in (
        reverse("admin:catalog_product_change", args=[product.pk]),
        reverse("admin:catalog_productvariant_change", args=[variant.pk]),
        reverse("admin:catalog_category_change", args=[product.category_id]),
        reverse("admin:catalog_producttype_change", args=[product.product_type_id]),
        reverse("admin:channels_channel_change", args=[channel.pk]),
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
    page = staff.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
    assert "-thumb" in page
    assert ".webp" in page


def test_product_changelist_queries_do_not_grow_with_rows(staff: Client) -> None:
    channel = ChannelFactory.create()
    url = reverse("admin:catalog_product_changelist")
    for _ in range(2):
        stocked_product(channel, variants=2)
    few = count_queries(staff, url)

    for _ in range(6):
        stocked_product(channel, variants=3)
    many = count_queries(staff, url)

    assert many == few
    assert few <= 16


def test_product_change_page_queries_do_not_grow_with_variants(staff: Client) -> None:
    channel = ChannelFactory.create()
    small = stocked_product(channel, variants=1)
    large = stocked_product(channel, variants=6)

    one = count_queries(staff, reverse("admin:catalog_product_change", args=[small.pk]))
    six = count_queries(staff, reverse("admin:catalog_product_change", args=[large.pk]))

    assert six == one


def test_other_changelists_do_not_grow_with_rows(staff: Client) -> None:
    channel = ChannelFactory.create()
    stocked_product(channel, variants=2)
    urls = [
        reverse("admin:catalog_productvariant_changelist"),
        reverse("admin:catalog_category_changelist"),
    ]
    before = [count_queries(staff, url) for url in urls]

    for _ in range(4):
        stocked_product(channel, variants=3)

    assert [count_queries(staff, url) for url in urls] == before


def test_anonymous_and_customers_are_sent_to_the_login_page(client: Client) -> None:
    url = reverse("admin:catalog_product_changelist")

    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

    client.force_login(UserFactory.create())
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_the_permission_is_refused(client: Client) -> None:
    user = UserFactory.create(is_staff=True)
    client.force_login(user)
    url = reverse("admin:catalog_product_changelist")

    assert client.get(url).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_product"))
    assert client.get(url).status_code == 200
    response = client.post(reverse("admin:catalog_product_add"), {})
    assert response.status_code == 403
    assert Product.objects.count() == 0


def test_admin_add_product_sanitises_html_and_creates_variant_and_thumbnail(
    staff: Client,
) -> None:
    product_type, category = ProductTypeFactory.create(), CategoryFactory.create()
    channel = ChannelFactory.create()
    data = product_post(
        product_type,
        category,
        translations=[
            {"language": "en", "name": "Drill", "description": "<b>ok</b><script>x</script>"}
        ],
        variants=[{"sku": "PVS-18", "gtin": "4006381333931", "name": "Nue", "position": 0}],
        images=[
            {"upload": SimpleUploadedFile("drill.png", png()), "alt": "Perceuse", "position": 0}
        ],
        channel_listings=[{"channel": channel.pk, "is_published": "on"}],
    )

    response = staff.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    product = Product.objects.get()
    assert product.description == "<p>Puissante</p>"
    assert product.translations.get().description == "<b>ok</b>"
    assert product.variants.get().sku == "PVS-18"
    image = ProductImage.objects.get()
    with Image.open(image.thumbnail.path) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (400, 300))
    listing = ProductChannelListing.objects.get()
    assert listing.is_published
    assert listing.published_at is not None


def test_admin_change_product_sanitises_html(staff: Client) -> None:
    product = ProductFactory.create()
    data = product_post(product.product_type, product.category)
    data.update(name=product.name, slug=product.slug, description='<a href="javascript:x">x</a>')

    response = staff.post(reverse("admin:catalog_product_change", args=[product.pk]), data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.description == '<a rel="noopener noreferrer nofollow">x</a>'


@pytest.mark.parametrize(
    ("inline", "row", "message"),
    [
        ("variants", {"sku": "A-1", "gtin": "4006381333932", "position": 0}, "GTIN"),
        ("variants", {"sku": "A 1", "position": 0}, "SKU"),
        (
            "images",
            {"upload": SimpleUploadedFile("x.png", b"not an image"), "position": 0},
            "image",
        ),
        ("images", {"alt": "sans fichier", "position": 0}, "Choose an image file"),
        (
            "documents",
            {
                "kind": "technical_sheet",
                "title": "Fiche",
                "language": "fr",
                "upload": SimpleUploadedFile("f.pdf", b"nope"),
                "position": 0,
            },
            "PDF",
        ),
    ],
)
def test_admin_refuses_bad_inline_rows_and_saves_nothing(
    staff: Client, inline: str, row: dict[str, Any], message: str
) -> None:
    data = product_post(ProductTypeFactory.create(), CategoryFactory.create(), **{inline: [row]})

    response = staff.post(reverse("admin:catalog_product_add"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Product.objects.count() == 0
    assert ProductVariant.objects.count() == 0


def test_admin_attribute_values_are_typed(staff: Client) -> None:
    power = AttributeFactory.create(
        slug="puissance", name="Puissance", kind=AttributeKind.NUMBER, unit="W"
    )
    product_type = ProductTypeFactory.create()
    product_type.product_attributes.add(power)
    product = ProductFactory.create(product_type=product_type)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = product_post(
        product_type,
        product.category,
        attribute_values=[{"attribute": power.pk, "value": "beaucoup"}],
    )
    data.update(name=product.name, slug=product.slug)

    refused = staff.post(url, data)
    data["attribute_values-0-value"] = "1 500,5"
    accepted = staff.post(url, data)

    assert refused.status_code == 200
    assert accepted.status_code == 302
    assert product.attribute_values.get().value_number == Decimal("1500.5")


def test_variant_admin_prices_refresh_price_from(staff: Client) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.product_publish(product=variant.product, channel=channel)
    url = reverse("admin:catalog_productvariant_change", args=[variant.pk])
    data: dict[str, Any] = {
        "sku": variant.sku,
        "gtin": "",
        "name": "Standard",
        "name_en": "",
        "position": 0,
        "weight_grams": 1200,
        "length_mm": "",
        "width_mm": "",
        "height_mm": "",
        "external_ref": "",
        "metadata": "{}",
        **management("channel_prices", [{"channel": channel.pk, "amount": "19.999"}]),
        **management("attribute_values", []),
    }

    refused = staff.post(url, data)
    data["channel_prices-0-amount"] = "19.90"
    accepted = staff.post(url, data)

    assert refused.status_code == 200
    assert accepted.status_code == 302
    assert ProductChannelListing.objects.get().price_from == Decimal("19.90")
    variant.refresh_from_db()
    assert variant.weight_grams == 1200


def test_publish_and_unpublish_actions_use_the_chosen_channel(staff: Client) -> None:
    b2c, b2b = ChannelFactory.create(), B2BChannelFactory.create()
    products = [ProductFactory.create(), ProductFactory.create()]
    url = reverse("admin:catalog_product_changelist")
    selected = [p.pk for p in products]

    staff.post(url, {"action": "publish_in_channel", "_selected_action": selected, "channel": ""})
    assert ProductChannelListing.objects.count() == 0

    staff.post(
        url, {"action": "publish_in_channel", "_selected_action": selected, "channel": b2b.pk}
    )
    assert set(ProductChannelListing.objects.values_list("channel__code", "is_published")) == {
        ("comptoir-pro", True)
    }
    staff.post(
        url,
        {"action": "unpublish_from_channel", "_selected_action": selected[:1], "channel": b2b.pk},
    )
    assert sorted(ProductChannelListing.objects.values_list("is_published", flat=True)) == [
        False,
        True,
    ]
    assert b2c.product_listings.count() == 0


def test_category_admin_refuses_a_cycle(staff: Client) -> None:
    top = services.category_create(name="Cuisine")
    child = services.category_create(name="Ustensiles", parent=top)
    data = {
        "name": "Cuisine",
        "slug": "cuisine",
        "parent": child.pk,
        "description": "",
        "position": 0,
        "is_active": "on",
        "seo_title": "",
        "seo_description": "",
        "external_ref": "",
        "metadata": "{}",
        **management("translations", []),
    }

    response = staff.post(reverse("admin:catalog_category_change", args=[top.pk]), data)

    assert response.status_code == 200
    assert "subcategories" in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None
    assert Category.objects.count() == 2


def test_channel_admin_creates_through_the_service(staff: Client) -> None:
    data = {
        "name": "Boutique Belgique",
        "code": "boutique-belgique",
        "currency": "eur",
        "default_language": "fr",
        "languages": ["fr", "en"],
        "price_display": "gross",
        "default_country": "BE",
        "is_active": "on",
    }

    bad = staff.post(reverse("admin:channels_channel_add"), {**data, "currency": "EUROS"})
    good = staff.post(reverse("admin:channels_channel_add"), data)

    assert bad.status_code == 200
    assert good.status_code == 302
    channel = Channel.objects.get()
    assert (channel.currency, channel.languages, str(channel.default_country)) == (
        "EUR",
        ["fr", "en"],
        "BE",
    )


def product_with_values(count: int) -> Product:
    """A product whose type has `count` text attributes, each with a value."""
    product_type = ProductTypeFactory.create(slug=f"type-{count}")
    product = ProductFactory.create(product_type=product_type)
    variant = ProductVariantFactory.create(product=product)
    size = AttributeFactory.create(kind=AttributeKind.CHOICE)
    product_type.variant_attributes.add(size)
    for index in range(count):
        attribute = AttributeFactory.create()
        product_type.product_attributes.add(attribute)
        services.product_attribute_set(product=product, attribute=attribute, value=f"v{index}")
        choice = AttributeChoice.objects.create(attribute=size, slug=f"t{index}", value=f"T{index}")
        if index == 0:
            services.variant_attribute_set(variant=variant, attribute=size, value=choice)
    return product


def test_change_pages_queries_do_not_grow_with_attribute_values(staff: Client) -> None:
    one, five = product_with_values(1), product_with_values(5)
    for extra in range(1, 5):  # four more variant values on the larger product's variant
        attribute = AttributeFactory.create(kind=AttributeKind.BOOLEAN)
        five.product_type.variant_attributes.add(attribute)
        services.variant_attribute_set(
            variant=five.variants.get(), attribute=attribute, value=bool(extra % 2)
        )

    counts = [
        count_queries(staff, reverse("admin:catalog_product_change", args=[p.pk]))
        for p in (one, five)
    ]
    variant_counts = [
        count_queries(
            staff, reverse("admin:catalog_productvariant_change", args=[p.variants.get().pk])
        )
        for p in (one, five)
    ]

    assert five.attribute_values.count() == 5
    assert counts[1] == counts[0]
    assert variant_counts[1] == variant_counts[0]


def category_chain(depth: int, prefix: str) -> Category:
    node = None
    for level in range(depth):
        node = CategoryFactory.create(slug=f"{prefix}-{level}", parent=node)
    assert node is not None
    return node


def test_category_changelist_queries_do_not_grow_with_deep_categories(staff: Client) -> None:
    url = reverse("admin:catalog_category_changelist")
    category_chain(4, "a")
    few = count_queries(staff, url)

    for prefix in ("b", "c", "d"):
        category_chain(4, prefix)
    category_chain(3, "e")
    many = count_queries(staff, url)
    page = staff.get(url).content.decode()

    assert many == few
    # The fourth level shows its two parents and an ellipsis for the rest.
    assert "… \u203a Catégorie" in page
