"""What checkout hands to `orders.services.order_create`: a complete snapshot, amounts as
Decimals in the order's currency (already rounded per line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class DraftAllocation:
    stock_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class DraftLine:
    variant_id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    quantity_backordered: int
    tax_rate: Decimal  # percent, e.g. Decimal("20.000")
    undiscounted_unit_gross: Decimal
    unit_net: Decimal
    unit_gross: Decimal
    discount_gross: Decimal
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    rule: str
    allocations: tuple[DraftAllocation, ...]


@dataclass(frozen=True, slots=True)
class OrderDraft:
    channel_id: int
    user_id: int | None
    company_id: int | None
    email: str
    language: str
    payment_method: str
    payment_status: str  # orders.models.PaymentStatus value at placement
    currency: str
    prices_include_tax: bool
    subtotal_net: Decimal
    subtotal_tax: Decimal
    subtotal_gross: Decimal
    discount_gross: Decimal
    shipping_net: Decimal
    shipping_tax: Decimal
    shipping_gross: Decimal
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    amount_paid: Decimal
    tax_breakdown: list[dict[str, str]]
    tax_treatment: str
    legal_mention: str
    shipping_method_code: str
    shipping_method_name: str
    pickup_warehouse_id: int | None
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any]
    discounts: list[dict[str, str]]
    coupon_codes: list[str]
    customer_note: str
    po_number: str
    checkout_ref: str  # coupon redemptions and reservations carry it
    lines: tuple[DraftLine, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    # The payment that paid a draft placed `paid` (its timeline event names it).
    payment_reference: str = ""
    # The buyer's cost centre (B2B), as given at checkout.
    cost_centre: str = ""
    # The staff member who placed it on the customer's behalf (assisted shopping).
    placed_by_staff_id: int | None = None
