"""Variant services (SKU, GTIN, measures), base prices with the denormalised `price_from`,
and publication in channels."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.catalog import services
from comptoir.catalog.models import (
    ProductChannelListing,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.catalog.tests.factories import (
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from comptoir.catalog.tests.test_services import raises
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


# Variants ----------------------------------------------------------------------------------


def test_variant_create_normalises_the_gtin_and_positions() -> None:
    product = ProductFactory.create()

    first = services.variant_create(product=product, sku="PVS-18", gtin="4006381-333931")
    second = services.variant_create(
        product=product, sku="PVS-18-2", weight_grams=1500, length_mm=0, gtin="73513537"
    )

    assert (first.gtin, first.position) == ("4006381333931", 0)
    assert (second.gtin, second.position, second.weight_grams) == ("73513537", 1, 1500)


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"gtin": "4006381333932"}, InvalidInput, "GTIN_INVALID"),
        ({"gtin": "12345"}, InvalidInput, "GTIN_INVALID"),
        ({"gtin": "400638133393A"}, InvalidInput, "GTIN_INVALID"),
        ({"sku": "TAKEN"}, Conflict, "SKU_TAKEN"),
        ({"sku": "with space"}, InvalidInput, "SKU_INVALID"),
        ({"sku": ""}, InvalidInput, "SKU_INVALID"),
        ({"weight_grams": -1}, InvalidInput, "DIMENSION_INVALID"),
        ({"height_mm": 1.5}, InvalidInput, "DIMENSION_INVALID"),
        ({"width_mm": True}, InvalidInput, "DIMENSION_INVALID"),
    ],
)
def test_variant_create_refusals(kwargs: dict[str, Any], error: Any, code: str) -> None:
    product = ProductFactory.create()
    ProductVariantFactory.create(sku="TAKEN")
    values = {"product": product, "sku": "NEW-1", **kwargs}

    with raises(error, code):
        services.variant_create(**values)

    assert ProductVariant.objects.count() == 1


def test_variant_update_refusal_leaves_the_variant_as_it_was() -> None:
    variant = ProductVariantFactory.create(sku="A-1", gtin="")
    ProductVariantFactory.create(sku="B-1")

    with raises(Conflict, "SKU_TAKEN"):
        services.variant_update(variant=variant, sku="B-1", name="Nouveau")
    with raises(InvalidInput, "GTIN_INVALID"):
        services.variant_update(variant=variant, gtin="4006381333932")
    with raises(InvalidInput, "DIMENSION_INVALID"):
        services.variant_update(variant=variant, weight_grams=-5)

    assert (variant.sku, variant.name, variant.gtin, variant.weight_grams) == (
        "A-1",
        "Standard",
        "",
        None,
    )
    services.variant_update(variant=variant, weight_grams=None, gtin=" 73513537 ")
    variant.refresh_from_db()
    assert variant.gtin == "73513537"


def test_single_variant_types_take_one_variant() -> None:
    product = ProductFactory.create(
        product_type=ProductTypeFactory.create(slug="simple", has_variants=False)
    )
    services.variant_create(product=product, sku="ONE")

    with raises(InvalidInput, "VARIANTS_NOT_ALLOWED"):
        services.variant_create(product=product, sku="TWO")

    assert product.variants.count() == 1


# Prices and publication --------------------------------------------------------------------


def test_variant_price_set_keeps_price_from_at_the_lowest_variant_price() -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    small = ProductVariantFactory.create(product=product)
    large = ProductVariantFactory.create(product=product)
    listing = services.product_publish(product=product, channel=channel)
    assert listing.price_from is None

    services.variant_price_set(variant=large, channel=channel, amount=Decimal("39.90"))
    services.variant_price_set(variant=small, channel=channel, amount=Decimal("24.90"))
    listing.refresh_from_db()
    assert listing.price_from == Decimal("24.90")

    services.variant_price_set(variant=small, channel=channel, amount=Decimal("44.90"))
    listing.refresh_from_db()
    assert listing.price_from == Decimal("39.90")

    services.variant_price_remove(variant=large, channel=channel)
    listing.refresh_from_db()
    assert listing.price_from == Decimal("44.90")

    services.variant_delete(variant=small)
    listing.refresh_from_db()
    assert listing.price_from is None


def test_prices_are_per_channel() -> None:
    b2c, b2b = ChannelFactory.create(), B2BChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.product_publish(product=variant.product, channel=b2c)
    services.product_publish(product=variant.product, channel=b2b)

    services.variant_price_set(variant=variant, channel=b2c, amount=Decimal("12.00"))
    services.variant_price_set(variant=variant, channel=b2b, amount=Decimal(8))

    assert dict(ProductChannelListing.objects.values_list("channel__code", "price_from")) == {
        "boutique-france": Decimal("12.00"),
        "comptoir-pro": Decimal("8.00"),
    }


@pytest.mark.parametrize(
    "amount", [Decimal("-0.01"), Decimal("1.999"), 19.9, "19.90", Decimal("Infinity"), True]
)
def test_variant_price_set_refuses_bad_amounts(amount: Any) -> None:
    channel = ChannelFactory.create()
    variant = ProductVariantFactory.create()
    services.variant_price_set(variant=variant, channel=channel, amount=Decimal("5.00"))

    with raises(InvalidInput, "PRICE_INVALID"):
        services.variant_price_set(variant=variant, channel=channel, amount=amount)

    assert VariantChannelPrice.objects.get().amount == Decimal("5.00")


def test_product_listing_refresh_prices_in_bulk_with_constant_queries() -> None:
    channel = ChannelFactory.create()
    products = [ProductFactory.create() for _ in range(6)]
    for index, product in enumerate(products):
        for extra in (0, 5):
            variant = ProductVariantFactory.create(product=product)
            VariantChannelPrice.objects.create(
                variant=variant, channel=channel, amount=Decimal(10 + index + extra)
            )
        ProductChannelListing.objects.create(product=product, channel=channel)

    with CaptureQueriesContext(connection) as queries:
        changed = services.product_listing_refresh_prices(
            product_ids=[p.pk for p in products], channel=channel
        )

    assert changed == 6
    assert len(queries) <= 5  # prices, listings, one bulk update, savepoint in/out
    assert list(
        ProductChannelListing.objects.order_by("product_id").values_list("price_from", flat=True)
    ) == [Decimal(10 + i) for i in range(6)]
    assert services.product_listing_refresh_prices(product_ids=[p.pk for p in products]) == 0


def test_publish_and_unpublish_keep_the_first_publication_date() -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    assert services.product_unpublish(product=product, channel=channel) is None

    first = services.product_publish(product=product, channel=channel)
    hidden = services.product_unpublish(product=product, channel=channel)
    again = services.product_publish(product=product, channel=channel)

    assert hidden is not None
    assert hidden.is_published is False
    assert again.is_published is True
    assert again.published_at == first.published_at
    assert ProductChannelListing.objects.count() == 1
    services.product_listing_delete(product=product, channel=channel)
    assert ProductChannelListing.objects.count() == 0


@pytest.mark.parametrize(
    "published_at",
    [
        datetime(2026, 5, 1, 10, 0),  # noqa: DTZ001 - naive on purpose: which time zone?
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),  # year 0 once in UTC
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 12, tzinfo=UTC),  # cannot be shown east of UTC
        datetime(9999, 12, 31, 20, tzinfo=timezone(timedelta(hours=-5))),  # year 10000
    ],
)
def test_publication_dates_out_of_range_are_refused(published_at: datetime) -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create()
    services.product_publish(product=product, channel=channel)
    listing = ProductChannelListing.objects.get()

    with raises(InvalidInput, "PUBLISHED_AT_INVALID"):
        services.product_listing_set(
            product=product, channel=channel, is_published=False, published_at=published_at
        )

    assert ProductChannelListing.objects.get().published_at == listing.published_at
    assert ProductChannelListing.objects.get().is_published is True


def test_publication_dates_are_stored_in_utc() -> None:
    channel = ChannelFactory.create()
    paris_summer = timezone(timedelta(hours=2))

    listing = services.product_publish(
        product=ProductFactory.create(),
        channel=channel,
        published_at=datetime(2026, 5, 1, 12, tzinfo=paris_summer),
    )

    listing.refresh_from_db()
    assert listing.published_at == datetime(2026, 5, 1, 10, tzinfo=UTC)


@pytest.mark.postgres
def test_price_writes_lock_the_listings_first_in_primary_key_order() -> None:
    b2c, b2b = ChannelFactory.create(), B2BChannelFactory.create()
    variant = ProductVariantFactory.create()
    for channel in (b2b, b2c):
        services.product_publish(product=variant.product, channel=channel)

    for write in (
        lambda: services.variant_price_set(variant=variant, channel=b2c, amount=Decimal(9)),
        lambda: services.variant_price_remove(variant=variant, channel=b2c),
        lambda: services.variant_delete(variant=variant),
    ):
        with CaptureQueriesContext(connection) as queries:
            write()
        statements = [
            q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]
        first = statements[0]
        assert first.startswith('SELECT "catalog_productchannellisting"'), first
        assert first.endswith('ORDER BY "catalog_productchannellisting"."id" ASC FOR UPDATE'), first
        assert f'"product_id" IN ({variant.product_id})' in first
