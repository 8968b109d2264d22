"""Ninja schemas of the staff shipping API. Amounts are strings with the currency's
decimals in responses ("4.90"); requests accept strings or numbers, checked by the services
(400 INVALID_PRICE rather than 422). Weights are whole grams."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
NameEn = Annotated[str, StringConstraints(max_length=100)]
Description = Annotated[str, StringConstraints(max_length=255)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ExternalRef = Annotated[str, StringConstraints(max_length=100)]
Country = Annotated[str, StringConstraints(max_length=10)]
Countries = Annotated[list[Country], Field(max_length=300)]
Amount = Annotated[Decimal | str, Field(examples=["4.90"])]

KIND_HELP = "flat (one price), weight (priced by brackets) or pickup (at a warehouse)."
AMOUNT_HELP = "In the channel's currency, entered as the channel enters prices (TTC or HT)."


class ShippingPageOut(Schema):
    count: int
    next: str | None
    previous: str | None


class WeightBracketIn(Schema):
    up_to_grams: int = Field(description="The heaviest parcel (grams) this price carries.")
    price: Amount = Field(description=AMOUNT_HELP)


class WeightBracketOut(Schema):
    up_to_grams: int
    price: str


class WeightBracketsIn(Schema):
    brackets: Annotated[list[WeightBracketIn], Field(max_length=1000)]


class ShippingMethodIn(Schema):
    zone: int = Field(description="The zone's id.")
    code: Code = Field(description="A slug, unique in the zone.")
    name: Name
    name_en: NameEn = ""
    description: Description = ""
    description_en: Description = ""
    kind: str = Field(description=KIND_HELP)
    price: Amount = Field("0", description=f"Flat and pick-up methods. {AMOUNT_HELP}")
    free_over: Amount | None = Field(
        None, description="Free when the discounted goods subtotal reaches it."
    )
    min_weight_grams: int | None = None
    max_weight_grams: int | None = None
    tax_class: Ref | None = Field(None, description="A tax class code; none: standard.")
    pickup_warehouse: Ref | None = Field(None, description="A warehouse code (pick-up only).")
    delivery_days_min: int = 1
    delivery_days_max: int = 3
    position: int | None = Field(None, description="After the zone's other methods if omitted.")
    is_active: bool = True
    brackets: Annotated[list[WeightBracketIn], Field(max_length=1000)] = Field(
        default_factory=list, description="Weight-based methods only (at least one)."
    )
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class ShippingMethodPatch(Schema):
    code: Code | None = None
    name: Name | None = None
    name_en: NameEn | None = None
    description: Description | None = None
    description_en: Description | None = None
    kind: str | None = Field(None, description=KIND_HELP)
    price: Amount | None = None
    free_over: Amount | None = None
    min_weight_grams: int | None = None
    max_weight_grams: int | None = None
    tax_class: Ref | None = None
    pickup_warehouse: Ref | None = None
    delivery_days_min: int | None = None
    delivery_days_max: int | None = None
    position: int | None = None
    is_active: bool | None = None
    brackets: Annotated[list[WeightBracketIn], Field(max_length=1000)] | None = Field(
        None, description="Replaces all the brackets."
    )
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class ShippingMethodOut(Schema):
    id: int
    zone: int
    channel: str
    currency: str
    code: str
    name: str
    name_en: str
    description: str
    description_en: str
    kind: str
    price: str
    free_over: str | None
    min_weight_grams: int | None
    max_weight_grams: int | None
    tax_class: str | None
    pickup_warehouse: str | None
    delivery_days_min: int
    delivery_days_max: int
    position: int
    is_active: bool
    brackets: list[WeightBracketOut]
    external_ref: str | None
    metadata: dict[str, Any]


class ShippingMethodListOut(ShippingPageOut):
    results: list[ShippingMethodOut]


class ShippingZoneIn(Schema):
    channel: Code = Field(description="The channel's code.")
    name: Name
    countries: Countries = Field(description="ISO 3166-1 alpha-2 codes, e.g. FR, MC.")
    is_active: bool = True
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class ShippingZonePatch(Schema):
    name: Name | None = None
    countries: Countries | None = None
    is_active: bool | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class ShippingZoneOut(Schema):
    id: int
    channel: str
    currency: str
    name: str
    countries: list[str]
    is_active: bool
    external_ref: str | None
    metadata: dict[str, Any]
    methods: list[ShippingMethodOut]


class ShippingZoneListOut(ShippingPageOut):
    results: list[ShippingZoneOut]
