"""Orders for tests, made the way checkout makes them: stock allocated in the inventory,
then `order_create` from a hand-made `OrderDraft`. Other apps' tests may use them:

    order = make_order()                                  # 2 units of a new variant, pending
    order = make_order(items=[(variant, 3)], paid=True)   # placed paid
    order = make_order(items=[(variant, 2)], stock=False) # backordered, no allocation
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory import services as inventory
from comptoir.inventory.models import Stock, Warehouse
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.orders.models import Order, PaymentStatus
from comptoir.orders.records import DraftAllocation, DraftLine, OrderDraft
from comptoir.orders.services import order_create

CENT = Decimal("0.01")
ADDRESS: dict[str, Any] = {
    "first_name": "Léa",
    "last_name": "Durand",
    "street_address_1": "12 rue des Lilas",
    "postal_code": "75011",
    "city": "Paris",
    "country": "FR",
}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def draft_line(
    variant: ProductVariant,
    quantity: int,
    *,
    unit_gross: Decimal = Decimal("12.00"),
    tax_rate: Decimal = Decimal("20.000"),
    allocations: Sequence[DraftAllocation] = (),
    backordered: int | None = None,
) -> DraftLine:
    """A line of `quantity` units of `variant` at `unit_gross` (tax included). Without
    allocations, every unit is backordered."""
    allocated = sum(a.quantity for a in allocations)
    total_gross = _cents(unit_gross * quantity)
    total_net = _cents(total_gross / (1 + tax_rate / 100))
    return DraftLine(
        variant_id=variant.pk,
        sku=variant.sku,
        product_name=variant.product.name,
        variant_name="",
        quantity=quantity,
        quantity_backordered=quantity - allocated if backordered is None else backordered,
        tax_rate=tax_rate,
        undiscounted_unit_gross=unit_gross,
        unit_net=_cents(unit_gross / (1 + tax_rate / 100)),
        unit_gross=unit_gross,
        discount_gross=Decimal("0.00"),
        total_net=total_net,
        total_tax=total_gross - total_net,
        total_gross=total_gross,
        rule="base",
        allocations=tuple(allocations),
    )


def make_draft(
    *,
    lines: Sequence[DraftLine],
    channel: Channel | None = None,
    user: Any = None,
    shipping_gross: Decimal = Decimal("0.00"),
    payment_status: str = PaymentStatus.PENDING,
    **overrides: Any,
) -> OrderDraft:
    """An OrderDraft whose totals add up its lines and shipping (20 % tax on shipping)."""
    channel = channel or ChannelFactory.create()
    net = sum((line.total_net for line in lines), Decimal("0.00"))
    gross = sum((line.total_gross for line in lines), Decimal("0.00"))
    shipping_net = _cents(shipping_gross / Decimal("1.2"))
    total_gross = gross + shipping_gross
    draft = OrderDraft(
        channel_id=channel.pk,
        user_id=user.pk if user is not None else None,
        company_id=None,
        email=user.email if user is not None else "invite@example.fr",
        language="fr",
        payment_method="test_card",
        payment_status=payment_status,
        currency=channel.currency,
        prices_include_tax=True,
        subtotal_net=net,
        subtotal_tax=gross - net,
        subtotal_gross=gross,
        discount_gross=Decimal("0.00"),
        shipping_net=shipping_net,
        shipping_tax=shipping_gross - shipping_net,
        shipping_gross=shipping_gross,
        total_net=net + shipping_net,
        total_tax=total_gross - net - shipping_net,
        total_gross=total_gross,
        amount_paid=total_gross if payment_status == PaymentStatus.PAID else Decimal("0.00"),
        tax_breakdown=[
            {
                "rate": "20.000",
                "net": f"{net + shipping_net:.2f}",
                "tax": f"{total_gross - net - shipping_net:.2f}",
            }
        ],
        tax_treatment="standard",
        legal_mention="",
        shipping_method_code="colissimo" if shipping_gross else "",
        shipping_method_name="Colissimo" if shipping_gross else "",
        pickup_warehouse_id=None,
        shipping_address=dict(ADDRESS),
        billing_address=dict(ADDRESS),
        discounts=[],
        coupon_codes=[],
        customer_note="",
        po_number="",
        checkout_ref="",
        lines=tuple(lines),
    )
    return replace(draft, **overrides) if overrides else draft


def stock_for(
    variant: ProductVariant, quantity: int, *, warehouse: Warehouse | None = None
) -> Stock:
    """Receive `quantity` units of `variant` (in a new warehouse unless one is given)."""
    return inventory.stock_receive(
        warehouse=warehouse or WarehouseFactory.create(), variant=variant, quantity=quantity
    )


def allocated_line(
    variant: ProductVariant, quantity: int, *, channel: Channel, **line: Any
) -> DraftLine:
    """A line whose units are allocated in the inventory now (as checkout's reservation
    commit leaves them)."""
    allocations = inventory.stock_allocate(lines=[(variant.pk, quantity)], channel=channel)
    return draft_line(
        variant,
        quantity,
        allocations=[
            DraftAllocation(stock_id=a.stock_id, quantity=a.quantity) for a in allocations
        ],
        **line,
    )


def make_order(
    *,
    items: Sequence[tuple[ProductVariant, int]] | None = None,
    channel: Channel | None = None,
    user: Any = None,
    stock: bool = True,
    paid: bool = False,
    actor: Any = None,
    **draft: Any,
) -> Order:
    """An order placed through `order_create`. `items`: (variant, quantity) pairs (default:
    2 units of a new variant). With `stock`, each item's units are received in a new
    warehouse and allocated; without, they are backordered. `paid`: placed paid in full.
    Other keyword arguments override fields of the draft."""
    channel = channel or ChannelFactory.create()
    items = items if items is not None else [(ProductVariantFactory.create(), 2)]
    lines = []
    for variant, quantity in items:
        if stock:
            stock_for(variant, quantity)
            lines.append(allocated_line(variant, quantity, channel=channel))
        else:
            lines.append(draft_line(variant, quantity))
    order_draft = make_draft(
        lines=lines,
        channel=channel,
        user=user,
        payment_status=PaymentStatus.PAID if paid else PaymentStatus.PENDING,
        **draft,
    )
    return order_create(draft=order_draft, actor=actor)
