"""Writes for variants (SKU, GTIN/EAN, measures), their base prices per channel, and the
publication of products in channels with the denormalised `price_from`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import batched
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumValidationError

from comptoir.catalog.locks import listings_for_update
from comptoir.catalog.models import (
    Product,
    ProductChannelListing,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.catalog.services._common import (
    UNSET,
    Unset,
    ensure_unique,
    given,
    in_use,
    product_changed,
    save_changes,
    text_checked,
    validate,
)
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.core.money import quantize

MEASURES = ("weight_grams", "length_mm", "width_mm", "height_mm")
MEASURE_MAX = 2_147_483_647  # PositiveIntegerField
PRICE_MAX = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
REFRESH_BATCH = 500
# Publication dates: from the epoch up to a day before the end of year 9999, so that the
# date can be shown in every time zone (Python and the admin stop at year 9999).
PUBLISHED_AT_MIN = datetime(1970, 1, 1, tzinfo=UTC)
PUBLISHED_AT_MAX = datetime(9999, 12, 31, tzinfo=UTC)


def gtin_normalize(value: str) -> str:
    """A GTIN/EAN (8, 12, 13 or 14 digits) without spaces or dashes, its check digit
    verified with python-stdnum; "" stays "". Raises InvalidInput(GTIN_INVALID)."""
    if not value or not value.strip():
        return ""
    try:
        return str(ean.validate(value))
    except StdnumValidationError as exc:
        message = f"Not a valid GTIN/EAN: {exc}"
        raise InvalidInput(message, code="GTIN_INVALID", errors={"gtin": [message]}) from None


def sku_normalize(value: str) -> str:
    sku = (value or "").strip()
    if not sku or len(sku) > 64 or any(c.isspace() for c in sku):
        message = "A SKU is 1 to 64 characters without spaces."
        raise InvalidInput(message, code="SKU_INVALID", errors={"sku": [message]})
    return sku


def measures_check(measures: dict[str, Any]) -> None:
    """Weights (g) and dimensions (mm) are whole numbers >= 0, or None.
    Raises InvalidInput(DIMENSION_INVALID) naming the fields."""
    errors = {
        field: ["Expected a whole number, zero or more."]
        for field, value in measures.items()
        if value is not None
        and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MEASURE_MAX)
    }
    if errors:
        raise InvalidInput(
            f"Invalid weight or dimensions: {', '.join(errors)}.",
            code="DIMENSION_INVALID",
            errors=errors,
        )


@text_checked
@transaction.atomic
def variant_create(
    *,
    product: Product,
    sku: str,
    gtin: str = "",
    name: str = "",
    name_en: str = "",
    position: int | None = None,
    weight_grams: int | None = None,
    length_mm: int | None = None,
    width_mm: int | None = None,
    height_mm: int | None = None,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> ProductVariant:
    """Add a variant. SKU unique (Conflict SKU_TAKEN), GTIN checked (GTIN_INVALID),
    weight and dimensions >= 0 (DIMENSION_INVALID). A product whose type has no variants
    takes exactly one (VARIANTS_NOT_ALLOWED)."""
    sku = sku_normalize(sku)
    gtin = gtin_normalize(gtin)
    measures_check(
        {
            "weight_grams": weight_grams,
            "length_mm": length_mm,
            "width_mm": width_mm,
            "height_mm": height_mm,
        }
    )
    ensure_unique(ProductVariant, field="sku", value=sku, code="SKU_TAKEN")
    ensure_unique(
        ProductVariant, field="external_ref", value=external_ref, code="EXTERNAL_REF_TAKEN"
    )
    if not product.product_type.has_variants and product.variants.exists():
        raise InvalidInput(
            "This product type has a single variant.",
            code="VARIANTS_NOT_ALLOWED",
            errors={"product": ["VARIANTS_NOT_ALLOWED"]},
        )
    if position is None:
        last = product.variants.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    variant = ProductVariant(
        product=product,
        sku=sku,
        gtin=gtin,
        name=name,
        name_en=name_en,
        position=position,
        weight_grams=weight_grams,
        length_mm=length_mm,
        width_mm=width_mm,
        height_mm=height_mm,
        external_ref=external_ref or None,
        metadata=metadata or {},
    )
    validate(variant)
    variant.save()
    product_changed(variant.product_id)
    return variant


@text_checked
@transaction.atomic
def variant_update(
    *,
    variant: ProductVariant,
    sku: str | Unset = UNSET,
    gtin: str | Unset = UNSET,
    name: str | Unset = UNSET,
    name_en: str | Unset = UNSET,
    position: int | Unset = UNSET,
    weight_grams: int | Unset | None = UNSET,
    length_mm: int | Unset | None = UNSET,
    width_mm: int | Unset | None = UNSET,
    height_mm: int | Unset | None = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
) -> ProductVariant:
    """Change the given fields, with the same checks as `variant_create`."""
    changes = given(
        sku=sku,
        gtin=gtin,
        name=name,
        name_en=name_en,
        position=position,
        weight_grams=weight_grams,
        length_mm=length_mm,
        width_mm=width_mm,
        height_mm=height_mm,
        external_ref=external_ref,
        metadata=metadata,
    )
    if "sku" in changes:
        changes["sku"] = sku_normalize(changes["sku"])
    if "gtin" in changes:
        changes["gtin"] = gtin_normalize(changes["gtin"])
    measures_check({field: changes[field] for field in MEASURES if field in changes})
    if "sku" in changes:
        ensure_unique(
            ProductVariant,
            field="sku",
            value=changes["sku"],
            code="SKU_TAKEN",
            exclude_pk=variant.pk,
        )
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
        ensure_unique(
            ProductVariant,
            field="external_ref",
            value=changes["external_ref"],
            code="EXTERNAL_REF_TAKEN",
            exclude_pk=variant.pk,
        )
    save_changes(variant, changes)
    if changes.keys() & {"sku", "gtin", "name", "name_en"}:
        product_changed(variant.product_id)
    return variant


@transaction.atomic
def variant_delete(*, variant: ProductVariant) -> None:
    """Delete a variant and its prices; the product's `price_from` is refreshed. A variant
    other rows must keep (stock and its movement ledger) is refused: Conflict VARIANT_IN_USE."""
    product_id = variant.product_id
    listings_for_update([product_id])
    try:
        variant.delete()
    except ProtectedError as exc:
        raise in_use("VARIANT_IN_USE") from exc
    product_listing_refresh_prices(product_ids=[product_id])
    product_changed(product_id)


def price_check(amount: object, *, currency: str) -> Decimal:
    """A price is a Decimal (or int) >= 0 with no more decimals than the currency has.
    Raises InvalidInput(PRICE_INVALID)."""
    message = ""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        message = "Expected a decimal amount."
    else:
        amount = Decimal(amount)
        if not amount.is_finite() or amount < 0 or amount > PRICE_MAX:
            message = "Expected an amount from 0 to 9999999999.99."
        elif quantize(amount, currency) != amount:
            message = f"Too many decimals for {currency}."
    if message or not isinstance(amount, Decimal):
        raise InvalidInput(message, code="PRICE_INVALID", errors={"amount": [message]})
    return quantize(amount, currency)


@transaction.atomic
def variant_price_set(
    *, variant: ProductVariant, channel: Channel, amount: Decimal
) -> VariantChannelPrice:
    """Set the base price of a variant in a channel (as the channel displays prices: TTC
    for B2C, HT for B2B) and refresh the product's `price_from` in that channel.

    The product's listings are locked first (`listings_for_update`), so that two prices of
    one product set at the same time cannot leave `price_from` computed from a stale set of
    prices."""
    amount = price_check(amount, currency=channel.currency)
    listings_for_update([variant.product_id])
    price, _created = VariantChannelPrice.objects.update_or_create(
        variant=variant, channel=channel, defaults={"amount": amount}
    )
    product_listing_refresh_prices(product_ids=[variant.product_id], channel=channel)
    return price


@transaction.atomic
def variant_price_remove(*, variant: ProductVariant, channel: Channel) -> None:
    """Remove a variant's base price in a channel (under the same lock as
    `variant_price_set`) and refresh the product's `price_from` there."""
    listings_for_update([variant.product_id])
    VariantChannelPrice.objects.filter(variant=variant, channel=channel).delete()
    product_listing_refresh_prices(product_ids=[variant.product_id], channel=channel)


