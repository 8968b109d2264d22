"""Ninja schemas of the orders API. Money is a string with two decimals ("19.90") next to
its `currency`; quantities are whole numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

LineId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class PageOut(Schema):
    count: int
    next: str | None
    previous: str | None


# --- out ------------------------------------------------------------------------------------


class TotalsOut(Schema):
    currency: str
    subtotal_net: str
    subtotal_tax: str
    subtotal_gross: str
    discount_gross: str
    shipping_net: str
    shipping_tax: str
    shipping_gross: str
    total_net: str
    total_tax: str
    total_gross: str
    amount_paid: str
    amount_refunded: str


class OrderTaxRateOut(Schema):
    rate: str = Field(description='Percent: "20.000".')
    net: str
    tax: str


class LineOut(Schema):
    id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    quantity_fulfilled: int
    quantity_backordered: int = Field(description="Units accepted beyond stock at placement.")
    quantity_refunded: int
    tax_rate: str
    undiscounted_unit_gross: str
    unit_net: str
    unit_gross: str
    discount_gross: str
    total_net: str
    total_tax: str
    total_gross: str


class StaffLineOut(LineOut):
    quantity_allocated: int = Field(description="Units still held in stock for this line.")
    rule: str


class FulfilmentLineOut(Schema):
    line_id: int
    sku: str
    quantity: int


class FulfilmentOut(Schema):
    id: int
    sequence: int
    status: str = Field(description="shipped, delivered or cancelled.")
    carrier: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime
    delivered_at: datetime | None
    lines: list[FulfilmentLineOut]


class EventOut(Schema):
    kind: str
    label: str
    created_at: datetime


class StaffEventOut(EventOut):
    id: int
    actor: str | None = Field(description="The staff member's email, if any.")
    data: dict[str, Any]


class OrderShippingMethodOut(Schema):
    code: str
    name: str


class PickupOut(Schema):
    code: str
    name: str
    street_address: str
    postal_code: str
    city: str
    country: str


class OrderSummaryOut(Schema):
    number: str
    channel: str
    status: str
    payment_status: str
    placed_at: datetime
    currency: str
    total_gross: str
    item_count: int


class OrderListOut(PageOut):
    results: list[OrderSummaryOut]


class OrderOut(Schema):
    number: str
    channel: str
    status: str = Field(
        description="placed, paid, partially_fulfilled, fulfilled, delivered, cancelled, refunded."
    )
    status_label: str
    payment_status: str
    payment_status_label: str
    payment_method: str
    placed_at: datetime
    email: str
    language: str
    prices_include_tax: bool
    totals: TotalsOut
    tax_breakdown: list[OrderTaxRateOut]
    tax_treatment: str
    legal_mention: str
    discounts: list[dict[str, Any]]
    coupon_codes: list[str]
    shipping_method: OrderShippingMethodOut | None
    pickup_warehouse: PickupOut | None
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any]
    customer_note: str
    po_number: str
    cost_centre: str
    placed_with_help_of: str | None = Field(
        None,
        description="The name of the staff member (account manager) who placed the order on "
        "the customer's behalf, in an assisted shopping session; null otherwise.",
    )
    lines: list[LineOut]
    fulfilments: list[FulfilmentOut]
    timeline: list[EventOut]


class StaffPaymentOut(Schema):
    reference: str
    method: str
    state: str
    amount: str
    amount_captured: str
    amount_refunded: str


class StaffOrderSummaryOut(OrderSummaryOut):
    email: str
    user_id: int | None
    company_id: int | None


class StaffOrderListOut(PageOut):
    results: list[StaffOrderSummaryOut]


class StaffOrderOut(OrderOut):
    id: int
    user_id: int | None
    company_id: int | None
    placed_by_staff_id: int | None = Field(
        None, description="The staff user who placed it on the customer's behalf, if any."
    )
    checkout_ref: str
    external_ref: str | None
    metadata: dict[str, Any]
    lines: list[StaffLineOut]  # type: ignore[assignment]
    timeline: list[StaffEventOut]  # type: ignore[assignment]
    payments: list[StaffPaymentOut]


class PaymentErrorOut(Schema):
    reference: str
    code: str
    detail: str


class CancelOut(StaffOrderOut):
    payment_errors: list[PaymentErrorOut] = Field(
        description="Payments that could not be voided or refunded (the order is cancelled)."
    )


# --- in -------------------------------------------------------------------------------------


class LineQuantityIn(Schema):
    line_id: LineId
    quantity: Quantity


class FulfilmentIn(Schema):
    lines: list[LineQuantityIn] = Field(min_length=1, max_length=1000)
    carrier: Annotated[str, StringConstraints(max_length=100)] = Field(
        "", description="colissimo, chronopost, ups, dhl, dpd build the tracking URL."
    )
    tracking_number: Annotated[str, StringConstraints(max_length=100)] = ""
    tracking_url: Annotated[str, StringConstraints(max_length=500)] = Field(
        "", description="http(s) URL; built from the carrier's template when empty."
    )


class CancelIn(Schema):
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class OrderRefundIn(Schema):
    amount: Amount = Field(description='The amount to give back, e.g. "19.90".')
    lines: list[LineQuantityIn] = Field(default_factory=list, max_length=1000)
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class NoteIn(Schema):
    text: Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class OrderListQuery(Schema):
    status: str | None = Field(None, description="An order status.")
    channel: str | None = Field(None, max_length=50, description="Channel code.")
    email: str | None = Field(None, max_length=254, description="Any case.")
    number: str | None = Field(None, max_length=32, description="The number or its beginning.")
    placed_from: datetime | None = Field(None, description="ISO date or time, included.")
    placed_to: datetime | None = Field(None, description="ISO date or time, excluded.")
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")
