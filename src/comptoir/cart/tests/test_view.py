"""cart_view: prices from the engine, cart promotions split back into net/tax/gross,
coupons explained, stock, shipping, tax breakdown, blockers, query count."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.cart import selectors, services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.selectors.view import _discounted
from comptoir.cart.tests.conftest import Shop, ready, sellable
from comptoir.catalog.models import ProductChannelListing, ProductTranslation
from comptoir.pricing.records import Price
from comptoir.promotions.models import RewardType
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
)
from comptoir.taxes.calc import amounts

pytestmark = pytest.mark.django_db


def visitor_cart(shop: Shop, *lines: tuple[str, int]) -> Cart:
    cart = services.cart_create(channel=shop.b2c, language="fr")
    for sku, quantity in lines:
        services.line_add(cart=cart, sku=sku, quantity=quantity)
    return cart


def view(cart: Cart, user: Any = None, language: str = "fr") -> Any:
    fresh = Cart.objects.select_related("channel", "user").get(pk=cart.pk)
    return selectors.cart_view(cart=fresh, user=user, language=language)


def test_visitor_cart_is_priced_tax_included_with_shipping(shop: Shop) -> None:
    cart = ready(visitor_cart(shop, ("DRILL", 2)), shop)
    v = view(cart)
    (line,) = v.lines
    assert (line.unit, line.rule, line.tax_rate) == (Price(2000, 400, 2400), "base", 20000)
    assert line.total == line.subtotal == Price(4000, 800, 4800)
    assert (line.available, line.backorder, line.problem, line.weight_grams) == (
        100,
        False,
        None,
        1500,
    )
    assert v.display_gross is True
    assert v.tax_treatment == "domestic"
    assert v.legal_mention == ""
    assert v.shipping is not None
    assert (v.shipping.code, v.shipping.price) == ("colissimo", Price(408, 82, 490))
    assert v.subtotal == Price(4000, 800, 4800)
    assert v.total == Price(4408, 882, 5290)
    assert [(b.rate, b.net, b.tax) for b in v.tax_breakdown] == [(20000, 4408, 882)]
    assert v.weight_grams == 3000
    assert v.blockers == ()
    assert v.email == "lea@example.fr"


def test_free_shipping_from_the_threshold(shop: Shop) -> None:
    v = view(ready(visitor_cart(shop, ("DRILL", 4)), shop))
    assert v.goods_discounted == 9600
    assert v.shipping is not None
    assert v.shipping.price == Price(0, 0, 0)
    assert v.total == Price(8000, 1600, 9600)


def test_free_shipping_promotion(shop: Shop) -> None:
    CartPromotionFactory.create(code="livraison-offerte", reward_type=RewardType.FREE_SHIPPING)
    v = view(ready(visitor_cart(shop, ("DRILL", 1)), shop))
    assert v.free_shipping is True
    assert [(d.promotion_code, d.amount, d.free_shipping) for d in v.discounts] == [
        ("livraison-offerte", 0, True)
    ]
    assert v.shipping is not None
    assert v.shipping.price == Price(0, 0, 0)
    assert v.total == Price(2000, 400, 2400)


def test_coupon_is_applied_and_split_into_net_tax_gross(shop: Shop) -> None:
    promotion = CouponPromotionFactory.create(code="bienvenue", name="Bienvenue", name_en="Welcome")
    CouponFactory.create(promotion=promotion, code="BIENVENUE10")
    cart = visitor_cart(shop, ("DRILL", 2))
    services.coupon_apply(cart=cart, code="bienvenue10")
    v = view(cart, language="en")
    (discount,) = v.discounts
    assert (discount.coupon_code, discount.label, discount.amount) == (
        "BIENVENUE10",
        "Welcome",
        480,
    )
    assert discount.price == Price(400, 80, 480)
    (line,) = v.lines
    assert line.discount == 480
    assert line.total == Price(3600, 720, 4320)
    assert line.discount_price == Price(400, 80, 480)
    assert v.subtotal == Price(3600, 720, 4320)
    assert v.goods_entered == 4800
    assert v.goods_discounted == 4320
    assert v.coupons == (("BIENVENUE10", None),)


def test_coupons_that_do_not_apply_are_explained(shop: Shop) -> None:
    minimum = CouponPromotionFactory.create(code="gros-panier", min_subtotal=Decimal("100.00"))
    CouponFactory.create(promotion=minimum, code="GROS")
    other = sellable(shop.b2c, sku="AUTRE", price="9.00", stock=5, warehouse=shop.warehouse)
    elsewhere = CouponPromotionFactory.create(code="autre-produit", applies_to_all=False)
    elsewhere.products.add(other.product)
    CouponFactory.create(promotion=elsewhere, code="AILLEURS")
    ended = CouponFactory.create(code="FINI")
    cart = visitor_cart(shop, ("DRILL", 5))  # 120.00: the minimum holds when entered
    for code in ("GROS", "AILLEURS", "FINI"):
        services.coupon_apply(cart=cart, code=code)
    services.line_update(cart=cart, line_id=cart.lines.get().pk, quantity=1)  # now 24.00
    ended.is_active = False
    ended.save()
    v = view(cart)
    assert dict(v.coupons) == {
        "GROS": "COUPON_MIN_AMOUNT",
        "AILLEURS": "COUPON_NOT_APPLICABLE",
        "FINI": "COUPON_EXPIRED",
    }
    assert v.discounts == ()
    assert v.subtotal == Price(2000, 400, 2400)


def test_company_buyer_gets_contract_prices_tax_excluded(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    services.line_add(cart=cart, sku="DRILL", quantity=10)
    ready(cart, shop, email="", method="messagerie")
    v = view(cart)
    (line,) = v.lines
    assert (line.rule, line.unit, line.total) == (
        "tier:10",
        Price(1400, 280, 1680),
        Price(14000, 2800, 16800),
    )
    assert v.display_gross is False
    assert v.entered_gross is False
    assert v.shipping is not None
    assert v.shipping.price == Price(1500, 300, 1800)
    assert v.total == Price(15500, 3100, 18600)
    assert v.email == shop.buyer.email
    assert v.company_id == shop.martin.pk
    assert v.blockers == ()


def test_another_company_never_gets_the_contract(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2b, user=shop.belge_buyer, language="fr")
    services.line_add(cart=cart, sku="DRILL", quantity=10)
    (line,) = view(cart).lines
    assert (line.rule, line.unit) == ("base", Price(2000, 0, 2000))


def test_reverse_charge_for_a_belgian_company(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2b, user=shop.belge_buyer, language="en")
    services.line_add(cart=cart, sku="DRILL", quantity=2)
    services.addresses_set(
        cart=cart,
        shipping_address={**_be_address(), "company_name": "Bois & Co SRL"},
        same_as_shipping=True,
    )
    services.shipping_method_set(cart=cart, code="messagerie")
    v = view(cart, language="en")
    assert v.tax_treatment == "reverse_charge"
    assert "2006/112" in v.legal_mention
    assert v.lines[0].total == Price(4000, 0, 4000)
    assert v.lines[0].tax_rate == 0
    assert v.total == Price(5500, 0, 5500)
    assert [(b.rate, b.net, b.tax) for b in v.tax_breakdown] == [(0, 5500, 0)]


def _be_address() -> dict[str, str]:
    return {
        "first_name": "Jan",
        "last_name": "Peeters",
        "street_address_1": "Rue Neuve 1",
        "postal_code": "1000",
        "city": "Bruxelles",
        "country": "BE",
    }


def test_a_consumer_in_belgium_pays_belgian_vat(shop: Shop) -> None:
    cart = ready(visitor_cart(shop, ("DRILL", 2)), shop, **_be_address(), phone="")
    v = view(cart)
    assert v.tax_treatment == "destination"
    assert v.lines[0].total == Price(4000, 840, 4840)
    assert v.shipping is not None
    assert v.shipping.price == Price(408, 86, 494)


def test_export_with_a_coupon_lowers_the_net(shop: Shop) -> None:
    CouponFactory.create(code="DIX")
    cart = visitor_cart(shop, ("DRILL", 2))
    services.coupon_apply(cart=cart, code="DIX")
    services.addresses_set(
        cart=cart,
        shipping_address={**_be_address(), "country": "CH", "postal_code": "1200"},
        same_as_shipping=True,
        email="a@example.ch",
    )
    v = view(cart)
    assert v.tax_treatment == "export"
    (line,) = v.lines
    assert line.subtotal == Price(4000, 0, 4000)
    assert line.total == Price(3600, 0, 3600)
    assert v.discounts[0].price == Price(400, 0, 400)


def test_lines_with_a_problem_count_in_no_total(shop: Shop) -> None:
    lonely = sellable(shop.b2c, sku="RARE", price="10.00", stock=1, warehouse=shop.warehouse)
    gone = sellable(shop.b2c, sku="GONE", price="5.00", stock=5, warehouse=shop.warehouse)
    cart = visitor_cart(shop, ("DRILL", 1), ("RARE", 1), ("GONE", 1))
    CartLine.objects.filter(cart=cart, variant=lonely).update(quantity=3)
    ProductChannelListing.objects.filter(product=gone.product).update(is_published=False)
    v = view(cart)
    problems = {line.sku: (line.problem, line.unit is None, line.counted) for line in v.lines}
    assert problems == {
        "DRILL": (None, False, True),
        "RARE": ("INSUFFICIENT_STOCK", False, False),
        "GONE": ("NOT_FOR_SALE", True, False),
    }
    assert v.subtotal == Price(2000, 400, 2400)
    assert "LINE_PROBLEM" in v.blockers


def test_backorders_accept_more_than_stock(shop: Shop) -> None:
    sellable(
        shop.b2c,
        sku="SUR-COMMANDE",
        price="10.00",
        stock=0,
        warehouse=shop.warehouse,
        allow_backorders=True,
    )
    cart = visitor_cart(shop, ("SUR-COMMANDE", 3))
    (line,) = view(cart).lines
    assert (line.available, line.backorder, line.problem, line.counted) == (0, True, None, True)


def test_quantity_rule_of_the_buyers_list_is_a_line_problem(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    services.line_add(cart=cart, sku="DRILL-XL", quantity=6)
    CartLine.objects.filter(cart=cart).update(quantity=7)
    (line,) = view(cart).lines
    assert (line.problem, line.rule, line.counted) == ("QUANTITY_RULE", "price_list:pros", False)


def test_saved_lines_are_priced_but_never_counted(shop: Shop) -> None:
    cart = visitor_cart(shop, ("DRILL", 1), ("DRILL-XL", 2))
    services.save_for_later(cart=cart, line_id=CartLine.objects.get(variant=shop.drill_xl).pk)
    v = view(cart)
    assert [line.sku for line in v.lines] == ["DRILL"]
    (saved,) = v.saved
    assert (saved.sku, saved.quantity, saved.total, saved.counted) == (
        "DRILL-XL",
        2,
        Price(6000, 1200, 7200),
        False,
    )
    assert v.subtotal == Price(2000, 400, 2400)


def test_blockers_of_a_new_cart(shop: Shop) -> None:
    v = view(services.cart_create(channel=shop.b2c, language="fr"))
    assert v.blockers == (
        "EMPTY_CART",
        "EMAIL_REQUIRED",
        "ADDRESS_REQUIRED",
        "SHIPPING_METHOD_REQUIRED",
    )


def test_a_method_no_longer_offered_blocks(shop: Shop) -> None:
    cart = ready(visitor_cart(shop, ("DRILL", 1)), shop)
    Cart.objects.filter(pk=cart.pk).update(
        shipping_address={**(cart.shipping_address or {}), "country": "DE"}
    )
    v = view(cart)
    assert v.shipping is None
    assert v.blockers == ("SHIPPING_METHOD_UNAVAILABLE",)


def test_pickup_needs_no_shipping_address(shop: Shop) -> None:
    cart = ready(visitor_cart(shop, ("DRILL", 1)), shop)
    services.shipping_method_set(cart=cart, code="retrait")
    Cart.objects.filter(pk=cart.pk).update(shipping_address=None)
    v = view(cart)
    assert v.shipping is not None
    assert v.shipping.kind == "pickup"
    assert v.blockers == ()


def test_a_closed_cart_is_read_only_and_blocked(shop: Shop) -> None:
    cart = ready(visitor_cart(shop, ("DRILL", 1)), shop)
    Cart.objects.filter(pk=cart.pk).update(status=CartStatus.COMPLETED)
    assert view(cart).blockers == ("CART_CLOSED",)


def test_names_in_the_language_asked(shop: Shop) -> None:
    ProductTranslation.objects.create(product=shop.product, language="en", name="Drill")
    shop.drill.name, shop.drill.name_en = "Standard", "Regular"
    shop.drill.save()
    cart = visitor_cart(shop, ("DRILL", 1))
    fr, en = view(cart).lines[0], view(cart, language="en").lines[0]
    assert (fr.product_name, fr.variant_name) == (shop.product.name, "Standard")
    assert (en.product_name, en.variant_name) == ("Drill", "Regular")


def test_query_count_is_constant(shop: Shop) -> None:
    skus = [f"VIS-{i}" for i in range(5)]
    for sku in skus:
        sellable(shop.b2c, sku=sku, price="3.10", stock=50, warehouse=shop.warehouse)
    CouponFactory.create(code="DIX")
    CartPromotionFactory.create(code="livraison", reward_type=RewardType.FREE_SHIPPING)
    cart = ready(visitor_cart(shop, *((sku, 2) for sku in skus)), shop)
    services.coupon_apply(cart=cart, code="DIX")
    fresh = Cart.objects.select_related("channel", "user").get(pk=cart.pk)
    selectors.cart_view(cart=fresh)  # warms the process's copies (rates, promotions, shipping)
    with CaptureQueriesContext(connection) as five:
        v = selectors.cart_view(cart=fresh)
    assert len(v.lines) == 5
    assert v.discounts
    # Lines, engine rows, free stock; the coupon explained (coupon with its promotion, its
    # channels, its groups); cart promotions (coupons, promotions, their targets). Shipping,
    # tax rates, channels and catalog promotions come from the process's copies.
    assert len(five) == 9, [q["sql"][:150] for q in five.captured_queries]
    for sku in ("DRILL", "DRILL-XL"):
        services.line_add(cart=cart, sku=sku, quantity=1)
    with CaptureQueriesContext(connection) as seven:
        selectors.cart_view(cart=fresh)
    assert len(seven) == len(five)


# --- the split of a discount share back into net/tax/gross -----------------------------------


@settings(max_examples=300, deadline=None)
@given(
    unit=st.integers(1, 100_000),
    quantity=st.integers(1, 50),
    entry_rate=st.sampled_from([0, 5_500, 20_000, 21_000]),
    rate=st.sampled_from([0, 5_500, 20_000, 21_000]),
    entered_gross=st.booleans(),
    fraction=st.fractions(0, 1),
)
def test_discounted_lines_are_monotonic_and_exact_at_zero(
    *,
    unit: int,
    quantity: int,
    entry_rate: int,
    rate: int,
    entered_gross: bool,
    fraction: Any,
) -> None:
    total = Price(
        *amounts(
            unit, entered_gross=entered_gross, entry_rate=entry_rate, rate=rate, quantity=quantity
        )
    )
    entered = unit * quantity
    share = int(entered * fraction)

    def after(s: int) -> Price:
        return _discounted(
            total, entered, s, entered_gross=entered_gross, entry_rate=entry_rate, rate=rate
        )

    assert after(0) == total
    assert after(entered) == Price(0, 0, 0)
    lower, higher = after(share), after(min(share + 1, entered))
    for b, a in ((lower, total), (higher, lower)):  # b comes after a: never more
        assert 0 <= b.net <= a.net
        assert 0 <= b.tax <= a.tax
        assert 0 <= b.gross <= a.gross
        assert b.net + b.tax == b.gross
