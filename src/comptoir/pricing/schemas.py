"""Ninja schemas of the staff price list API (`/api/v1/admin/price-lists...`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, Field, StringConstraints

Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=150)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
ExternalRef = Annotated[str, StringConstraints(max_length=100)]


class PriceListIn(Schema):
    code: Code = Field(description="Slug, unique (409 `PRICE_LIST_CODE_TAKEN`).")
    name: Name
    channel: Code = Field(description="Channel code.")
    currency: Currency | None = Field(
        None, description="Defaults to the channel's; any other is 400 `CURRENCY_MISMATCH`."
    )
    company: int | None = Field(None, description="Company id: a contract list.")
    customer_group: Code | None = Field(None, description="Customer group code: a group list.")
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    is_active: bool = True
    allows_promotions: bool = Field(
        True, description="false: net prices, promotions never lower them."
    )
    priority: int = Field(0, description="Among lists of the same kind valid at once.")
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class PriceListPatch(Schema):
    code: Code | None = None
    name: Name | None = None
    channel: Code | None = None
    currency: Currency | None = None
    company: int | None = Field(None, description="null detaches the list from its company.")
    customer_group: Code | None = Field(None, description="null detaches it from its group.")
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    is_active: bool | None = None
    allows_promotions: bool | None = None
    priority: int | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class PriceListOut(Schema):
    code: str
    name: str
    channel: str
    currency: str
    company: int | None
    company_name: str | None
    customer_group: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    is_active: bool
    allows_promotions: bool
    priority: int
    external_ref: str | None
    metadata: dict[str, Any]
    entry_count: int
    created_at: datetime
    updated_at: datetime


class PriceListListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[PriceListOut]


class PriceTierIn(Schema):
    min_quantity: int = Field(description="From this quantity on (2 or more).")
    unit_price: Decimal = Field(description="Lower than the entry's and the previous tier's.")


class PriceTierOut(Schema):
    min_quantity: int
    unit_price: str = Field(examples=["9.50"])


class PriceListEntryIn(Schema):
    unit_price: Decimal = Field(description="As the channel enters prices, > 0, 2 decimals.")
    min_quantity: int = 1
    max_quantity: int | None = None
    increment: int = Field(1, description="Sold by: quantities are multiples of it.")
    tiers: list[PriceTierIn] = Field(
        default_factory=list, description="Replaces the entry's tiers (an empty list: none)."
    )


class PriceListEntryOut(Schema):
    sku: str
    variant_id: int
    product: str
    unit_price: str = Field(examples=["10.00"])
    currency: str
    min_quantity: int
    max_quantity: int | None
    increment: int
    tiers: list[PriceTierOut]


class PriceListEntryListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[PriceListEntryOut]


class PriceImportOut(Schema):
    created: int
    updated: int
    deleted: int
    unchanged: int