@transaction.atomic
def product_listing_refresh_prices(
    *, product_ids: Iterable[int], channel: Channel | None = None
) -> int:
    """Recompute `ProductChannelListing.price_from` (the lowest variant price in the
    listing's channel; None when no variant is priced there) for `product_ids`, in one
    channel or all. Two queries per 500 products; returns the number of listings changed.

    Callers that have just changed prices or variants hold `listings_for_update` for these
    products, taken before their write."""
    changed = 0
    for batch in batched(sorted(set(product_ids)), REFRESH_BATCH):
        prices = VariantChannelPrice.objects.filter(variant__product_id__in=batch)
        listings = ProductChannelListing.objects.filter(product_id__in=batch)
        if channel is not None:
            prices = prices.filter(channel=channel)
            listings = listings.filter(channel=channel)
        lowest: dict[tuple[int, int], Decimal] = {
            (row["variant__product_id"], row["channel_id"]): row["lowest"]
            for row in prices.values("variant__product_id", "channel_id").annotate(
                lowest=Min("amount")
            )
        }
        stale = []
        for listing in listings.only("id", "product_id", "channel_id", "price_from"):
            price_from = lowest.get((listing.product_id, listing.channel_id))
            if listing.price_from != price_from:
                listing.price_from = price_from
                stale.append(listing)
        ProductChannelListing.objects.bulk_update(stale, ["price_from"])
        changed += len(stale)
    return changed


