"""An order snapshot as JSON (what checkout freezes into its payment, what a quote
accepts) turned into the `OrderDraft` that `orders.services.order_create` places.

The snapshot is a dict of strings and numbers (amounts as decimal strings): the order
fields of `OrderDraft` (channel_id, user_id, company_id, email, language, currency,
prices_include_tax, the money totals, tax_breakdown, tax_treatment, legal_mention,
shipping method, addresses, discounts, coupon_codes, customer_note, po_number) and
`lines`, each with the fields of `DraftLine` but its allocations. Checkout builds it
from a cart (`checkout.services._draft_data`), quotes from a quote
(`quotes.services.placement`); both place the order through this one function."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from comptoir.inventory.selectors import Allocation
from comptoir.orders.records import DraftAllocation, DraftLine, OrderDraft


def order_draft_from_snapshot(
    data: Mapping[str, Any],
    *,
    checkout_ref: str,
    method: str,
    allocations: list[Allocation],
    backordered: Mapping[int, int],
    paid: Decimal,
    payment_status: str,
    payment_reference: str = "",
) -> OrderDraft:
    by_variant: dict[int, list[DraftAllocation]] = {}
    for allocation in allocations:
        by_variant.setdefault(allocation.variant_id, []).append(
            DraftAllocation(stock_id=allocation.stock_id, quantity=allocation.quantity)
        )
    lines = tuple(
        DraftLine(
            variant_id=line["variant_id"],
            sku=line["sku"],
            product_name=line["product_name"],
            variant_name=line["variant_name"],
            quantity=line["quantity"],
            quantity_backordered=int(backordered.get(line["variant_id"], 0)),
            tax_rate=Decimal(line["tax_rate"]),
            undiscounted_unit_gross=Decimal(line["undiscounted_unit_gross"]),
            unit_net=Decimal(line["unit_net"]),
            unit_gross=Decimal(line["unit_gross"]),
            discount_gross=Decimal(line["discount_gross"]),
            total_net=Decimal(line["total_net"]),
            total_tax=Decimal(line["total_tax"]),
            total_gross=Decimal(line["total_gross"]),
            rule=line["rule"],
            allocations=tuple(by_variant.pop(line["variant_id"], [])),
        )
        for line in data["lines"]
    )
    return OrderDraft(
        channel_id=data["channel_id"],
        user_id=data["user_id"],
        company_id=data["company_id"],
        email=data["email"],
        language=data["language"],
        payment_method=method,
        payment_status=payment_status,
        currency=data["currency"],
        prices_include_tax=data["prices_include_tax"],
        subtotal_net=Decimal(data["subtotal_net"]),
        subtotal_tax=Decimal(data["subtotal_tax"]),
        subtotal_gross=Decimal(data["subtotal_gross"]),
        discount_gross=Decimal(data["discount_gross"]),
        shipping_net=Decimal(data["shipping_net"]),
        shipping_tax=Decimal(data["shipping_tax"]),
        shipping_gross=Decimal(data["shipping_gross"]),
        total_net=Decimal(data["total_net"]),
        total_tax=Decimal(data["total_tax"]),
        total_gross=Decimal(data["total_gross"]),
        amount_paid=paid,
        tax_breakdown=list(data["tax_breakdown"]),
        tax_treatment=data["tax_treatment"],
        legal_mention=data["legal_mention"],
        shipping_method_code=data["shipping_method_code"],
        shipping_method_name=data["shipping_method_name"],
        pickup_warehouse_id=data["pickup_warehouse_id"],
        shipping_address=data["shipping_address"],
        billing_address=data["billing_address"],
        discounts=list(data["discounts"]),
        coupon_codes=list(data["coupon_codes"]),
        customer_note=data["customer_note"],
        po_number=data["po_number"],
        # Drafts frozen before cost centres existed have none.
        cost_centre=data.get("cost_centre", ""),
        # Set by a checkout made in an assisted shopping session (older drafts have none).
        placed_by_staff_id=data.get("placed_by_staff_id"),
        checkout_ref=checkout_ref,
        lines=lines,
        payment_reference=payment_reference,
    )
