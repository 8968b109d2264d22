"""The buying part of the demo store (idempotent, through the services only):

- two warehouses, "Entrepôt Lyon" (priority 1) and "Magasin Paris" (priority 2), and stock
  for every variant, received with `inventory.services.stock_receive` so the ledger
  balances: most products in stock, some low (a threshold of 5), some sold out (received,
  then counted at zero), and the acacia garden bench sold out but open to backorders;
- the shipping zones and methods of `comptoir.shipping.demo`;
- a saved address and one past order for Léa, placed through the real checkout with the
  test card and shipped by Colissimo with a tracking number, so her account shows tracking
  at once (its emails land in the development mailbox, /_dev/mail/).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from comptoir.accounts.services import address_create
from comptoir.cart import services as cart_services
from comptoir.catalog.models import Product, ProductVariant
from comptoir.channels.models import Channel
from comptoir.checkout import services as checkout_services
from comptoir.inventory import services as inventory
from comptoir.inventory.models import Stock, Warehouse
from comptoir.orders import services as order_services
from comptoir.orders.models import Order

logger = logging.getLogger(__name__)
Log = Callable[[str], None]

B2C = "boutique-france"
LEA = "lea@example.fr"
REFERENCE = "demo-stock"
WAREHOUSES = (
    {
        "code": "entrepot-lyon",
        "name": "Entrepôt Lyon",
        "street_address": "12 rue de Gerland",
        "postal_code": "69007",
        "city": "Lyon",
        "priority": 1,
    },
    {
        "code": "magasin-paris",
        "name": "Magasin Paris",
        "street_address": "48 rue de Rivoli",
        "postal_code": "75004",
        "city": "Paris",
        "priority": 2,
    },
)
# Léa's past order: the 18 V drill driver and a terracotta pot (under the garden promotion).
LEA_ORDER = (("PVS-0201", 1), ("POT-0101", 2))
# Kept in stock whatever the pattern below says (the README's examples).
FEATURED = {"PVS-0201": (40, 8), "POT-0101": (60, 12)}
BACKORDER_SKU = "MOB-0402"  # the acacia garden bench: sold out, orders accepted
LOW_THRESHOLD = 5
LEA_ADDRESS: dict[str, Any] = {
    "first_name": "Léa",
    "last_name": "Moreau",
    "street_address_1": "8 rue Mercière",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "FR",
}
TEST_CARD = "4242424242424242"
TRACKING_NUMBER = "6A12345678901"


def _quiet(message: str) -> None:
    """Default logger: say nothing."""


def ensure_warehouses() -> list[Warehouse]:
    found = {w.code: w for w in Warehouse.objects.filter(code__in=[w["code"] for w in WAREHOUSES])}
    for spec in WAREHOUSES:
        if spec["code"] not in found:
            found[str(spec["code"])] = inventory.warehouse_create(**spec)  # type: ignore[arg-type]
    return [found[str(spec["code"])] for spec in WAREHOUSES]


def _plan(index: int, sku: str) -> tuple[int, int, str]:
    """(units at Lyon, units at Paris, kind) for the variant at `index` in SKU order."""
    if sku in FEATURED:
        lyon, paris = FEATURED[sku]
        return lyon, paris, "in"
    if sku == BACKORDER_SKU or index % 11 == 5:
        return 4, 0, "out"
    if index % 7 == 3:
        return 2, 0, "low"
    # A third of the products also in the Paris shop.
    return 20 + (index * 37) % 100, (index * 13) % 12 if index % 3 == 0 else 0, "in"


def _stock_variant(variant: ProductVariant, lyon: Warehouse, paris: Warehouse, plan: Any) -> None:
    units_lyon, units_paris, kind = plan
    with transaction.atomic():
        stock = inventory.stock_receive(
            warehouse=lyon, variant=variant, quantity=units_lyon, reference=REFERENCE
        )
        if units_paris:
            inventory.stock_receive(
                warehouse=paris, variant=variant, quantity=units_paris, reference=REFERENCE
            )
        if kind == "out":  # sold out: counted at zero
            inventory.stock_adjust(stock=stock, counted=0, reference=REFERENCE)
        elif kind == "low":
            inventory.stock_threshold_set(stock=stock, threshold=LOW_THRESHOLD)


def ensure_stock(*, log: Log = _quiet) -> int:
    """Stock for every variant that has none yet; returns how many variants got some."""
    lyon, paris = ensure_warehouses()
    stocked = set(Stock.objects.values_list("variant_id", flat=True).distinct())
    variants = list(ProductVariant.objects.order_by("sku").only("id", "sku", "product_id"))
    done = 0
    with transaction.atomic():  # one commit (the services nest as savepoints)
        for index, variant in enumerate(variants):
            if variant.pk in stocked:
                continue
            _stock_variant(variant, lyon, paris, _plan(index, variant.sku))
            done += 1
    bench = Product.objects.filter(variants__sku=BACKORDER_SKU, allow_backorders=False).first()
    if bench is not None:
        inventory.product_backorders_set(product=bench, allow=True)
    if done:
        log(f"Stock: {done} variants in {len((lyon, paris))} warehouses.")
    return done


def ensure_shipping(*, log: Log = _quiet) -> None:
    try:
        from comptoir.shipping import demo as shipping_demo
    except ImportError:  # the shipping app has no demo data yet
        return
    shipping_demo.seed(log=log)


def _lea_address(user: Any) -> int:
    address = user.addresses.order_by("-is_default_shipping", "id").first()
    if address is None:
        address = address_create(user=user, **LEA_ADDRESS)
    return int(address.pk)


def ensure_lea_order(*, log: Log = _quiet) -> Order | None:
    """Léa's past order, placed with the test card and shipped (once: skipped when she has
    an order already, or when the demo lacks what it needs)."""
    user = get_user_model().objects.filter(email=LEA).first()
    channel = Channel.objects.filter(code=B2C).first()
    if user is None or channel is None:
        return None
    address_id = _lea_address(user)
    if Order.objects.filter(user=user).exists():
        return None
    variants = {v.sku: v for v in ProductVariant.objects.filter(sku__in=[s for s, _q in LEA_ORDER])}
    if len(variants) < len(LEA_ORDER):
        return None  # a demo loaded with --products: the featured products are missing
    # A cart of its own (Léa's open cart, if she has one, is left alone); the order is hers
    # because she places it.
    cart = cart_services.cart_create(channel=channel, language="fr", email=LEA)
    for sku, quantity in LEA_ORDER:
        cart_services.line_add(cart=cart, sku=sku, quantity=quantity, user=user)
    cart_services.addresses_set(
        cart=cart, shipping_address_id=address_id, same_as_shipping=True, user=user
    )
    cart_services.shipping_method_set(cart=cart, code="colissimo", user=user)
    status, body = checkout_services.checkout_place(
        token=cart.token,
        user=user,
        idempotency_key="demo-lea-first-order",
        body={"payment_method": "test_card", "payment_source": TEST_CARD},
    )
    if status != 201:
        logger.warning("demo: Léa's order was not placed: %s", body)
        return None
    order = Order.objects.get(number=body["order"]["number"])
    order_services.fulfilment_create(
        order=order,
        lines=[(line.pk, line.quantity) for line in order.lines.all()],
        carrier="Colissimo",
        tracking_number=TRACKING_NUMBER,
    )
    log(f"Léa's order {order.number}: paid with the test card, shipped by Colissimo.")
    return order


def demo_buying_load(*, log: Log = _quiet) -> None:
    ensure_stock(log=log)
    ensure_shipping(log=log)
    ensure_lea_order(log=log)