def published_at_check(value: datetime) -> datetime:
    """A publication date with its time zone, in UTC from 1970 to the end of 9999 (minus a
    day, so that every time zone can show it). Raises InvalidInput(PUBLISHED_AT_INVALID)."""
    utc: datetime | None = None
    if value.tzinfo is not None and value.utcoffset() is not None:
        try:
            utc = value.astimezone(UTC)
        except OverflowError:  # before year 1 or after 9999 once in UTC
            utc = None
    if utc is None or not PUBLISHED_AT_MIN <= utc < PUBLISHED_AT_MAX:
        message = _("Give a date and time with its time zone, from 1970 to 9999.")
        raise InvalidInput(message, code="PUBLISHED_AT_INVALID", errors={"published_at": [message]})
    return utc


@transaction.atomic
def product_listing_set(
    *,
    product: Product,
    channel: Channel,
    is_published: bool,
    published_at: datetime | None = None,
) -> ProductChannelListing:
    """Create or change the listing of a product in a channel. Publishing sets
    `published_at` (given, kept, or now); `price_from` is computed. A given `published_at`
    is an aware datetime from 1970 to 9999 in UTC (InvalidInput PUBLISHED_AT_INVALID)."""
    if published_at is not None:
        published_at = published_at_check(published_at)
    locked = listings_for_update([product.pk])
    listing = next((row for row in locked if row.channel_id == channel.pk), None)
    if listing is None:
        listing = ProductChannelListing(product=product, channel=channel)
    listing.is_published = is_published
    if published_at is not None:
        listing.published_at = published_at
    elif is_published and listing.published_at is None:
        listing.published_at = timezone.now()
    validate(listing)
    listing.save()
    product_listing_refresh_prices(product_ids=[product.pk], channel=channel)
    listing.refresh_from_db(fields=["price_from"])
    return listing


@transaction.atomic
def product_listing_delete(*, product: Product, channel: Channel) -> None:
    """Forget a product's listing in a channel (it is no longer published there)."""
    ProductChannelListing.objects.filter(product=product, channel=channel).delete()


@transaction.atomic
def product_publish(
    *, product: Product, channel: Channel, published_at: datetime | None = None
) -> ProductChannelListing:
    """Publish a product in a channel (creating its listing if needed); `published_at`
    defaults to the first publication time. `price_from` is computed. A product without a
    price in the channel can be published: it shows "price on request"."""
    return product_listing_set(
        product=product, channel=channel, is_published=True, published_at=published_at
    )


@transaction.atomic
def product_unpublish(*, product: Product, channel: Channel) -> ProductChannelListing | None:
    """Hide a product in a channel; its listing (and first publication date) is kept.
    Unpublishing a product that was never listed changes nothing and returns None."""
    listing = ProductChannelListing.objects.filter(product=product, channel=channel).first()
    if listing is None or not listing.is_published:
        return listing
    save_changes(listing, {"is_published": False})
    return listing
