"""Ninja schemas of the cart API. Inputs never carry prices: fields a client adds (a
`unit_price`, a `total`...) are ignored. Quantities are read as any JSON value and checked by
the services, so that a string, a fraction or a huge number is a 400 INVALID_QUANTITY."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from comptoir.catalog.schemas import AmountsOut, Out, PriceOut

Quantity = Annotated[
    Any, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 9999, "example": 2})
]


class CartIn(BaseModel):
    email: str = Field("", description="The guest's email (can be given later).")
    language: str = Field("", description="fr or en; the channel's language when empty.")


class LineIn(BaseModel):
    sku: str = Field(examples=["VIS-4X40"])
    quantity: Quantity = Field(description="1 to 9999; adds to the line of this SKU if any.")


class LinePatch(BaseModel):
    quantity: Quantity = Field(None, description="The line's new quantity (1 to 9999).")
    saved_for_later: Any = Field(
        None,
        description='true: move the line to "saved for later"; false: back into the cart.',
        json_schema_extra={"type": "boolean"},
    )


class CouponIn(BaseModel):
    code: str = Field(examples=["BIENVENUE10"])


class AddressIn(BaseModel):
    """An address, validated as the address book's: country code, postal code format for
    the country, phone number (stored as E.164)."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    street_address_1: str = ""
    street_address_2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = Field("", examples=["FR"])
    phone: str = ""


class AddressesIn(BaseModel):
    shipping_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    shipping_address_id: int | None = Field(
        None, description="A saved address of the signed-in customer instead."
    )
    billing_address_id: int | None = None
    same_as_shipping: bool = Field(False, description="Bill to the shipping address.")
    email: str | None = Field(None, description="Required for a guest (now or before).")


class ShippingMethodIn(BaseModel):
    method_id: int | None = None
    code: str | None = Field(None, description="The method's code, instead of its id.")


class LinePriceOut(Out):
    net: str
    tax: str
    gross: str
    currency: str
    rule: str


class TotalOut(AmountsOut):
    currency: str


class CartLineOut(Out):
    id: int
    sku: str
    variant_id: int
    product_id: int
    product_name: str
    variant_name: str
    quantity: int
    saved_for_later: bool
    unit: PriceOut | None = Field(description="null when the line cannot be priced.")
    subtotal: LinePriceOut | None = Field(description="The line before cart promotions.")
    discount: TotalOut | None = Field(description="Its share of the cart promotions.")
    total: LinePriceOut | None = Field(description="The line after cart promotions.")
    rule: str
    tax_rate: str = Field(examples=["20", "5.5", "0"])
    available: int = Field(description="Free stock in the channel's warehouses.")
    backorder: bool = Field(description="Orders beyond stock are accepted.")
    weight_grams: int
    problem: str | None = Field(
        description="UNKNOWN_SKU, NOT_FOR_SALE, QUANTITY_RULE or INSUFFICIENT_STOCK: the line "
        "counts in no total and checkout is blocked until it is fixed."
    )


class DiscountOut(Out):
    promotion: str
    coupon: str | None
    label: str
    amount: LinePriceOut = Field(description="rule: promotion:<code>.")
    free_shipping: bool


class CouponOut(Out):
    code: str
    applied: bool
    problem: str | None = Field(
        description="Why it does not apply now: COUPON_EXPIRED, COUPON_MIN_AMOUNT, "
        "COUPON_NOT_APPLICABLE (also: valid, but nothing in the cart gets its promotion)..."
    )


class ShippingOut(Out):
    method_id: int
    code: str
    name: str
    kind: str
    price: LinePriceOut
    tax_rate: str
    pickup_warehouse_id: int | None


class TaxBucketOut(Out):
    rate: str
    net: str
    tax: str
    currency: str


class CartOut(Out):
    token: str = Field(description="The cart's unguessable id (its URL).")
    status: str = Field(examples=["open", "checking_out", "completed", "merged"])
    channel: str
    currency: str
    prices_include_tax: bool
    tax_treatment: str
    legal_mention: str | None
    email: str
    language: str
    shipping_address: dict[str, str] | None
    billing_address: dict[str, str] | None
    shipping_method_id: int | None
    lines: list[CartLineOut]
    saved_for_later: list[CartLineOut]
    discounts: list[DiscountOut]
    coupons: list[CouponOut]
    subtotal: TotalOut = Field(description="Lines after cart promotions.")
    shipping: ShippingOut | None
    total: TotalOut
    tax_breakdown: list[TaxBucketOut]
    weight_grams: int
    blockers: list[str] = Field(
        description="Empty when checkout may proceed: EMPTY_CART, LINE_PROBLEM, "
        "EMAIL_REQUIRED, ADDRESS_REQUIRED, SHIPPING_METHOD_REQUIRED, "
        "SHIPPING_METHOD_UNAVAILABLE, CART_CLOSED."
    )
    updated_at: datetime


class ShippingOptionOut(Out):
    method_id: int
    code: str
    name: str
    description: str
    kind: str
    price: LinePriceOut
    tax_rate: str
    free: bool
    delivery_days_min: int
    delivery_days_max: int
    pickup_warehouse_id: int | None


class ShippingOptionsOut(Out):
    country: str = Field(description="Where the options ship to.")
    results: list[ShippingOptionOut]


class StaffCartQuery(BaseModel):
    status: str | None = Field(None, description="open, checking_out, completed or merged.")
    channel: str | None = Field(None, description="Channel code.")
    user: int | None = Field(None, description="Customer id.")
    page: int | None = None
    page_size: int | None = None


class StaffCartOut(Out):
    id: int
    status: str
    channel: str
    user_id: int | None
    user_email: str | None
    email: str
    line_count: int
    created_at: datetime
    updated_at: datetime


class StaffCartListOut(Out):
    count: int
    next: str | None
    previous: str | None
    results: list[StaffCartOut]


class StaffCartDetailOut(StaffCartOut):
    cart: CartOut = Field(description="The cart priced for its customer now.")


class BulkLineIn(BaseModel):
    sku: Any = Field(examples=["VIS-4X40"])
    quantity: Quantity = Field(description="1 to 9999; lines of the same SKU add up.")


class BulkIn(BaseModel):
    lines: list[BulkLineIn] = Field(
        description="At most 500 lines (400 `TOO_MANY_LINES` beyond); each is added or "
        "rejected on its own."
    )


class BulkAddedOut(Out):
    lines: list[int] = Field(description="The line numbers merged into this one (1-based).")
    sku: str
    quantity: int = Field(description="Units added.")
    line_id: int = Field(description="The cart line.")
    line_quantity: int = Field(description="Units in the cart line now.")


class BulkRejectedOut(Out):
    line: int = Field(description="The first line number of the SKU (1-based).")
    lines: list[int] = Field(description="Every line number merged into this one.")
    value: str = Field(description="The line as given.")
    sku: str
    quantity: int | None = Field(description="null when the quantity is not valid.")
    code: str = Field(
        examples=[
            "UNKNOWN_SKU",
            "NOT_FOR_SALE",
            "INVALID_QUANTITY",
            "QUANTITY_RULE",
            "INSUFFICIENT_STOCK",
            "CART_FULL",
        ]
    )
    message: str


class BulkOut(Out):
    added: list[BulkAddedOut]
    rejected: list[BulkRejectedOut]
    cart: CartOut
