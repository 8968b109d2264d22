"""Ninja schemas of the staff promotions API. Money and percentages are strings with two
decimals in responses; requests accept strings or numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, Field, StringConstraints

Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=150)]
NameEn = Annotated[str, StringConstraints(max_length=150)]
Currency = Annotated[str, StringConstraints(max_length=3)]
ExternalRef = Annotated[str, StringConstraints(max_length=100)]
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]
Priority = Annotated[int, Field(ge=-2_147_483_648, le=2_147_483_647)]
Ref = int | Annotated[str, StringConstraints(min_length=1, max_length=160)]
Refs = Annotated[list[Ref], Field(max_length=10_000)]
CouponCode = Annotated[str, StringConstraints(min_length=1, max_length=40)]

TARGETS_HELP = "Ids or slugs (codes for channels and customer groups)."


class PageOut(Schema):
    count: int
    next: str | None
    previous: str | None


class PromotionIn(Schema):
    code: Code
    name: Name
    name_en: NameEn = ""
    kind: str = Field(description="catalog or cart.")
    reward_type: str = Field(description="percentage, fixed, free_shipping or buy_x_get_y.")
    reward_value: Amount | None = Field(
        None, description="Percent (0-100] or a fixed amount in `currency`.", examples=["10.00"]
    )
    currency: Currency = ""
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    is_active: bool = True
    priority: Priority = 0
    stacking: str = Field("cumulative", description="exclusive or cumulative.")
    min_subtotal: Amount | None = None
    min_quantity: Count | None = None
    buy_quantity: Count | None = None
    get_quantity: Count | None = None
    requires_coupon: bool = False
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    channels: Refs = Field(default_factory=list, description=TARGETS_HELP)
    customer_groups: Refs = Field(default_factory=list, description=TARGETS_HELP)
    products: Refs = Field(default_factory=list, description=TARGETS_HELP)
    categories: Refs = Field(default_factory=list, description=TARGETS_HELP)
    collections: Refs = Field(default_factory=list, description=TARGETS_HELP)


class PromotionPatch(Schema):
    code: Code | None = None
    name: Name | None = None
    name_en: NameEn | None = None
    kind: str | None = None
    reward_type: str | None = None
    reward_value: Amount | None = None
    currency: Currency | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    is_active: bool | None = None
    priority: Priority | None = None
    stacking: str | None = None
    min_subtotal: Amount | None = None
    min_quantity: Count | None = None
    buy_quantity: Count | None = None
    get_quantity: Count | None = None
    requires_coupon: bool | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None
    channels: Refs | None = None
    customer_groups: Refs | None = None
    products: Refs | None = None
    categories: Refs | None = None
    collections: Refs | None = None


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    reward_type: str
    reward_value: str | None = Field(examples=["10.00"])
    currency: str
    starts_at: AwareDatetime | None
    ends_at: AwareDatetime | None
    is_active: bool
    priority: int
    stacking: str
    min_subtotal: str | None
    min_quantity: int | None
    buy_quantity: int | None
    get_quantity: int | None
    requires_coupon: bool
    external_ref: str | None
    metadata: dict[str, Any]
    channels: list[str] = Field(description="Channel codes.")
    customer_groups: list[str] = Field(description="Customer group codes.")
    products: list[str] = Field(description="Product slugs.")
    categories: list[str] = Field(description="Category slugs.")
    collections: list[str] = Field(description="Collection slugs.")


class PromotionListOut(PageOut):
    results: list[PromotionOut]


class CouponIn(Schema):
    code: CouponCode = Field(description="3 to 40 letters, digits or hyphens; stored upper-case.")
    usage_limit: Count | None = None
    per_customer_limit: Count | None = None
    min_subtotal: Amount | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    is_active: bool = True


class CouponPatch(Schema):
    usage_limit: Count | None = None
    per_customer_limit: Count | None = None
    min_subtotal: Amount | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    is_active: bool | None = None


class CouponOut(Schema):
    code: str
    promotion: str = Field(description="The promotion's code.")
    usage_limit: int | None
    per_customer_limit: int | None
    times_used: int
    min_subtotal: str | None
    valid_from: AwareDatetime | None
    valid_until: AwareDatetime | None
    is_active: bool
    batch: str


class CouponListOut(PageOut):
    results: list[CouponOut]


class CouponGenerateIn(Schema):
    count: Annotated[int, Field(ge=1, le=10_000)]
    prefix: Annotated[str, StringConstraints(max_length=20)] = ""
    length: Annotated[int, Field(ge=6, le=32)] = 10
    usage_limit: Count | None = 1
    per_customer_limit: Count | None = 1
    min_subtotal: Amount | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None


class CouponBatchOut(Schema):
    batch: str
    codes: list[str]
