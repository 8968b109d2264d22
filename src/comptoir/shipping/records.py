"""What `shipping.selectors.shipping_options` returns."""

from __future__ import annotations

from dataclasses import dataclass

from comptoir.pricing.records import Price


@dataclass(frozen=True, slots=True)
class ShippingOption:
    method_id: int
    code: str
    name: str  # localized for the active language
    description: str
    kind: str  # flat, weight, pickup
    # Net, tax and gross in minor units under the buyer's tax treatment; zero when free
    # (threshold reached or a free-shipping promotion).
    price: Price
    tax_rate: int  # thousandths of a percent
    free: bool
    delivery_days_min: int
    delivery_days_max: int
    pickup_warehouse_id: int | None
