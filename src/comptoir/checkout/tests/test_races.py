"""Races and faults of checkout on PostgreSQL, across several OS processes (each with its
own connection): stock never oversold, one order and one charge per Idempotency-Key, a
single-use coupon used once, no deadlock, nothing half-written when the connection drops,
and a charge whose answer was lost reconciled exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connection

from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout import services
from comptoir.checkout.tests.conftest import APPROVED, TIMEOUT_AFTER_CHARGE, stock
from comptoir.core.errors import Conflict
from comptoir.core.processes import in_processes
from comptoir.inventory.models import Reservation, Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.inventory.tests.factories import WarehouseFactory
from comptoir.orders.models import Order
from comptoir.payments.models import Payment, PaymentTransaction
from comptoir.promotions.models import Coupon
from comptoir.promotions.tests.factories import CouponFactory, CouponPromotionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PLACE = "comptoir.checkout.tests.work:place"


def test_fifty_checkouts_for_ten_in_stock_make_ten_orders(
    variants: list[ProductVariant], warehouse: Warehouse, make_cart: Callable[..., Cart]
) -> None:
    scarce = variants[0]
    # The ledger keeps balancing: 100 received, 90 adjusted away.
    Stock.objects.filter(variant=scarce).update(quantity=10)
    StockMovement.objects.create(
        stock=Stock.objects.get(variant=scarce), kind="adjustment", quantity=-90
    )
    carts = [make_cart([(scarce, 1), (variants[1], 2)]) for _ in range(50)]
    results = in_processes(
        PLACE, [(cart.token, f"key-{i}", APPROVED) for i, cart in enumerate(carts)], processes=6
    )
    outcomes = Counter(outcome for _, outcome in results if _ != 201)
    assert Counter(status for status, _ in results)[201] == 10, results
    assert outcomes == {"INSUFFICIENT_STOCK": 40}, results
    assert Order.objects.count() == 10
    row = Stock.objects.get(variant=scarce)
    assert row.quantity == 10
    assert row.quantity_allocated == 10
    assert row.quantity_free == 0
    assert not Reservation.objects.exists()
    assert ledger_mismatches() == []
    # Every failed checkout changed nothing: its cart is open again, nothing charged.
    assert Payment.objects.count() == 10
    assert Cart.objects.filter(status="open").count() == 40


def test_opposite_warehouse_order_does_not_deadlock(
    variants: list[ProductVariant], warehouse: Warehouse, make_cart: Callable[..., Cart]
) -> None:
    lyon = WarehouseFactory.create(code="lyon", name="Lyon", priority=2)
    a, b = variants[0], variants[1]
    # a is mostly in Paris, b mostly in Lyon: carts lock the rows of both warehouses.
    Stock.objects.filter(variant__in=[a, b]).update(quantity=3)
    for row in Stock.objects.filter(variant__in=[a, b]):
        StockMovement.objects.create(stock=row, kind="adjustment", quantity=-97)
    for variant in (a, b):
        stock(variant, lyon, 50)
    carts = [make_cart([(a, 5), (b, 5)] if i % 2 else [(b, 5), (a, 5)]) for i in range(16)]
    results = in_processes(
        PLACE, [(cart.token, f"k{i}", APPROVED) for i, cart in enumerate(carts)], processes=6
    )
    assert Counter(status for status, _ in results) == {201: 10, 409: 6}, results
    assert {code for status, code in results if status == 409} == {"INSUFFICIENT_STOCK"}
    assert ledger_mismatches() == []


def test_same_key_twenty_times_makes_one_order_and_one_charge(
    variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 1), (variants[2], 3)])
    results = in_processes(PLACE, [(cart.token, "same-key", APPROVED)] * 20, processes=6)
    assert {tuple(r) for r in results} == {(201, Order.objects.get().number)}, results
    payment = Payment.objects.get()
    charges = PaymentTransaction.objects.filter(payment=payment, kind__in=["sale", "capture"])
    assert charges.filter(result="success").count() == 1
    # The same key with another body is refused.
    with pytest.raises(Conflict) as refused:
        services.checkout_place(
            token=cart.token,
            user=None,
            idempotency_key="same-key",
            body={"payment_method": "bank_transfer"},
        )
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_single_use_coupon_in_twenty_checkouts_is_used_once(
    channel: Any, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    promotion = CouponPromotionFactory.create(code="bienvenue", reward_value=Decimal("10"))
    CouponFactory.create(promotion=promotion, code="UNIQUE10", usage_limit=1)
    carts = [make_cart([(variants[3], 1)], coupon_codes=["UNIQUE10"]) for _ in range(20)]
    results = in_processes(
        PLACE, [(cart.token, f"c{i}", APPROVED) for i, cart in enumerate(carts)], processes=6
    )
    coupon = Coupon.objects.get(code="UNIQUE10")
    assert coupon.times_used == 1
    assert Counter(status for status, _ in results) == {201: 1, 400: 19}, results
    assert {code for status, code in results if status == 400} == {"COUPON_EXHAUSTED"}
    order = Order.objects.get()
    assert order.coupon_codes == ["UNIQUE10"]
    # The refused checkouts charged nothing and gave their stock back.
    assert Payment.objects.count() == 1
    assert Stock.objects.get(variant=variants[3]).quantity_allocated == 1


def test_connection_dropped_mid_checkout_leaves_nothing_and_retry_succeeds_once(
    monkeypatch: pytest.MonkeyPatch, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[0], 2)])
    from comptoir.orders import services as orders

    original = orders.order_create
    calls = {"n": 0}

    def dropped(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return original(**kwargs)

    monkeypatch.setattr(orders, "order_create", dropped)
    body = {"payment_method": "test_card", "payment_source": APPROVED}
    with pytest.raises((OperationalError, InterfaceError)):
        services.checkout_place(token=cart.token, user=None, idempotency_key="k1", body=body)
    connection.close()
    assert not Order.objects.exists()
    status, first = services.checkout_place(
        token=cart.token, user=None, idempotency_key="k1", body=body
    )
    assert status == 201
    again = services.checkout_place(token=cart.token, user=None, idempotency_key="k1", body=body)
    assert again == (201, first)
    assert Order.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.transactions.filter(kind__in=["sale", "capture"], result="success").count() == 1
    assert ledger_mismatches() == []


def test_provider_timeout_after_charge_is_reconciled_once(
    variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    cart = make_cart([(variants[1], 1)])
    body = {"payment_method": "test_card", "payment_source": TIMEOUT_AFTER_CHARGE}
    status, answer = services.checkout_place(
        token=cart.token, user=None, idempotency_key="t1", body=body
    )
    assert status == 202
    assert answer["status"] == "processing"
    assert not Order.objects.exists()
    # Reconciliation (several times, in parallel processes too) settles it exactly once.
    Payment.objects.update(updated_at="2000-01-01T00:00:00Z")
    in_processes("comptoir.checkout.services:checkout_reconcile", [()] * 4, processes=4)
    services.checkout_reconcile(older_than_seconds=0)
    order = Order.objects.get()
    assert order.payment_status == "paid"
    payment = Payment.objects.get()
    assert payment.amount_captured == payment.amount
    # A retry of the same checkout returns the order and charges nothing more.
    status, answer = services.checkout_place(
        token=cart.token, user=None, idempotency_key="t1", body=body
    )
    assert status == 201
    assert answer["order"]["number"] == order.number
    assert Order.objects.count() == 1
