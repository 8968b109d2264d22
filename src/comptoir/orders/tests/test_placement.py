"""order_create: the snapshot, numbers per channel from the sequence, the timeline and the
outbox; a bad draft is refused and changes nothing (no number taken)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.models import ProductVariant
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.errors import DomainError
from comptoir.core.models import OutboxEvent
from comptoir.inventory.models import Stock
from comptoir.orders import services
from comptoir.orders.models import (
    Order,
    OrderAllocation,
    OrderEvent,
    OrderSequence,
    OrderStatus,
    PaymentStatus,
)
from comptoir.orders.records import DraftAllocation
from comptoir.orders.tests.factories import (
    allocated_line,
    draft_line,
    make_draft,
    make_order,
    stock_for,
)

pytestmark = pytest.mark.django_db


def refused(code: str, draft: Any) -> DomainError:
    before = (Order.objects.count(), list(OrderSequence.objects.values_list("last", flat=True)))
    with pytest.raises(DomainError) as caught:
        services.order_create(draft=draft)
    assert caught.value.code == code, caught.value.errors
    after = (Order.objects.count(), list(OrderSequence.objects.values_list("last", flat=True)))
    assert after == before
    return caught.value


def test_order_create_copies_the_draft(
    channel: Channel, variant: ProductVariant, topics: Callable[..., list[str]]
) -> None:
    stock = stock_for(variant, 5)
    line = allocated_line(variant, 3, channel=channel, unit_gross=Decimal("19.90"))
    draft = make_draft(
        lines=[line],
        channel=channel,
        shipping_gross=Decimal("6.00"),
        coupon_codes=["BIENVENUE"],
        checkout_ref="c" * 64,
        po_number="PO-7",
    )

    order = services.order_create(draft=draft)

    order = Order.objects.get(pk=order.pk)
    assert order.number == "BF-000001"
    assert len(order.token) == 43
    assert order.status == OrderStatus.PLACED
    assert order.payment_status == PaymentStatus.PENDING
    assert (order.subtotal_gross, order.shipping_gross, order.total_gross) == (
        Decimal("59.70"),
        Decimal("6.00"),
        Decimal("65.70"),
    )
    assert order.total_net == Decimal("54.75")  # 49.75 + 5.00
    assert order.coupon_codes == ["BIENVENUE"]
    assert order.checkout_ref == "c" * 64
    assert order.shipping_address == draft.shipping_address
    (row,) = order.lines.all()
    assert (row.sku, row.quantity, row.unit_gross, row.total_gross, row.tax_rate) == (
        "PERC-18V",
        3,
        Decimal("19.90"),
        Decimal("59.70"),
        Decimal("20.000"),
    )
    assert list(OrderAllocation.objects.values_list("line_id", "stock_id", "quantity")) == [
        (row.pk, stock.pk, 3)
    ]
    assert Stock.objects.get(pk=stock.pk).quantity_allocated == 3  # allocated by the draft's maker
    assert list(order.events.values_list("kind", flat=True)) == ["placed"]
    assert topics(order) == ["order.placed"]
    assert OutboxEvent.objects.get(topic="order.placed").payload == {"number": "BF-000001"}


def test_a_draft_placed_paid_is_paid(channel: Channel, topics: Callable[..., list[str]]) -> None:
    order = make_order(channel=channel, paid=True)

    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.PAID
    assert order.amount_paid == order.total_gross == Decimal("24.00")
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "paid"]
    assert topics(order) == ["order.placed", "order.paid"]


def test_numbers_are_sequential_per_channel() -> None:
    shop, pro = ChannelFactory.create(), B2BChannelFactory.create()

    numbers = [make_order(channel=c, stock=False).number for c in (shop, pro, shop, shop, pro)]

    assert numbers == ["BF-000001", "CP-000001", "BF-000002", "BF-000003", "CP-000002"]
    assert dict(OrderSequence.objects.values_list("channel__code", "last")) == {
        "boutique-france": 3,
        "comptoir-pro": 2,
    }


def test_a_default_prefix_another_channel_holds_gets_the_channel_id() -> None:
    first = ChannelFactory.create(code="boutique-france")
    second = ChannelFactory.create(code="bons-fournisseurs")

    a = make_order(channel=first, stock=False)
    b = make_order(channel=second, stock=False)

    assert a.number == "BF-000001"
    assert b.number == f"BF{second.pk}-000001"


def test_default_prefix() -> None:
    assert services.default_prefix("boutique-france") == "BF-"
    assert services.default_prefix("pro") == "P-"
    assert services.default_prefix("grand_compte-b2b-export-europe-nord") == "GCBE-"


def test_the_prefix_can_be_changed(channel: Channel) -> None:
    make_order(channel=channel, stock=False)

    services.order_sequence_set_prefix(channel=channel, prefix="WEB-2026-")

    assert make_order(channel=channel, stock=False).number == "WEB-2026-000002"


@pytest.mark.parametrize("prefix", ["", "web-", "A" * 21, "A B", "É-", "A\x00"])
def test_a_bad_prefix_is_refused(channel: Channel, prefix: str) -> None:
    with pytest.raises(DomainError) as caught:
        services.order_sequence_set_prefix(channel=channel, prefix=prefix)
    assert caught.value.code == "INVALID_PREFIX"


def test_a_prefix_of_another_channel_is_refused(channel: Channel) -> None:
    other = B2BChannelFactory.create()
    make_order(channel=other, stock=False)

    with pytest.raises(DomainError) as caught:
        services.order_sequence_set_prefix(channel=channel, prefix="CP-")
    assert caught.value.code == "ORDER_PREFIX_TAKEN"


def test_numbers_run_out_with_a_conflict(channel: Channel) -> None:
    make_order(channel=channel, stock=False)
    OrderSequence.objects.filter(channel=channel).update(last=10**12 - 1)

    refused(
        "ORDER_NUMBERS_EXHAUSTED",
        make_draft(lines=[draft_line(ProductVariantFactory.create(), 1)], channel=channel),
    )


def test_one_order_per_checkout(channel: Channel, variant: ProductVariant) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel, checkout_ref="x" * 64)
    services.order_create(draft=draft)

    refused("ORDER_ALREADY_PLACED", draft)


def test_a_staff_actor_is_on_the_timeline(channel: Channel, actor: Any) -> None:
    order = make_order(channel=channel, actor=actor)

    assert OrderEvent.objects.get(order=order).actor == actor


# --- bad drafts --------------------------------------------------------------------------


def test_a_draft_without_lines_is_refused(channel: Channel) -> None:
    draft = make_draft(lines=[draft_line(ProductVariantFactory.create(), 1)], channel=channel)
    refused("INVALID_DRAFT", replace(draft, lines=()))


def test_allocations_must_add_up_to_the_quantity(channel: Channel, variant: ProductVariant) -> None:
    stock = stock_for(variant, 5)
    line = draft_line(variant, 3, allocations=[DraftAllocation(stock_id=stock.pk, quantity=1)])
    refused(
        "INVALID_DRAFT", make_draft(lines=[replace(line, quantity_backordered=0)], channel=channel)
    )


def test_an_allocation_of_another_variant_is_refused(
    channel: Channel, variant: ProductVariant
) -> None:
    other = stock_for(ProductVariantFactory.create(), 5)
    line = draft_line(variant, 1, allocations=[DraftAllocation(stock_id=other.pk, quantity=1)])
    refused("INVALID_DRAFT", make_draft(lines=[line], channel=channel))


def test_an_unknown_stock_is_refused(channel: Channel, variant: ProductVariant) -> None:
    line = draft_line(variant, 1, allocations=[DraftAllocation(stock_id=987654, quantity=1)])
    refused("INVALID_DRAFT", make_draft(lines=[line], channel=channel))


def test_an_unknown_variant_is_refused(channel: Channel, variant: ProductVariant) -> None:
    line = replace(draft_line(variant, 1), variant_id=987654)
    refused("VARIANT_NOT_FOUND", make_draft(lines=[line], channel=channel))


def test_an_unknown_channel_is_refused(channel: Channel, variant: ProductVariant) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    refused("INVALID_DRAFT", replace(draft, channel_id=987654))


def test_another_currency_than_the_channel_is_refused(
    channel: Channel, variant: ProductVariant
) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    refused("CURRENCY_MISMATCH", replace(draft, currency="USD"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payment_status", "gift"),
        ("amount_paid", Decimal("99999.00")),  # more than the total
        ("total_gross", Decimal("-1.00")),
        ("total_gross", Decimal("1.001")),
        ("total_gross", 12.0),
        ("total_gross", Decimal("NaN")),
        ("email", "not an email"),
        ("email", None),
        ("user_id", 987654),
        ("company_id", 987654),
        ("pickup_warehouse_id", 987654),
        ("language", "x" * 9),
    ],
)
def test_bad_draft_fields_are_refused(
    channel: Channel, variant: ProductVariant, field: str, value: Any
) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    refused("INVALID_DRAFT", replace(draft, **{field: value}))


def test_a_paid_draft_has_its_total_paid(channel: Channel, variant: ProductVariant) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    refused("INVALID_DRAFT", replace(draft, payment_status=PaymentStatus.PAID))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", 0),
        ("quantity", True),
        ("quantity", 10**7),
        ("unit_gross", Decimal("-1")),
        ("tax_rate", Decimal("1000")),
        ("sku", "S" * 65),
        ("quantity_backordered", -1),
    ],
)
def test_bad_line_fields_are_refused(
    channel: Channel, variant: ProductVariant, field: str, value: Any
) -> None:
    line = replace(draft_line(variant, 1), **{field: value})
    refused("INVALID_DRAFT", make_draft(lines=[line], channel=channel))


def test_text_that_cannot_be_stored_is_refused(channel: Channel, variant: ProductVariant) -> None:
    draft = make_draft(lines=[draft_line(variant, 1)], channel=channel)
    refused("INVALID_TEXT", replace(draft, customer_note="bad \x00"))
    refused("INVALID_TEXT", replace(draft, billing_address={"city": "\ud800"}))
    line = replace(draft_line(variant, 1), product_name="\x00")
    refused("INVALID_TEXT", make_draft(lines=[line], channel=channel))


def test_not_a_draft_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        services.order_create(draft={"lines": []})  # type: ignore[arg-type]
    assert caught.value.code == "INVALID_DRAFT"
